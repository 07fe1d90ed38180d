"""PanelState (last good value, stale, backoff) and the age text, without Textual."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console.core.models import CheckResult, Status
from console.services.refresh import PanelState, age_text

T0 = datetime(2026, 2, 5, 13, 0, tzinfo=UTC)


def _result(status: Status, **kw) -> CheckResult:
    return CheckResult(id="grading_coverage", title="Grading coverage", status=status, summary=str(status), **kw)


def test_an_error_keeps_the_last_good_result_and_marks_it_stale():
    state = PanelState("grading_coverage", "Grading coverage")
    assert state.display_status == "loading"
    good = _result(Status.OK)
    state.apply(good, T0)
    state.apply(_result(Status.ERROR, error="boom"), T0 + timedelta(seconds=30))
    assert (state.display_status, state.result, state.error) == ("stale", good, "boom")
    assert state.age_seconds(T0 + timedelta(seconds=75)) == 75
    state.apply(good, T0 + timedelta(seconds=90))
    assert (state.display_status, state.error, state.failures) == ("ok", None, 0)


def test_an_error_without_a_good_value_is_an_error():
    state = PanelState("grading_coverage", "Grading coverage")
    state.apply(_result(Status.ERROR, error="boom"), T0)
    assert state.display_status == "error"


def test_backoff_doubles_and_is_capped():
    state = PanelState("x", "x")
    assert state.next_delay(60, 5, 100) == 60
    delays = []
    for _ in range(7):
        state.apply(_result(Status.ERROR, error="e"), T0)
        delays.append(state.next_delay(60, 5, 100))
    assert delays == [5, 10, 20, 40, 80, 100, 100]


def test_age_text():
    assert [age_text(s) for s in (None, 0, 59, 61, 3700, 108000, 200000)] == [
        "never",
        "0s ago",
        "59s ago",
        "1m 01s ago",
        "1h 01m ago",
        "1d 6h ago",  # was "30h 00m ago": one formatter, days from 24 h (issue 25)
        "2d 7h ago",  # was "2d ago"
    ]
