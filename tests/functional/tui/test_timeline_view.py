"""The morning timeline and the expected metrics (console/tui/widgets/timeline_view.py,
metrics_view.py, on auto_height.py): boxes
of `height: auto` that answer layout's height question without rendering, and ask for a
layout pass (which measures and repaints the whole screen) only when their height changes."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.widget import Widget

from console.core.clock import DEMO_END
from console.services.runner import CheckContext, run_all
from console.tui.widgets.metrics_view import MetricsView
from console.tui.widgets.timeline_view import TimelineView
from tests.functional.conftest import FEB4, settle


async def test_metrics_height_known_without_measuring_is_the_measured_one(make_app):
    """MetricsView answers layout's height question from its row count (no table render per
    layout pass); that count must be what rendering the table gives, at any width."""
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        metrics = app.screen.query_one(MetricsView)
        for width in (8, 30, 60, 76, 150):
            size = Size(width, 50)
            measured = Widget.get_content_height(metrics, size, size, width)  # rendering the table
            assert metrics.get_content_height(size, size, width) == measured == 7  # the header and six metrics
        metrics.update(Text("cannot show this:\nsomething"))  # anything else is measured as before
        assert metrics.get_content_height(Size(76, 50), Size(76, 50), 76) == 2


class _OneTimeline(App[None]):
    """A timeline whose first content comes before the first layout pass, as on the main screen."""

    def __init__(self, results, settings) -> None:
        super().__init__()
        self.results, self.settings = results, settings

    def compose(self) -> ComposeResult:
        yield TimelineView()

    def on_mount(self) -> None:
        self.query_one(TimelineView).show(self.results, self.settings, FEB4, DEMO_END)


async def test_a_box_drawn_before_its_first_layout_asks_no_second_layout_for_the_same_height(
    demo_backend, demo_settings
):
    results = {c.id: c for c in run_all(demo_backend, CheckContext(demo_settings, FEB4, DEMO_END)).checks}
    app = _OneTimeline(results, demo_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        timeline = app.query_one(TimelineView)
        height = timeline.size.height
        assert height > 0 and "Phase 3" in "\n".join(s.text for s in timeline.render_lines(timeline.region))
        layouts: list[bool] = []
        refresh = timeline.refresh
        timeline.refresh = lambda *a, **k: (layouts.append(k.get("layout", False)), refresh(*a, **k))[1]
        timeline.show(results, demo_settings, FEB4, DEMO_END + timedelta(minutes=1))  # a new minute, same lines
        await pilot.pause()
        assert layouts and True not in layouts  # repainted, not laid out again
        assert timeline.size.height == height
