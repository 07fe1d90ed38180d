"""Suggested playbooks follow the check's state (the rules live in panels/<id>.py); drift
prefills service and head commit. One suggestion per evidence (issue 23, item 7): a race
enables sequential execution, a DependencyFailureError disables it, never both; a playbook
with parameters is suggested filled in from the evidence, or not at all, and the why says so."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.core.config import load_settings
from console.core.models import CheckResult, ErrorValue, LogEntry, Status
from console.logs.trace import DependencyFailure, Violation
from console.playbook import model
from console.playbook.suggest import current_flags, prefill, suggest, suggestion
from console.services.runner import SPEC_BY_ID, SPECS, CheckContext, run_check
from panels.drift import DriftService, DriftValue
from panels.sequential import SequentialValue, sequential_execution
from tests.conftest import DEMO_END
from tests.helpers.examples import examples

FEB3, FEB4 = date(2026, 2, 3), date(2026, 2, 4)


def _result(backend, settings, check_id, day):
    return run_check(SPEC_BY_ID[check_id], backend, CheckContext(settings, day, DEMO_END))


def _suggest(backend, settings, check_id, day):
    return suggest(SPEC_BY_ID[check_id], _result(backend, settings, check_id, day))


def test_healthy_grading_does_not_suggest_rolling_grading_back(demo_backend, demo_settings):
    result = _result(demo_backend, demo_settings, "grading_coverage", FEB4)
    assert result.value.coverage_pct == 97.9
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
    assert values == {"service": "nba-scrapers", "commit": result.value.head}
    book = model.get("redeploy-service")
    book.render(demo_settings, values)  # the prefilled values pass the engine's validators


def test_sequential_race_suggests_turning_the_fix_on(demo_backend, demo_settings):
    hint = _suggest(demo_backend, demo_settings, "sequential_execution", FEB3)  # the Feb 3 race
    assert hint.playbooks == ("enable-sequential-execution",)
    assert _suggest(demo_backend, demo_settings, "sequential_execution", FEB4).playbooks == ()  # in order
    one = suggestion(
        SPEC_BY_ID["sequential_execution"],
        _result(demo_backend, demo_settings, "sequential_execution", FEB3),
        demo_settings,
    )
    assert one.playbooks == ("enable-sequential-execution",) and one.params == {}
    assert one.command() == "nba-console playbook run enable-sequential-execution --dry-run"


T = datetime(2026, 2, 5, 12, 0, tzinfo=UTC)
S = load_settings()


def _line(minutes: int, text: str) -> LogEntry:
    return LogEntry(
        timestamp=T + timedelta(minutes=minutes), severity="INFO", text=text, service="nba-phase3-analytics-processors"
    )


LEVEL1 = "📋 Level 1: running 1 processors: TeamOffenseGameSummaryProcessor"
BLOCKED = "DependencyFailureError: TeamOffenseGameSummaryProcessor failed; blocking Level 2"
RACE = "📋 Level 2: running 1 processors: PlayerGameSummaryProcessor"


def _sequential(*lines: str) -> CheckResult:
    return sequential_execution([_line(i, text) for i, text in enumerate(lines)], S)


def test_a_dependency_failure_suggests_disabling_only():
    result = _sequential(LEVEL1, BLOCKED)
    assert result.status is Status.FAIL
    hint = suggestion(SPEC_BY_ID["sequential_execution"], result, S)
    assert hint.playbooks == ("disable-sequential-execution",) and "DependencyFailureError" in hint.why


def test_a_race_and_a_dependency_failure_together_suggest_neither():
    result = _sequential(LEVEL1, RACE, BLOCKED)  # Level 2 before Level 1 finished, then blocked
    assert result.value.violations and result.value.dependency_failures
    hint = suggestion(SPEC_BY_ID["sequential_execution"], result, S)
    assert hint.playbooks == () and "does not say whether to enable or disable" in hint.why


def test_a_sequential_failure_without_either_evidence_is_not_about_the_flag(demo_backend, demo_settings):
    result = _result(demo_backend, demo_settings, "sequential_execution", FEB4)
    assert not result.value.violations and not result.value.dependency_failures
    overdue = result.model_copy(update={"status": Status.FAIL, "summary": "overdue: no Level lines by 09:00 ET"})
    hint = suggestion(SPEC_BY_ID["sequential_execution"], overdue, demo_settings)
    assert hint.playbooks == () and "not about the sequential flag" in hint.why


def test_dnp_pollution_suggests_no_redeploy_with_placeholders(demo_backend, demo_settings):
    result = _result(demo_backend, demo_settings, "dnp_pollution", FEB3)
    assert result.status is Status.FAIL  # 22 % of the cache is DNP
    hint = suggestion(SPEC_BY_ID["dnp_pollution"], result, demo_settings)
    assert hint.playbooks == () and hint.command() is None
    assert "no service or commit" in hint.why and "Deployment drift" in hint.why


def test_drift_suggestion_is_the_redeploy_with_both_parameters(demo_backend, demo_settings):
    result = _result(demo_backend, demo_settings, "deployment_drift", FEB4)
    hint = suggestion(SPEC_BY_ID["deployment_drift"], result, demo_settings)
    assert hint.params == {"service": "nba-scrapers", "commit": result.value.head}
    assert hint.command() == (
        f"nba-console playbook run redeploy-service --param service=nba-scrapers "
        f"--param commit={result.value.head} --dry-run"
    )


def test_a_prefill_the_playbook_would_refuse_is_no_suggestion(demo_backend, demo_settings):
    result = _result(demo_backend, demo_settings, "deployment_drift", FEB4)
    services = [
        s.updated(service="phase3-to-grading") if s.service == "nba-scrapers" else s for s in result.value.services
    ]  # the furthest behind is a Cloud Function
    hint = suggestion(
        SPEC_BY_ID["deployment_drift"],
        result.model_copy(update={"value": result.value.updated(services=services)}),
        demo_settings,
    )
    assert hint.playbooks == () and "redeploy-service would refuse" in hint.why and "Cloud Run" in hint.why


def test_a_missing_parameter_is_no_suggestion_and_says_which(demo_backend, demo_settings):
    result = _result(demo_backend, demo_settings, "deployment_drift", FEB4)
    hint = suggestion(
        SPEC_BY_ID["deployment_drift"],
        result.model_copy(update={"value": result.value.updated(head="")}),
        demo_settings,
    )
    assert hint.playbooks == () and "does not give redeploy-service's commit" in hint.why


_VIOLATIONS = st.lists(
    st.just(Violation(who="PlayerGameSummaryProcessor", level=2, at="x", pending_levels=[1])), max_size=2
)
_FAILURES = st.lists(
    st.just(DependencyFailure(at="x", processor="TeamOffense", text="DependencyFailureError")), max_size=2
)
_SERVICE = st.builds(
    DriftService,
    service=st.sampled_from(["nba-scrapers", "phase3-to-grading", "bogus", ""]),
    kind=st.just("run"),
    region=st.just("us-west2"),
    commit=st.none(),
    deployed_at=st.none(),
    commits_behind=st.one_of(st.none(), st.integers(0, 60)),
    days_behind=st.none(),
    traffic_latest=st.just(True),
    flags=st.just({}),
    status=st.sampled_from(["ok", "warn", "fail"]),
)
# Each check's own value, with the evidence its suggestion reads drawn at random; or none.
_VALUES = {
    "sequential_execution": st.builds(
        SequentialValue,
        mode=st.just("level lines"),
        levels=st.just([]),
        processors=st.just([]),
        violations=_VIOLATIONS,
        dependency_failures=_FAILURES,
        events=st.just(0),
    ),
    "deployment_drift": st.builds(
        DriftValue,
        head=st.sampled_from(["06934c94", "zz", ""]),
        head_time=st.just("2026-02-05T04:00:00+00:00"),
        services=st.lists(_SERVICE, max_size=3),
        not_in_history=st.just([]),
        no_commit=st.just([]),
    ),
}


@hsettings(max_examples=examples(200), deadline=None)
@given(spec=st.sampled_from(SPECS), status=st.sampled_from(list(Status)), data=st.data())
def test_every_suggestion_is_at_most_one_playbook_fully_filled_in(spec, status, data):
    value = data.draw(st.one_of(st.none(), st.just(ErrorValue()), _VALUES.get(spec.id, st.none())))
    result = CheckResult(id=spec.id, title=spec.title, status=status, summary="x", value=value)
    hint = suggestion(spec, result, S)
    assert len(hint.playbooks) <= 1 and hint.why
    if hint.playbook is not None:
        book = model.get(hint.playbook)
        book.render(S, hint.params)  # every parameter given, each accepted by the engine
        assert "<" not in hint.command() and status in (Status.FAIL, Status.WARN)


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
