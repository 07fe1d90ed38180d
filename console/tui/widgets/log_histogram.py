"""The log screen's volume strip: entries per time bucket, one column per bucket, coloured by
the worst severity in it (red: ERROR or above, yellow: WARNING), over what the list shows (the
filter applies). The bucket width follows the span (console/logs/histogram.py). `i` focuses
it: left/right pick a bucket, enter jumps the list there; a click on a column jumps at once.
The bucket of the list's cursor is underlined.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from console.core.timefmt import for_people
from console.logs.histogram import Histogram, TimeCounts, width_text

BARS = " ▁▂▃▄▅▆▇█"
LEVEL_STYLES = ("green", "yellow", "bold red")  # below WARNING, WARNING, ERROR and above


class LogHistogram(Widget, can_focus=True):
    HELP_SECTION = (92, "Logs: the volume strip")  # where `?` lists its keys
    DEFAULT_CSS = """
    LogHistogram { height: 2; padding: 0 1; }
    LogHistogram:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("left", "select(-1)", "Earlier", show=False, id="histogram_prev"),
        Binding("right", "select(1)", "Later", show=False, id="histogram_next"),
        Binding("enter", "jump", "Jump there", id="histogram_jump"),
    ]

    class Jump(Message):
        """Move the list to the first row in [start, until) (seconds since the epoch)."""

        def __init__(self, start: float, until: float) -> None:
            super().__init__()
            self.start, self.until = start, until

    def __init__(self, tz, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tz = tz
        self.histogram: Histogram | None = None
        self.selected: int | None = None
        self.cursor_bucket: int | None = None
        self._key: tuple = ()

    # ------------------------------------------------------------------ data

    def update_counts(self, counts: TimeCounts, cursor_ts: float | None = None) -> None:
        """Rebucket when what is counted, or the width, changed (cheap otherwise)."""
        columns = max(1, self.content_region.width)
        key = (id(counts), counts.total, len(counts.seconds), columns)
        if key != self._key:
            self._key = key
            self.histogram = counts.buckets(columns)
            if self.histogram is None or (self.selected is not None and self.selected >= len(self.histogram.counts)):
                self.selected = None
        self.show_cursor(cursor_ts, refresh=False)
        self.refresh()

    def show_cursor(self, ts: float | None, refresh: bool = True) -> None:
        bucket = self.histogram.bucket_of(ts) if self.histogram is not None and ts is not None else None
        if bucket != self.cursor_bucket:
            self.cursor_bucket = bucket
            if refresh:
                self.refresh()

    # ------------------------------------------------------------------ drawing

    def render(self) -> Text:
        h = self.histogram
        width = max(1, self.content_region.width)
        if h is None:
            return Text("no entries to chart yet\n", style="dim")
        peak = max(1, h.peak)
        bars = Text()
        for i, counts in enumerate(h.counts):
            total = sum(counts)
            level = 2 if counts[2] else 1 if counts[1] else 0
            glyph = BARS[max(1, round(total / peak * 8))] if total else " "
            style = Style.parse(LEVEL_STYLES[level])
            if i == self.selected:
                style += Style(reverse=True)
            elif i == self.cursor_bucket:
                style += Style(underline=True)
            bars.append(glyph if glyph != " " or i != self.selected else "·", style)
        return bars + Text("\n") + self._axis(h, width)

    def _axis(self, h: Histogram, width: int) -> Text:
        precision = "clock_seconds" if h.width * len(h.counts) <= 86400 else "minutes"
        left = self._when(h.bucket_start(0), precision)
        right = self._when(h.bucket_start(len(h.counts)), precision)
        if self.selected is not None:
            below, warn, error = h.counts[self.selected]
            start = h.bucket_start(self.selected)
            middle = (
                f"{self._when(start, precision)} +{width_text(h.width)}: {below + warn + error:,} entries, "
                f"{error:,} ERROR+, {warn:,} WARNING · enter jumps"
            )
            return Text(middle[:width], style="bold")
        errors = sum(c[2] for c in h.counts)
        middle = f" {width_text(h.width)}/bar · peak {h.peak:,} · {errors:,} ERROR+ "
        gap = width - len(left) - len(right) - len(middle)
        if gap < 0:
            return Text(f"{left} {middle.strip()}"[:width], style="dim")
        return Text(left + " " * (gap // 2) + middle + " " * (gap - gap // 2) + right, style="dim")

    def _when(self, second: int, precision) -> str:
        # A bucket edge can fall outside what datetime can show (an entry stamped year 1 in
        # +14:00 puts the first bucket before year 1): the axis says so instead of crashing.
        try:
            return for_people(datetime.fromtimestamp(second, UTC), self.tz, precision)
        except (ValueError, OverflowError, OSError):
            return "out of range"

    # ------------------------------------------------------------------ keys and mouse

    def action_select(self, step: int) -> None:
        if self.histogram is None:
            return
        last = len(self.histogram.counts) - 1
        start = self.cursor_bucket if self.cursor_bucket is not None else (0 if step > 0 else last)
        current = self.selected if self.selected is not None else start - step
        self.selected = max(0, min(last, current + step))
        self.refresh()

    def action_jump(self) -> None:
        if self.histogram is not None and self.selected is not None:
            start = self.histogram.bucket_start(self.selected)
            self.post_message(self.Jump(start, start + self.histogram.width))

    def on_click(self, event: events.Click) -> None:
        if self.histogram is None:
            return
        column = event.x - self.content_region.x + self.region.x
        if 0 <= column < len(self.histogram.counts):
            self.selected = column
            self.refresh()
            self.action_jump()

    def on_blur(self) -> None:
        self.selected = None
        self.refresh()
