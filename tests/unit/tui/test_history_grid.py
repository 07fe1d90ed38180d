"""The history screen's cells and plotted series (console/tui/history_grid.py), from real check results."""

from __future__ import annotations

from datetime import UTC, date

from console.core.models import CheckResult, Status
from console.services.runner import CheckContext, run_all
from console.tui.history_grid import cell, headline, series
from tests.conftest import DEMO_END


def test_cells_read_without_colour(demo_backend, demo_settings):
    """A glyph and a word in every cell (issue 28): told apart with no colour at all."""
    report = run_all(demo_backend, CheckContext(demo_settings, date(2026, 2, 3), DEMO_END))
    texts = {c.id: cell(c).plain for c in report.checks}
    assert texts == {
        "phase3_completion": "✓ ok 5/5",
        "sequential_execution": "✗ FAIL 2 viol",
        "grading_coverage": "✓ ok 100.0",
        "dnp_pollution": "✗ FAIL 22.1",
        "usage_rate_coverage": "✗ FAIL 87.1",
        "deployment_drift": "✗ FAIL 49c",
    }
    assert cell(None).plain == "…"
    error = CheckResult(id="grading_coverage", title="Grading coverage", status=Status.ERROR, summary="x", error="x")
    assert cell(error).plain == "⚠ ERR" and headline(error) == ""


def test_series_carry_the_thresholds_and_skip_what_cannot_be_judged(demo_backend, demo_settings):
    days = []
    for d in (date(2026, 1, 1), date(2026, 2, 3), date(2026, 2, 4)):
        report = run_all(demo_backend, CheckContext(demo_settings, d, DEMO_END))
        days.append({c.id: c for c in report.checks})
    days.append({})  # a date still loading
    grading, dnp, usage, drift = series(days, demo_settings)
    assert grading.lines == {"trigger": 80.0, "monitor": 70.0} and usage.lines == {"target": 90.0}
    assert dnp.lines == {"max": 0.0}
    assert grading.values == [None, 100.0, 97.9, None] and grading.points == [(1, 100.0), (2, 97.9)]
    assert usage.values[1] == 87.1 and dnp.values[1] == 22.1  # Feb 3's own rows: 73/330
    assert drift.values == [49.0, 49.0, 49.0, None]


def test_a_date_without_games_reads_no_games_in_the_grid_and_the_panel(demo_backend, demo_settings):
    """Feb 6 has no games in the demo: past the deadlines Phase 3, the sequence and grading are
    `ok` for want of anything to run, and read `no games`, never `0/5` or `L1>L2`."""
    from datetime import datetime

    from panels.dispatch import render_result

    report = run_all(demo_backend, CheckContext(demo_settings, date(2026, 2, 6), datetime(2026, 2, 7, 19, tzinfo=UTC)))
    checks = {c.id: c for c in report.checks}
    for check_id in ("phase3_completion", "sequential_execution", "grading_coverage"):
        assert cell(checks[check_id]).plain == "no games", check_id
        assert render_result(checks[check_id], demo_settings.tz)[0] == "no games", check_id
    assert report.to_json_dict()["no_games"] is True
    days = [{c.id: c for c in report.checks}]
    assert next(s.values for s in series(days, demo_settings)) == [None]  # nothing plotted for grading
