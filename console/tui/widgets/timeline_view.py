"""The morning timeline and the expected-metrics table, drawn from console.services.timeline rows."""

from __future__ import annotations

from datetime import date, datetime

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from console.core.config import Settings
from console.core.models import CheckResult
from console.services.timeline import WINDOWS, criteria, current_window, expected_metrics, window_note
from console.tui.prerendered import Prerendered


def _tick(met: bool | None) -> Text:
    if met is None:
        return Text("[ ]", style="dim")
    return Text("[✓]", style="bold green") if met else Text("[✗]", style="bold red")


class _AutoHeight(Static):
    """A box of `height: auto` whose new content asks for a layout pass (which measures and
    repaints the whole screen) only when its height changes; otherwise only it is repainted."""

    _laid_out: tuple[int, int] | None = None  # (content width, content height) of the last draw
    # The content's height when known without rendering it (see MetricsView); layout asks for
    # it on every pass, and measuring meant rendering the whole table each time.
    _known_height: int | None = None

    def update(self, content="", *, layout: bool = True) -> None:
        # Anything else (an error line) is measured and laid out as usual.
        self._known_height = self._laid_out = None
        super().update(content, layout=layout)

    def get_content_height(self, container, viewport, width: int) -> int:
        if self._known_height is not None and width > 0:
            return self._known_height
        return super().get_content_height(container, viewport, width)

    def _update_sized(self, content, known_height: int | None = None) -> None:
        before = self._laid_out
        self.update(Prerendered(content), layout=False)  # measured and painted from one rendering
        self._known_height = known_height
        width = self.content_size.width
        if width <= 0:  # not laid out yet
            self.refresh(layout=True)
            return
        if before is None:  # drawn before its first layout: that layout measured what it shows now
            before = (width, self.content_size.height)
        size = self.app.size  # Textual's own measure (cached for a layout pass that follows)
        laid_out = (width, self.get_content_height(size, size, width))
        if laid_out != before:
            self.refresh(layout=True)
        self._laid_out = laid_out


class TimelineView(_AutoHeight):
    _drawn: tuple | None = None

    def show(self, results: dict[str, CheckResult], settings: Settings, game_date: date, as_of: datetime) -> None:
        # Time enters only through the current window and the "now HH:MM" note: redrawn when
        # a result or the minute changes, not on every 1 s tick.
        key = (tuple(results.items()), game_date, as_of.replace(second=0, microsecond=0))
        if key == self._drawn:
            return
        self._drawn = key
        processing = game_date + settings.processing_offset
        now = current_window(as_of, processing, settings)
        table = Table.grid(padding=(0, 1))
        table.add_column(width=13)
        table.add_column()
        for i, window in enumerate(WINDOWS):
            style = "bold reverse" if i == now else "" if now is None or i > now else "dim"
            # One line per window (cropped with … when narrow): the criteria below must stay in the box.
            table.add_row(
                Text(("▶ " if i == now else "  ") + window.label, style=style),
                Text(window.tasks, style=style, no_wrap=True, overflow="ellipsis"),
            )
        table.add_row("", Text(window_note(as_of, processing, settings), style="italic dim"))
        for c in criteria(results, settings, game_date):
            table.add_row(_tick(c.met), Text.assemble((c.label, "bold"), ("  " + c.detail, "dim")))
        self._update_sized(table)


class MetricsView(_AutoHeight):
    _drawn: tuple | None = None

    def show(self, results: dict[str, CheckResult], settings: Settings, game_date: date) -> None:
        key = (tuple(results.items()), game_date)
        if key == self._drawn:  # nothing it shows depends on the time
            return
        self._drawn = key
        table = Table(expand=True, show_edge=False, box=None, header_style="bold underline", pad_edge=False)
        metrics = expected_metrics(results, settings, game_date)
        # The tick and the label keep their width (a narrow table crops the values with …,
        # never the label to "process…"); the drill-downs and the timeline have the long texts.
        table.add_column("", width=3, no_wrap=True)
        table.add_column("metric", no_wrap=True, min_width=max((len(m.name) for m in metrics), default=6))
        table.add_column("expected", no_wrap=True, overflow="ellipsis", ratio=1)
        table.add_column("actual", no_wrap=True, overflow="ellipsis", ratio=1)
        for m in metrics:
            table.add_row(_tick(m.met), m.name, m.expected, Text(m.actual, style="red" if m.met is False else ""))
        # A header and one line per metric (every column no_wrap), whatever the width.
        newline = any("\n" in m.name + m.expected + m.actual for m in metrics)
        self._update_sized(table, None if newline else 1 + len(metrics))
