"""The hooks beside each judge, as panels/dispatch.py gathers them for their consumers: the
timeline's criteria and metrics in the handoff checklist's order, a notification's rows, the
history plots with their threshold lines from the settings, what a check without SQL reads,
the live feeds and the drill-down titles."""

from __future__ import annotations

from datetime import UTC, date, datetime

from console.core.models import CheckResult, Status
from console.services.runner import CheckContext, run_all
from panels import dispatch
from panels.registry import PANELS
from panels.spec import DocumentFeed, LogFeed

END = datetime(2026, 2, 5, 16, tzinfo=UTC)


def _results(backend, settings, day):
    return {c.id: c for c in run_all(backend, CheckContext(settings, day, END)).checks}


def test_criteria_and_metrics_keep_the_handoff_order(demo_backend, demo_settings):
    results = _results(demo_backend, demo_settings, date(2026, 2, 4))
    labels = [c.label.split(" ")[0] for c in dispatch.criteria(results, demo_settings, date(2026, 2, 4))]
    assert labels == ["grading", "sequential", "coverage", "DNP"]
    names = [m.name for m in dispatch.metrics(results, demo_settings, date(2026, 2, 4))]
    assert names == [
        "Games processed",
        "Predictions graded",
        "Grading coverage",
        "Coverage monitor",
        "Sequential execution",
        "Validation blocking",
    ]


def test_with_no_results_every_line_is_open(demo_settings):
    assert [c.met for c in dispatch.criteria({}, demo_settings, date(2026, 2, 4))] == [None] * 4
    metrics = dispatch.metrics({}, demo_settings, date(2026, 2, 4))
    assert [m.met for m in metrics] == [None] * 6 and metrics[0].actual == "-"


def test_notify_rows_of_the_bad_morning(demo_backend, demo_settings):
    results = _results(demo_backend, demo_settings, date(2026, 2, 3))
    rows = {check_id: dispatch.notify_rows(r, demo_settings.tz, 3) for check_id, r in results.items()}
    assert all(len(r) <= 3 for r in rows.values())
    usage = next(p for p in PANELS if p.short_title == "usage")
    assert any("impossible values" in line or "no usage rate" in line for line in rows[usage.id]), rows[usage.id]
    error = CheckResult(id=usage.id, title=usage.title, status=Status.ERROR, summary="down", error="down")
    assert dispatch.notify_rows(error, demo_settings.tz, 3) == []


def test_plots_and_their_lines_come_from_the_settings(demo_backend, demo_settings):
    plots = dispatch.plots()
    assert [p.title for _, p in plots] == [
        "grading coverage %",
        "DNP rows in the game date's cache %",
        "usage-rate coverage %",
        "commits behind (worst service)",
    ]
    t = demo_settings.thresholds
    lines = [p.lines(demo_settings) for _, p in plots]
    assert lines[0] == {"trigger": t.grading_trigger_pct, "monitor": t.coverage_monitor_pct}
    assert lines[2] == {"target": t.usage_rate_target_pct} and lines[3] == {}
    results = _results(demo_backend, demo_settings, date(2026, 2, 4))
    check_id, grading = plots[0]
    number = dispatch.plot_number(grading, check_id, results[check_id])
    assert number == results[check_id].value.coverage_pct
    assert dispatch.plot_number(grading, check_id, None) is None


def test_every_check_titles_its_drill_down_and_a_check_without_sql_says_what_it_reads(demo_settings):
    ctx = CheckContext(demo_settings, date(2026, 2, 4), END)
    for panel in PANELS:
        title, empty = dispatch.rows_title(panel.id)
        assert title and empty and title != "rows"
        read = dispatch.reads(panel.id, ctx)
        assert (read is None) == bool(panel.queries), panel.id
    assert dispatch.rows_title("no_such_check") == ("rows", "no rows")


def test_one_log_feed_and_one_document_feed(demo_settings):
    kinds = sorted(type(feed).__name__ for _, feed in dispatch.live_feeds())
    assert kinds == ["DocumentFeed", "LogFeed"]
    spec, feed = dispatch.log_feed()
    assert isinstance(feed, LogFeed) and feed.service(demo_settings) == demo_settings.services.analytics
    result = feed.judge(
        Status.OK,
        "in order",
        spec.value_model.model_validate(
            {"mode": "none", "levels": [], "processors": [], "violations": [], "dependency_failures": [], "events": 0}
        ),
    )
    assert result.id == spec.id and spec.value_of(result) is not None
    doc = next(f for _, f in dispatch.live_feeds() if isinstance(f, DocumentFeed))
    assert doc.document(CheckContext(demo_settings, date(2026, 2, 4), END)) == "2026-02-05"


def test_a_hook_that_cannot_read_its_value_leaves_its_lines_out(monkeypatch, demo_settings):
    """The drawing guard, for the timeline's hooks: the other checks' lines stay."""
    from dataclasses import replace

    def unreadable(*args):
        raise TypeError("expected a GradingValue")

    broken = tuple(replace(p, criteria=unreadable) if p.short_title == "grading" else p for p in PANELS)
    monkeypatch.setattr(dispatch, "PANELS", broken)
    labels = [c.label.split(" ")[0] for c in dispatch.criteria({}, demo_settings, date(2026, 2, 4))]
    assert labels == ["sequential", "DNP"]
    names = [m.name for m in dispatch.metrics({}, demo_settings, date(2026, 2, 4))]
    assert names == ["Games processed", "Sequential execution", "Validation blocking"]
