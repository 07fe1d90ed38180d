"""The live trace on the demo's Feb 3 race and Feb 4 good run, fed line by line."""

from __future__ import annotations

from datetime import UTC, date

from console.core.config import Settings
from console.core.models import Status
from console.local.demo import log_entries
from console.logs.live_trace import LiveTrace
from console.logs.parse import entry_from_dict


def entries():
    return [entry_from_dict(r) for r in log_entries()]


def feed_one_by_one(trace, items):
    alerts, results = [], []
    for e in items:
        update = trace.feed([e])
        alerts += update.alerts
        if update.verdict:
            results.append(update.verdict)
    return alerts, results


def test_feb3_race_alerts_when_the_player_processor_starts():
    race = [e for e in entries() if e.timestamp.date() == date(2026, 2, 4)]  # processing morning of Feb 3 games
    alerts, results = feed_one_by_one(LiveTrace(Settings()), race)
    first = alerts[0]
    assert first.kind == "violation" and "PlayerGameSummaryProcessor" in first.message
    assert first.detail["at"].hour == 10 and first.detail["at"].minute == 10  # the very first line
    assert results[-1].status is Status.FAIL
    assert "92 min before TeamOffenseGameSummaryProcessor" in results[-1].summary


def test_feb4_good_run_is_ok_without_alerts_and_progresses():
    good = [e for e in entries() if e.timestamp.date() == date(2026, 2, 5)]
    alerts, results = feed_one_by_one(LiveTrace(Settings()), good)
    assert alerts == []
    assert next(r.summary for r in results) == "in progress: Level 1 not complete yet"
    assert results[-1].status is Status.OK
    # The stream ends where the morning check over the same lines ends: the same verdict and
    # JSON (the live value is the trace's own, without the check's deadline keys).
    from panels.sequential import SPEC, sequential_execution

    checked = sequential_execution(good, Settings())
    last = SPEC.live.judge(results[-1].status, results[-1].summary, results[-1].value)
    assert (last.id, last.status, last.summary, last.value_json()) == (
        checked.id,
        checked.status,
        checked.summary,
        checked.value_json(),
    )


def test_a_new_morning_starts_a_new_trace_and_old_alerts_are_history():
    trace = LiveTrace(Settings())
    update = trace.feed(entries())  # the whole file in one batch
    assert update.day == date(2026, 2, 5)
    assert update.alerts == []
    assert update.verdict.status is Status.OK


def test_dependency_failure_alerts_at_once():
    from datetime import datetime

    e = entry_from_dict(
        {
            "timestamp": datetime(2026, 2, 5, 12, 30, tzinfo=UTC).isoformat(),
            "severity": "ERROR",
            "resource": {"labels": {"service_name": "nba-phase3-analytics-processors"}},
            "textPayload": "DependencyFailureError: TeamOffenseGameSummaryProcessor failed; skipping Level 2",
        }
    )
    update = LiveTrace(Settings()).feed([e])
    assert [a.kind for a in update.alerts] == ["dependency_failure"]
    assert update.verdict.status is Status.FAIL


def test_fixed_day_ignores_other_mornings():
    trace = LiveTrace(Settings(), day=date(2026, 2, 5))
    update = trace.feed([e for e in entries() if e.timestamp.date() == date(2026, 2, 4)])
    assert update.verdict is None and update.alerts == []
