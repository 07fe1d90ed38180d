"""The main screen: header, the six check panels, the morning timeline and expected metrics.

Below the grid's width (110 columns) the panels are compact: two lines each, all six on one
screen at 80x24, and under them the focused one's whole body (the preview), which follows
the focus as you move (issue 28); enter still opens the drill-down.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from time import monotonic
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Static

from console.core.team import active_ack
from console.services.runner import SPECS
from console.tui.header import header_text
from console.tui.host import ConsoleHost, host_of
from console.tui.screens.team_actions import acknowledge_check, note_on
from console.tui.widgets.check_panel import CheckPanel, data_age, full_content
from console.tui.widgets.console_footer import ConsoleFooter
from console.tui.widgets.metrics_view import MetricsView
from console.tui.widgets.timeline_view import TimelineView

# Below these widths the 3x2 grid becomes 2x3, then the compact list with its preview.
TWO_COLUMNS_BELOW = 160
COMPACT_BELOW = 110
LAYOUTS = ("-compact", "-two-columns", "-three-columns")


def layout_class(width: int) -> str:
    return "-compact" if width < COMPACT_BELOW else "-two-columns" if width < TWO_COLUMNS_BELOW else "-three-columns"


class MainScreen(Screen[None]):
    HELP_SECTION = (10, "Main screen")  # where `?` lists its keys
    # The first panel has the focus from the start. Textual's default ("*") focused the body
    # container first and the panel only after on_mount: the body and its ten descendants
    # restyled twice (focus in, then out) and the whole screen laid out again (issue 13).
    AUTO_FOCUS = "CheckPanel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "change_date(-1)", "Prev day", id="prev_date"),
        Binding("right_square_bracket", "change_date(1)", "Next day", id="next_date"),
        Binding("g", "goto_date", "Go to date", id="goto_date"),
        Binding("t", "default_date", "Default date", id="default_date"),
        Binding("right", "app.focus_next", "Next panel", show=False, id="next_panel"),
        Binding("left", "app.focus_previous", "Prev panel", show=False, id="prev_panel"),
        Binding("a", "acknowledge", "Ack", id="acknowledge"),  # issue 26
        Binding("n", "note", "Note", id="note"),
    ]

    @property
    def host(self) -> ConsoleHost:
        return host_of(self)

    def compose(self) -> ComposeResult:
        tz = self.host.settings.tz
        # The layout class before the widgets mount: set in on_mount, it restyled the whole screen once more.
        self._set_layout(self.app.size.width, update=False)
        yield Static(id="header")
        compact = self.has_class("-compact")
        with VerticalScroll(id="body"):  # scrolls only when compact (below 110 columns)
            with Grid(id="panels"):
                for spec in SPECS:
                    yield CheckPanel(spec.id, spec.title, tz, compact=compact)
            yield Static(id="preview")  # compact only: the focused panel's whole body
            with Horizontal(id="bottom"):
                yield TimelineView(id="timeline")
                yield MetricsView(id="metrics")
        yield ConsoleFooter()

    _ready = False  # set once the widgets exist; Screen.is_mounted is still False inside on_mount

    def on_mount(self) -> None:
        self._ready = True
        zone = self.host.clock.now().astimezone(self.host.settings.tz).strftime("%Z")  # the configured zone, not "ET"
        self.query_one("#timeline").border_title = f"Morning timeline ({zone})"
        self.query_one("#metrics").border_title = "Expected metrics"
        self._set_layout(self.app.size.width)
        self.redraw()

    def on_resize(self, event: events.Resize) -> None:
        self._set_layout(event.size.width)
        self.redraw()

    def _set_layout(self, width: int, update: bool = True) -> None:
        wanted = layout_class(width)
        for name in LAYOUTS:
            self.set_class(name == wanted, name, update=update)
        if self._ready:
            for panel in self.query(CheckPanel):
                panel.set_compact(wanted == "-compact")
            self._previewed = None

    def action_move_panel(self, step: int) -> None:
        """Up and down move between the panels (in the grid, as tab; in the compact list, by row)."""
        panels = list(self.query(CheckPanel))
        focused = self.focused
        at = panels.index(focused) if isinstance(focused, CheckPanel) else -1
        panels[(at + step) % len(panels)].focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, CheckPanel) and self.has_class("-compact"):
            self._show_preview()

    _previewed: tuple[object, ...] | None = None

    def _show_preview(self) -> None:
        """The focused panel's whole body under the compact list, drawn when it changed."""
        if not self.has_class("-compact"):
            return
        focused = self.focused if isinstance(self.focused, CheckPanel) else None
        if focused is None or focused.state is None:
            return
        host, state = self.host, focused.state
        now = host.clock.now()
        status = state.display_status
        key = (
            focused.check_id,
            state.shown,
            state.error,
            status,
            data_age(state.shown, now, host.settings.tz) if state.shown else "",
            focused.ack,
        )
        if key == self._previewed:
            return
        self._previewed = key
        preview = self.query_one("#preview", Static)
        preview.border_title = f"{focused.title} (enter: its rows)"
        preview.update(full_content(state, status, now, host.settings.tz, focused.ack))

    def action_change_date(self, days: int) -> None:
        self.host.change_date(days)

    def action_goto_date(self) -> None:
        self.host.goto_date()

    def action_default_date(self) -> None:
        self.host.show_default_date()

    def _focused_check(self) -> str | None:
        focused = self.app.focused
        return focused.check_id if isinstance(focused, CheckPanel) else None

    def action_acknowledge(self) -> None:
        if (check_id := self._focused_check()) is not None:
            acknowledge_check(self.app, self.host, check_id)

    def action_note(self) -> None:
        note_on(self.app, self.host, self._focused_check())

    def on_check_panel_selected(self, message: CheckPanel.Selected) -> None:
        self.host.open_detail(message.check_id)

    def redraw(self) -> None:
        if not self._ready or not self.is_attached:  # not yet mounted, or being taken down
            return
        try:
            self._redraw()
        except NoMatches:  # a tick during the screen's teardown (app exit, another screen on top): widgets gone
            return

    def _redraw(self) -> None:
        host = self.host
        now = host.clock.now()
        header = self.query_one("#header", Static)
        text = header_text(host, now, header.content_size.width or self.app.size.width - 2)
        if text != getattr(self, "_header_text", None):  # the same text: nothing to draw again
            lines = text.plain.count("\n")
            # The same number of lines as before: no layout pass for the whole screen on each tick.
            header.update(text, layout=lines != getattr(self, "_header_lines", None))
            self._header_lines, self._header_text = lines, text
        states, acks = host.states, host.team.snapshot.acks
        for panel in self.query(CheckPanel):
            ack = active_ack(acks, game_date, panel.check_id, now) if (game_date := host.game_date) else None
            _guarded(panel, partial(panel.show, states[panel.check_id], now, ack))
        _guarded(self.query_one("#preview", Static), self._show_preview)
        self.query_one(ConsoleFooter).refresh_keys()  # a panel went stale: `r` comes first
        game_date = host.game_date
        if game_date is not None and self._summary_due(game_date):
            results, settings = host.results, host.settings
            timeline, metrics = self.query_one(TimelineView), self.query_one(MetricsView)
            _guarded(timeline, partial(timeline.show, results, settings, game_date, now))
            _guarded(metrics, partial(metrics.show, results, settings, game_date))

    # The timeline and the metrics sum up every panel: while a round of checks lands one result
    # at a time, drawing them once per result (tables, and a layout pass when a height changes)
    # cost more than the panels themselves (issue 13). They are drawn when no check is running,
    # at once for another game date, and at least every SUMMARY_LAG seconds (the 1 s tick)
    # while a check still runs.
    SUMMARY_LAG = 1.0
    _summary_at: float | None = None
    _summary_date: date | None = None

    def _summary_due(self, game_date: date) -> bool:
        now = monotonic()
        if (
            self.host.scheduler.running
            and game_date == self._summary_date
            and self._summary_at is not None
            and now - self._summary_at < self.SUMMARY_LAG
        ):
            return False
        self._summary_at, self._summary_date = now, game_date
        return True


def _guarded(widget: Static, draw: Callable[[], object]) -> None:
    """Draw one widget; a failure (data nothing anticipated) becomes an error line in that
    widget instead of ending the console."""
    try:
        draw()
    except Exception as exc:  # noqa: BLE001 - the console must not die from data
        widget.update(Text(f"cannot show this: {type(exc).__name__}: {exc}", style="bold red"))
