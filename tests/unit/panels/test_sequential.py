"""Sequential execution: the trace's verdicts on log lines built in the test, and its value
(`SequentialValue`: the trace's, plus the deadline and skipped-entries keys)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from console.core.config import Settings
from console.core.context import CheckContext
from console.core.models import LogEntries, LogEntry, Status
from console.logs.live_trace import LiveTrace
from panels.common import Due
from panels.dispatch import render_result
from panels.sequential import SPEC, SequentialValue, judge_sequential, sequential_execution

S = Settings()
T0 = datetime(2026, 2, 5, 12, 0, tzinfo=UTC)
TRACE_KEYS = ["mode", "levels", "processors", "violations", "dependency_failures", "events"]


def log(minute, text):
    return LogEntry(timestamp=T0 + timedelta(minutes=minute), text=text, service="nba-phase3-analytics-processors")


RACE = [
    log(0, "📋 Level 1: running 3 processors: TeamOffenseGameSummaryProcessor"),
    log(2, "📋 Level 2: running 2 processors: PlayerGameSummaryProcessor"),
    log(9, "✅ Level 1 complete (3/3 succeeded)"),
]


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
    result = sequential_execution(RACE, S)
    assert isinstance(result.value, SequentialValue)
    assert result.status is Status.FAIL and result.value.violations[0].who == "Level 2"


def test_the_json_keys_in_order_and_only_when_they_apply():
    result = sequential_execution(RACE, S)
    value = result.value_json()
    assert list(value) == TRACE_KEYS
    assert list(value["levels"][0]) == ["level", "started_at", "completed_at", "succeeded", "total"]
    assert list(value["violations"][0]) == ["who", "level", "at", "pending_levels"]
    past = Due(at=T0, passed=True, games=True)
    nothing = LogEntries.of([], skipped=3)
    late = judge_sequential(nothing, CheckContext(S, date(2026, 2, 4), T0), lambda: past)
    assert late.status is Status.FAIL
    assert list(late.value_json()) == [*TRACE_KEYS, "deadline", "overdue", "malformed_skipped"]
    assert late.summary == "overdue: no Level lines by 07:00 ET; 3 malformed entries skipped"


def test_the_live_trace_says_what_the_check_says():
    live = LiveTrace(S)
    update = live.feed(RACE)
    checked = sequential_execution(RACE, S)
    assert update.verdict is not None
    live_result = SPEC.live.judge(update.verdict.status, update.verdict.summary, update.verdict.value)
    assert (live_result.id, live_result.status, live_result.summary) == (checked.id, checked.status, checked.summary)
    assert live_result.value_json() == checked.value_json()
    # The panel draws either the same way.
    assert render_result(live_result, S.tz)[0] == render_result(checked, S.tz)[0] == "1 violation(s)"
