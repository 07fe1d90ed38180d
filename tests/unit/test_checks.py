"""Each check's thresholds and edge cases, on rows built in the test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from console.core.config import Settings
from console.core.models import (
    Commit,
    DeployState,
    DnpDayRow,
    DnpPollutedRow,
    GradingSystemRow,
    LogEntry,
    Phase3Document,
    ServiceState,
    Status,
    UsageGameRow,
)
from panels.common import Due, format_game
from panels.dnp import dnp_pollution
from panels.drift import deployment_drift
from panels.grading import grading_coverage
from panels.phase3 import phase3_completion
from panels.sequential import sequential_execution
from panels.usage import usage_rate_coverage

S = Settings()
T0 = datetime(2026, 2, 5, 12, 0, tzinfo=UTC)


def grading(graded, predicted=100):
    return [GradingSystemRow(system_id="a", predicted=predicted, graded=graded, correct=0, players=predicted)]


PAST = Due(at=datetime(2026, 2, 5, 14, 0, tzinfo=UTC), passed=True, games=True)
BEFORE = Due(at=PAST.at, passed=False)


@pytest.mark.parametrize(
    "graded, status",
    [(100, Status.OK), (80, Status.OK), (79, Status.FAIL), (70, Status.FAIL), (69, Status.FAIL), (0, Status.FAIL)],
)
def test_grading_thresholds_past_the_deadline(graded, status):
    result = grading_coverage(grading(graded), S, due=PAST)
    assert result.status is status
    if status is Status.FAIL:  # the summary says which line it is under
        assert ("monitor line" if graded < 70 else "80% trigger") in result.summary


def test_grading_before_deadline_is_not_yet():
    result = grading_coverage(grading(0), S, due=BEFORE)
    assert result.status is Status.UNKNOWN and "not due" in result.summary
    assert grading_coverage(grading(75), S, due=BEFORE).status is Status.UNKNOWN
    assert grading_coverage(grading(90), S, due=BEFORE).status is Status.OK


def test_grading_no_predictions():
    assert grading_coverage([], S, due=BEFORE).status is Status.UNKNOWN


def test_grading_per_system_figures():
    rows = [
        GradingSystemRow(system_id="b", predicted=10, graded=5, correct=3, players=10),
        GradingSystemRow(system_id="a", predicted=10, graded=10, correct=7, players=10),
    ]
    value = grading_coverage(rows, S, due=PAST).value
    assert [s.system_id for s in value.systems] == ["a", "b"]
    assert value.systems[1].coverage_pct == 50.0 and value.coverage_pct == 75.0


def test_phase3_missing_document_is_unknown():
    result = phase3_completion(None, S, date(2026, 2, 5))
    assert result.status is Status.UNKNOWN and "2026-02-05" in result.summary


DONE = {"status": "success", "completed_at": "2026-02-05T12:14:00Z"}


def test_phase3_partial_full_and_failed():
    names = [p.name for p in S.processors]
    partial = Phase3Document.from_fields("d", {n: DONE for n in names[:3]} | {"_triggered": False})
    result = phase3_completion(partial, S, date(2026, 2, 5))
    assert result.status is Status.WARN and result.value.completed == 3
    assert "PlayerGameSummaryProcessor" in result.summary
    full = Phase3Document.from_fields("d", {n: DONE for n in names} | {"_triggered": True})
    assert phase3_completion(full, S, date(2026, 2, 5)).status is Status.OK
    failed = Phase3Document.from_fields(
        "d", {n: {**DONE, "status": "failed" if i == 0 else "success"} for i, n in enumerate(names)}
    )
    assert phase3_completion(failed, S, date(2026, 2, 5)).status is Status.FAIL


def test_phase3_metadata_fields_are_not_processors():
    doc = Phase3Document.from_fields("d", {"_triggered": True, "_triggered_at": "x", "X": True})
    assert doc.malformed == {"X": "true is not a record"} and set(doc.metadata) == {"_triggered", "_triggered_at"}


def day(d, cache, dnp):
    return DnpDayRow(cache_date=d, cache_rows=cache, dnp_rows=dnp)


def test_dnp_zero_is_ok_any_is_fail():
    d = date(2026, 2, 3)
    assert dnp_pollution([day(d, 100, 0)], [], S, d, d).status is Status.OK
    bad = dnp_pollution(
        [day(d, 100, 1)],
        [
            DnpPollutedRow(
                cache_date=d, player_lookup="x", player_name="X Y", points_avg_last_10=None, games_in_window=None
            )
        ],
        S,
        d,
        d,
    )
    assert bad.status is Status.FAIL and bad.value.pollution_pct == 1.0


def test_dnp_no_cache_rows_is_unknown():
    d = date(2026, 2, 3)
    assert dnp_pollution([], [], S, d, d).status is Status.UNKNOWN


def game(gid, active, with_usage, impossible=0, top=None):
    return UsageGameRow(
        game_id=gid, active_players=active, with_usage=with_usage, impossible=impossible, max_usage_rate=top
    )


def test_usage_thresholds_and_failing_game():
    assert usage_rate_coverage([game("20260203_A_B", 10, 9, top=30.0)], S).status is Status.OK
    warn = usage_rate_coverage([game("20260203_A_B", 10, 8, top=30.0)], S)
    assert warn.status is Status.WARN
    whole = usage_rate_coverage([game("20260203_PHX_POR", 20, 0), game("20260203_A_B", 200, 200, top=20.0)], S)
    assert whole.status is Status.WARN and "PHX @ POR (20)" in whole.summary
    impossible = usage_rate_coverage([game("20260203_A_B", 10, 10, impossible=1, top=1228.0)], S)
    assert impossible.status is Status.FAIL and "1228%" in impossible.summary


def test_usage_no_players_is_unknown():
    assert usage_rate_coverage([], S).status is Status.UNKNOWN


def test_format_game():
    assert format_game("20260203_PHX_POR") == "PHX @ POR"
    assert format_game("weird") == "weird"


def drift_state(deployed_days_ago: float, commit_index: int = 1):
    commits = [Commit(sha=f"{i + 1:x}" * 40, time=T0 - timedelta(days=i * deployed_days_ago)) for i in range(3)]
    return DeployState(
        services=[ServiceState(name="svc", kind="run", region="us-west2", commit=commits[commit_index].sha[:8])],
        commits=commits,
    )


@pytest.mark.parametrize("days, status", [(0.5, Status.OK), (3, Status.WARN), (8, Status.FAIL)])
def test_drift_thresholds(days, status):
    result = deployment_drift(drift_state(days), S, T0)
    assert result.status is status
    assert result.value.services[0].commits_behind == 1


def test_drift_without_history_or_unknown_commit():
    assert deployment_drift(DeployState(), S, T0).status is Status.UNKNOWN
    state = drift_state(1)
    state.services[0].commit = "deadbeef"
    result = deployment_drift(state, S, T0)
    # A commit nobody can find is never "ok": warn, named in the summary and counted.
    assert result.status is Status.WARN
    assert "svc runs deadbeef, not in the last 3 commits" in result.summary
    assert result.value.not_in_history == ["svc"]
    assert result.value.services[0].status == "warn"
    assert "within" not in result.summary


def test_drift_service_without_a_commit_is_unknown_not_ok():
    state = drift_state(0.5)
    state.services[0].commit = None
    result = deployment_drift(state, S, T0)
    assert result.status is Status.UNKNOWN and "no deployed commit recorded: svc" in result.summary


def log(minute, text):
    return LogEntry(timestamp=T0 + timedelta(minutes=minute), text=text, service="nba-phase3-analytics-processors")


def test_sequential_no_lines_is_unknown():
    assert sequential_execution([log(0, "unrelated")], S).status is Status.UNKNOWN


def test_sequential_dependency_failure_fails():
    result = sequential_execution(
        [
            log(0, "📋 Level 1: running 1 processors: TeamOffenseGameSummaryProcessor"),
            log(1, "DependencyFailureError: TeamOffenseGameSummaryProcessor failed; blocking Level 2"),
        ],
        S,
    )
    assert result.status is Status.FAIL and "DependencyFailureError" in result.summary


def test_sequential_level_with_failures_fails():
    result = sequential_execution(
        [log(0, "📋 Level 1: running 3 processors: A, B, C"), log(5, "✅ Level 1 complete (2/3 succeeded)")], S
    )
    assert result.status is Status.FAIL and "2/3" in result.summary


def test_sequential_level2_before_level1_complete_fails():
    result = sequential_execution(
        [
            log(0, "📋 Level 1: running 3 processors: TeamOffenseGameSummaryProcessor"),
            log(2, "📋 Level 2: running 2 processors: PlayerGameSummaryProcessor"),
            log(9, "✅ Level 1 complete (3/3 succeeded)"),
        ],
        S,
    )
    assert result.status is Status.FAIL and result.value.violations[0].who == "Level 2"


def test_drift_shows_watched_flags():
    state = drift_state(0.5)
    state.services[0].env = {"SEQUENTIAL_EXECUTION_ENABLED": "false", "OTHER": "x"}
    result = deployment_drift(state, S, T0)
    assert result.value.services[0].flags == {"SEQUENTIAL_EXECUTION_ENABLED": "false"}
    assert "svc SEQUENTIAL_EXECUTION_ENABLED=false" in result.summary
