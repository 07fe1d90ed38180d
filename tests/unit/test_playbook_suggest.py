"""Suggested playbooks follow the check's state (the rules live in panels/<id>.py); drift
prefills service and head commit."""

from __future__ import annotations

from console.core.runner import SPEC_BY_ID, CheckContext, run_check
from console.playbook import model
from console.playbook.suggest import current_flags, prefill, suggest
from tests.conftest import DEMO_END

from datetime import date

FEB3, FEB4 = date(2026, 2, 3), date(2026, 2, 4)


def _result(backend, settings, check_id, day):
    return run_check(SPEC_BY_ID[check_id], backend, CheckContext(settings, day, DEMO_END))


def _suggest(backend, settings, check_id, day):
    return suggest(SPEC_BY_ID[check_id], _result(backend, settings, check_id, day))


def test_healthy_grading_does_not_suggest_rolling_grading_back(demo_backend, demo_settings):
    result = _result(demo_backend, demo_settings, "grading_coverage", FEB4)
    assert result.value["coverage_pct"] == 97.9
    hint = suggest(SPEC_BY_ID["grading_coverage"], result)
    assert hint.playbooks == () and hint.why == "the check is ok"


def test_failed_grading_suggests_the_rollback(demo_backend, demo_settings):
    result = _result(demo_backend, demo_settings, "grading_coverage", FEB4)
    failed = result.model_copy(update={"status": result.status.FAIL})
    assert suggest(SPEC_BY_ID["grading_coverage"], failed).playbooks == ("rollback-grading-orchestration",)
    warned = result.model_copy(update={"status": result.status.WARN})
    hint = suggest(SPEC_BY_ID["grading_coverage"], warned)
    assert hint.playbooks == () and "not failed" in hint.why


def test_drift_suggests_redeploying_the_worst_service_at_head(demo_backend, demo_settings):
    result = _result(demo_backend, demo_settings, "deployment_drift", FEB4)
    hint = suggest(SPEC_BY_ID["deployment_drift"], result)
    assert hint.playbooks == ("redeploy-service",) and "nba-scrapers is 49 commits behind" in hint.why
    values = prefill(SPEC_BY_ID["deployment_drift"], result)
    assert values == {"service": "nba-scrapers", "commit": result.value["head"]}
    book = model.get("redeploy-service")
    book.render(demo_settings, values)  # the prefilled values pass the engine's validators


def test_sequential_race_suggests_turning_the_fix_on(demo_backend, demo_settings):
    hint = _suggest(demo_backend, demo_settings, "sequential_execution", FEB3)  # the Feb 3 race
    assert hint.playbooks == ("enable-sequential-execution",)
    assert _suggest(demo_backend, demo_settings, "sequential_execution", FEB4).playbooks == ()  # in order


def test_no_result_or_no_playbook_suggests_nothing():
    assert suggest(SPEC_BY_ID["grading_coverage"], None).playbooks == ()
    assert suggest(SPEC_BY_ID["usage_rate_coverage"], None).why == "no playbook belongs to this check"


def test_current_flag_values_beside_enable_and_disable(demo_backend):
    state = demo_backend.deploy_state()
    [line] = current_flags(model.get("disable-sequential-execution"), state)
    assert line == "SEQUENTIAL_EXECUTION_ENABLED on nba-phase3-analytics-processors: now true, sets false"
    [line] = current_flags(model.get("enable-sequential-execution"), state)
    assert line.endswith("now true, sets true (already so)")
    assert current_flags(model.get("redeploy-service"), state) == []
