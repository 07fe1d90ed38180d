"""Deployment drift: thresholds, unknown and missing commits, watched flags, its value
(`DriftValue`) as `check --json` and `history --json` write it, and the panel giving the
service name the room it has (issue 14: it showed `nba-phase3-analytics-proce` even at 250
columns)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from rich.console import Console

from console.core.config import Settings
from console.core.context import CheckContext
from console.core.models import CheckResult, Commit, DeployState, ServiceState, Status
from panels.dispatch import headline, render_result
from panels.drift import DriftService, DriftValue, deployment_drift, judge_drift_history, prefill

S = Settings()
T0 = datetime(2026, 2, 5, 12, 0, tzinfo=UTC)
ROW_KEYS = [
    "service",
    "kind",
    "region",
    "commit",
    "deployed_at",
    "commits_behind",
    "days_behind",
    "traffic_latest",
    "flags",
    "status",
]


def drift_state(deployed_days_ago: float, commit_index: int = 1):
    commits = [Commit(sha=f"{i + 1:x}" * 40, time=T0 - timedelta(days=i * deployed_days_ago)) for i in range(3)]
    return DeployState(
        services=[ServiceState(name="svc", kind="run", region="us-west2", commit=commits[commit_index].sha[:8])],
        commits=commits,
    )


@pytest.mark.parametrize(("days", "status"), [(0.5, Status.OK), (3, Status.WARN), (8, Status.FAIL)])
def test_drift_thresholds(days, status):
    result = deployment_drift(drift_state(days), S, T0)
    assert result.status is status
    assert isinstance(result.value, DriftValue) and result.value.services[0].commits_behind == 1


def test_drift_without_history_or_unknown_commit():
    nothing = deployment_drift(DeployState(), S, T0)
    assert nothing.status is Status.UNKNOWN and nothing.value is None and nothing.value_json() == {}
    state = drift_state(1)
    state.services[0].commit = "deadbeef"
    result = deployment_drift(state, S, T0)
    # A commit nobody can find is never "ok": warn, named in the summary and counted.
    assert result.status is Status.WARN
    assert "svc runs deadbeef, not in the last 3 commits" in result.summary
    assert result.value_json()["not_in_history"] == ["svc"]
    assert result.value_json()["services"][0]["status"] == "warn"
    assert list(result.value_json()["services"][0]) == [*ROW_KEYS, "not_in_history"]
    assert "within" not in result.summary


def test_drift_service_without_a_commit_is_unknown_not_ok():
    state = drift_state(0.5)
    state.services[0].commit = None
    result = deployment_drift(state, S, T0)
    assert result.status is Status.UNKNOWN and "no deployed commit recorded: svc" in result.summary
    assert result.value_json()["no_commit"] == ["svc"] and list(result.value_json()["services"][0]) == ROW_KEYS


def test_drift_shows_watched_flags():
    state = drift_state(0.5)
    state.services[0].env = {"SEQUENTIAL_EXECUTION_ENABLED": "false", "OTHER": "x"}
    result = deployment_drift(state, S, T0)
    assert result.value_json()["services"][0]["flags"] == {"SEQUENTIAL_EXECUTION_ENABLED": "false"}
    assert "svc SEQUENTIAL_EXECUTION_ENABLED=false" in result.summary


def test_the_json_keys_in_order():
    result = deployment_drift(drift_state(3), S, T0)
    value = result.value_json()
    assert list(value) == ["head", "head_time", "services", "not_in_history", "no_commit"]
    assert list(value["services"][0]) == [*ROW_KEYS, "commit_time"]
    assert value["services"][0]["days_behind"] == 3.0


def test_a_history_says_the_moment_it_judged_drift_as_of():
    state = drift_state(1)
    judged = judge_drift_history(state, CheckContext(S, date(2026, 2, 4), T0))
    assert list(judged.value_json())[-1] == "deploys_as_of" and judged.value.judged_as_of() == T0.isoformat()
    # A date whose morning is before the commit history: nothing judged, only the moment.
    early = judge_drift_history(state, CheckContext(S, date(2026, 1, 1), T0))
    assert early.status is Status.UNKNOWN and early.value_json() == {"deploys_as_of": "2026-01-02T11:00:00-05:00"}
    assert early.value.judged_as_of() == "2026-01-02T11:00:00-05:00"
    assert render_result(early, S.tz)[0] == "-" and headline(early) == "-" and prefill(early) == {}


def test_the_suggested_redeploy_is_prefilled_from_the_value():
    result = deployment_drift(drift_state(3), S, T0)
    assert prefill(result) == {"service": "svc", "commit": "11111111"}
    assert prefill(deployment_drift(DeployState(), S, T0)) == {}


# ------------------------------------------------------------------ the panel


NAME = "nba-phase3-analytics-processors"


def service(name: str, commit: str, behind: int, days: float, status: str) -> DriftService:
    return DriftService(
        service=name,
        kind="run",
        region="us-west2",
        commit=commit,
        deployed_at=None,
        commits_behind=behind,
        days_behind=days,
        traffic_latest=True,
        flags={},
        status=status,
    )


RESULT = CheckResult(
    id="deployment_drift",
    title="Deployment drift",
    status=Status.FAIL,
    summary="",
    value=DriftValue(
        head="06934c94",
        head_time="2026-02-05T04:00:00+00:00",
        services=[service("nba-scrapers", "2de48c04", 49, 13.4, "fail"), service(NAME, "06934c94", 0, 0.0, "ok")],
        not_in_history=[],
        no_commit=[],
    ),
)


def lines(width: int) -> list[str]:
    with open("/dev/null", "w") as sink:
        console = Console(width=width, record=True, file=sink)
        console.print(render_result(RESULT, S.tz)[1])
        return console.export_text().splitlines()


def test_the_whole_name_when_there_is_room():
    for width in (62, 120, 250):  # 62: a panel of the 3x2 grid at 200 columns
        assert any(NAME in line and "06934c94 0 commits / 0 d" in line for line in lines(width)), width


def test_a_narrow_panel_crops_the_name_never_the_lag():
    narrow = lines(40)
    assert not any(NAME in line for line in narrow if "commits" in line)
    assert any("…" in line and "06934c94 0 commits / 0 d" in line for line in narrow)
    assert all(len(line) <= 40 for line in narrow)
    assert any("2de48c04 49 commits / 13.4 d" in line for line in narrow)


def test_no_commit_history_draws_a_dash_not_a_crash():
    nothing = deployment_drift(DeployState(), S, T0)
    assert render_result(nothing, S.tz)[0] == "-" and headline(nothing) == "-"
    assert headline(RESULT) == "49c"
