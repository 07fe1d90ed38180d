"""The history screen's cells and plotted series (panels/history.py), from real check results."""

from __future__ import annotations

from datetime import date

from console.core.models import CheckResult, Status
from console.core.runner import CheckContext, run_all
from panels.history import cell, headline, series
from tests.conftest import DEMO_END


def test_cells_read_without_colour(demo_backend, demo_settings):
    report = run_all(demo_backend, CheckContext(demo_settings, date(2026, 2, 3), DEMO_END))
    texts = {c.id: cell(c).plain for c in report.checks}
    assert texts == {
        "phase3_completion": "ok 5/5", "sequential_execution": "FAIL 2 viol", "grading_coverage": "ok 100.0",
        "dnp_pollution": "FAIL 22.1", "usage_rate_coverage": "FAIL 87.1", "deployment_drift": "FAIL 49c",
    }
    assert cell(None).plain == "…"
    error = CheckResult(id="grading_coverage", title="Grading coverage", status=Status.ERROR, summary="x", error="x")
    assert cell(error).plain == "ERR" and headline(error) == ""


def test_series_carry_the_thresholds_and_skip_what_cannot_be_judged(demo_backend, demo_settings):
    days = []
    for d in (date(2026, 1, 1), date(2026, 2, 3), date(2026, 2, 4)):
        report = run_all(demo_backend, CheckContext(demo_settings, d, DEMO_END))
        days.append({c.id: c for c in report.checks})
    days.append({})  # a date still loading
    grading, dnp, usage, drift = series(days)
    assert grading.lines == {"trigger": 80.0, "monitor": 70.0} and usage.lines == {"target": 90.0}
    assert dnp.lines == {"max": 0.0}
    assert grading.values == [None, 100.0, 97.9, None] and grading.points == [(1, 100.0), (2, 97.9)]
    assert usage.values[1] == 87.1 and dnp.values[1] == 22.1  # Feb 3's own rows: 73/330
    assert drift.values == [49.0, 49.0, 49.0, None]
