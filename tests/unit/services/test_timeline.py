"""The morning timeline: its windows on the Eastern clock, the success criteria and the expected
metrics read from the checks of the demo mornings."""

from __future__ import annotations

from datetime import UTC, date, datetime

from console.core.models import Status
from console.services.runner import CheckContext, run_all
from console.services.timeline import WINDOWS, criteria, current_window, expected_metrics


def test_current_window_follows_the_eastern_clock(demo_settings):
    processing = date(2026, 2, 5)

    def at(h, m=0):
        return datetime(2026, 2, 5, h, m, tzinfo=demo_settings.tz)

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
        grading = results["grading_coverage"].value.coverage_pct
        today = next(d for d in results["dnp_pollution"].value.by_date if d.cache_date == game_date.isoformat())
        assert got == {
            "grading": grading >= demo_settings.thresholds.grading_trigger_pct,
            "sequential": results["sequential_execution"].status is Status.OK,
            "coverage": grading >= demo_settings.thresholds.coverage_monitor_pct,
            "DNP": today.dnp_rows == 0,
        }
        metrics = {m.name: m for m in expected_metrics(results, demo_settings, game_date)}
        assert metrics["Games processed"].actual == str(results["usage_rate_coverage"].value.games)
        assert metrics["Predictions graded"].expected.startswith(f"~{demo_settings.thresholds.expected_predictions}")


def test_before_grading_is_due_the_criteria_are_open(demo_backend, demo_settings):
    at = datetime(2026, 2, 5, 7, 30, tzinfo=demo_settings.tz)
    report = run_all(demo_backend, CheckContext(demo_settings, date(2026, 2, 4), at))
    got = criteria({c.id: c for c in report.checks}, demo_settings, date(2026, 2, 4))
    assert [c.met for c in got[:3]] == [None, None, None]
    metrics = {m.name: m for m in expected_metrics({c.id: c for c in report.checks}, demo_settings, date(2026, 2, 4))}
    assert metrics["Games processed"].met is None  # 07:30: none processed yet is pending, not a miss
