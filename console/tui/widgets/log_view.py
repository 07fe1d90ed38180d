"""The log list: a line-API ScrollView over a LogBuffer, so drawing costs the visible rows,
not the 100,000 held. Each entry's line is built once and reused while it stays visible;
moving off the last line stops following, as `less +F` does."""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.timer import Timer

from console.adapters.textual_private import update_scrollbars
from console.core.log_entry import LogEntry
from console.logs.buffer import LogBuffer

SEVERITY_STYLES = {
    "DEFAULT": "",
    "DEBUG": "dim",
    "INFO": "green",
    "NOTICE": "cyan",
    "WARNING": "yellow",
    "ERROR": "bold red",
    "CRITICAL": "bold white on red",
    "ALERT": "bold white on red",
    "EMERGENCY": "bold white on red",
}

BAR_REPAINT_SECONDS = 0.25  # the scrollbar's repaint while rows arrive under a scrolled-back list


@lru_cache(maxsize=64)
def _style(spec: str) -> Style:
    return Style.parse(spec) if spec else Style()


def line_style(entry: LogEntry) -> str:
    """Why highlight: the handoff's whole morning hinges on these lines."""
    text = entry.text
    if "DependencyFailureError" in text:
        return "bold white on red"
    if "Level " in text and ("📋" in text or "complete (" in text):
        return "bold magenta"
    return ""


class LogView(ScrollView, can_focus=True):
    """Virtual list over `LogBuffer.shown`; a cursor row; follow keeps it at the end."""

    HELP_SECTION = (90, "Logs: the list of entries")  # where `?` lists its keys

    # overflow-x hidden: lines are cut at the list's width, so there is nothing to scroll
    # sideways; with `auto` the vertical bar's two columns made a horizontal bar appear
    # (and a corner), both repainted on every batch.
    DEFAULT_CSS = """
    LogView { height: 1fr; overflow-x: hidden; }
    LogView > .logview--cursor { background: $accent 40%; }
    """
    COMPONENT_CLASSES = {"logview--cursor"}
    BINDINGS = [
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "edge(0)", show=False),
        Binding("end", "edge(1)", show=False),
        Binding("enter", "open", "Entry", id="logs_open_entry"),
    ]
    cursor = reactive(0, repaint=False)

    class Opened(Message):
        def __init__(self, entry: LogEntry):
            super().__init__()
            self.entry = entry

    def __init__(self, buffer: LogBuffer, tz, service_width: int = 24, **kwargs):
        """`service_width`: the service column's width (the longest service the config knows,
        so `nba-phase3-analytics-processors` is never cut; a longer unknown one is)."""
        super().__init__(**kwargs)
        self.buffer = buffer
        self.tz = tz
        self.service_width = service_width
        self.follow = True
        # Following, every batch shifts the visible lines: each entry's line is built once
        # and reused at its new row (id -> (entry, strip); the entry kept, so an id is never
        # reused while cached). Bounded; only the new entries are rendered per batch.
        self._strips: dict[int, tuple[LogEntry, Strip]] = {}
        # What the last sync showed (scroll, cursor, width, the visible entries themselves,
        # kept so that identity holds): an arrival that changes none of it repaints nothing.
        self._painted: tuple = ()
        self._bar_timer: Timer | None = None
        self._frame: tuple[int, int, int, Style | None] | None = None

    def sync(self) -> None:
        """Call after the buffer changed: resize, keep the cursor in range, follow."""
        count = self.buffer.shown_count
        size = Size(self.size.width, count)
        if size != self.virtual_size:
            # Not `self.virtual_size = size`: that reactive asks for a layout of the whole
            # screen on every batch (at 5,000 entries/s the compositor's reflow was half the
            # time). The list's own box does not change: update its scrollbars only (a change
            # of their visibility still lays out, through their own reactives).
            grew = size.width == self.virtual_size.width and size.height > self.virtual_size.height
            self.set_reactive(LogView.virtual_size, size)
            if grew and self.show_vertical_scrollbar and not self.follow:
                # Scrolled back, only the bar's thumb creeps as rows arrive: update its
                # numbers now and repaint it a few times a second, not per batch (45 lines
                # of bar cost as much as the list). A scroll still repaints it at once.
                self.vertical_scrollbar.set_reactive(ScrollBar.window_virtual_size, size.height)
                self._repaint_bar_soon()
            else:
                update_scrollbars(self, size)
        if self.follow and count:
            self.cursor = count - 1
        self.cursor = max(0, min(self.cursor, count - 1))
        self._keep_cursor_visible()
        # Scrolled back or paused, an arrival changes no visible row: repaint only when the
        # rows, the scroll position or the cursor differ from the last sync's. (Scrolls, moves
        # and focus repaint on their own; every buffer change comes through here.)
        shown = self._visible_state()
        if shown != self._painted:
            self._painted = shown
            self.refresh()

    def _repaint_bar_soon(self) -> None:
        if self._bar_timer is None:
            self._bar_timer = self.set_timer(BAR_REPAINT_SECONDS, self._repaint_bar)

    def _repaint_bar(self) -> None:
        self._bar_timer = None
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.refresh()

    def _visible_state(self) -> tuple:
        top = int(self.scroll_offset.y)
        rows = self.buffer.shown_slice(top, top + max(1, self.scrollable_content_region.height))
        return (top, self.cursor, self.size.width, *rows)

    def _keep_cursor_visible(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def render_lines(self, crop):
        # A frame's scroll offset, width and cursor style, read once and not once per line
        # (they are Textual properties, ~40% of a line's own cost in a full repaint).
        self._frame = self._frame_now()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _frame_now(self) -> tuple[int, int, int, Style | None]:
        x, y = self.scroll_offset
        cursor = self.get_component_rich_style("logview--cursor") if self.has_focus else None
        return int(y), int(x), self.scrollable_content_region.width, cursor

    def render_line(self, y: int) -> Strip:
        top, left, width, cursor_style = self._frame or self._frame_now()
        index = top + y
        if index >= self.buffer.shown_count:
            return Strip.blank(width)
        entry = self.buffer.shown(index)
        cached = self._strips.get(id(entry))
        if cached is not None and cached[0] is entry:
            strip = cached[1]
        else:
            try:
                segments = self._segments(entry)
            except Exception as exc:  # noqa: BLE001 - one odd entry shows as such, the screen lives on
                segments = [Segment(f"(entry not shown: {type(exc).__name__}: {exc})", _style("bold red"))]
            strip = Strip(segments)
            if len(self._strips) >= max(256, 4 * self.size.height):
                self._strips.clear()
            self._strips[id(entry)] = (entry, strip)
        if index == self.cursor and cursor_style is not None:
            strip = strip.apply_style(cursor_style)
        return strip.crop_extend(left, left + width, None)

    def _segments(self, entry: LogEntry) -> list[Segment]:
        local = entry.timestamp.astimezone(self.tz)
        text = entry.text.replace("\n", " ⏎ ")
        return [
            Segment(f"{local:%m-%d %H:%M:%S} ", _style("dim")),
            Segment(f"{entry.severity[:8]:<8} ", _style(SEVERITY_STYLES.get(entry.severity, ""))),
            Segment(f"{(entry.service or '-')[: self.service_width]:<{self.service_width}} ", _style("cyan")),
            Segment(text, _style(line_style(entry))),
        ]

    def action_move(self, delta: int) -> None:
        self._goto(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._goto(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, end: int) -> None:
        self._goto(self.buffer.shown_count - 1 if end else 0)

    def go_to(self, index: int) -> None:
        """Put the cursor on shown row `index` (scrolling to it; leaving the end stops following)."""
        self._goto(index)

    def _goto(self, index: int) -> None:
        count = self.buffer.shown_count
        before, top = self.cursor, int(self.scroll_offset.y)
        self.cursor = max(0, min(index, count - 1))
        # Moving off the last line stops following, as `less +F` does.
        self.follow = self.follow and self.cursor >= count - 1
        self._keep_cursor_visible()
        if int(self.scroll_offset.y) == top:
            # The rows stay put: only the cursor's old and new lines change (a scroll
            # repaints the whole list by itself).
            self.refresh_lines(before)
            self.refresh_lines(self.cursor)
        else:
            self.refresh()
        self.post_message(FollowChanged())

    def action_open(self) -> None:
        if self.buffer.shown_count:
            self.post_message(self.Opened(self.buffer.shown(self.cursor)))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


class FollowChanged(Message):
    pass
