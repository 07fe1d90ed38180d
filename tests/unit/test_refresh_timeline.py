"""PanelState (last good value, stale, backoff) and the morning timeline, without Textual."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from console.core.models import CheckResult, Status
from console.services.refresh import PanelState, format_age
from console.services.runner import CheckContext, run_all
from console.services.timeline import WINDOWS, criteria, current_window, expected_metrics

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


def test_format_age():
    assert [format_age(s) for s in (None, 0, 59, 61, 3700, 200000)] == [
        "never",
        "0s ago",
        "59s ago",
        "1m 01s ago",
        "1h 01m ago",
        "2d ago",
    ]


def test_current_window_follows_the_eastern_clock(demo_settings):
    processing = date(2026, 2, 5)
    at = lambda h, m=0: datetime(2026, 2, 5, h, m, tzinfo=demo_settings.tz)  # noqa: E731
    assert [current_window(at(h, 30), processing, demo_settings) for h in (5, 6, 7, 8, 9, 10, 11)] == [
        None,
        0,
        1,
        2,
        3,
        3,
        None,
    ]
    assert len(WINDOWS) == 4


def test_criteria_on_the_demo_mornings(demo_backend, demo_settings):
    end = datetime(2026, 2, 5, 16, tzinfo=UTC)
    for game_date in (date(2026, 2, 4), date(2026, 2, 3)):
        report = run_all(demo_backend, CheckContext(demo_settings, game_date, end))
        results = {c.id: c for c in report.checks}
        got = {c.label.split(" ")[0]: c.met for c in criteria(results, demo_settings, game_date)}
        grading = results["grading_coverage"].value["coverage_pct"]
        today = next(d for d in results["dnp_pollution"].value["by_date"] if d["cache_date"] == game_date.isoformat())
        assert got == {
            "grading": grading >= demo_settings.thresholds.grading_trigger_pct,
            "sequential": results["sequential_execution"].status is Status.OK,
            "coverage": grading >= demo_settings.thresholds.coverage_monitor_pct,
            "DNP": today["dnp_rows"] == 0,
        }
        metrics = {m.name: m for m in expected_metrics(results, demo_settings, game_date)}
        assert metrics["Games processed"].actual == str(results["usage_rate_coverage"].value["games"])
        assert metrics["Predictions graded"].expected.startswith(f"~{demo_settings.thresholds.expected_predictions}")


def test_before_grading_is_due_the_criteria_are_open(demo_backend, demo_settings):
    at = datetime(2026, 2, 5, 7, 30, tzinfo=demo_settings.tz)
    report = run_all(demo_backend, CheckContext(demo_settings, date(2026, 2, 4), at))
    got = criteria({c.id: c for c in report.checks}, demo_settings, date(2026, 2, 4))
    assert [c.met for c in got[:3]] == [None, None, None]
    metrics = {m.name: m for m in expected_metrics({c.id: c for c in report.checks}, demo_settings, date(2026, 2, 4))}
    assert metrics["Games processed"].met is None  # 07:30: none processed yet is pending, not a miss
