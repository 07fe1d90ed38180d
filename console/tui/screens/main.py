"""The main screen: header, the six check panels, the morning timeline and expected metrics."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Static

from panels.widget import CheckPanel
from panels.timeline import MetricsView, TimelineView

from ...core.runner import SPECS
from ...watch_state import last_notified_at


class MainScreen(Screen):
    BINDINGS = [
        Binding("left_square_bracket", "change_date(-1)", "Prev day", id="prev_date"),
        Binding("right_square_bracket", "change_date(1)", "Next day", id="next_date"),
        Binding("right", "app.focus_next", "Next panel", show=False, id="next_panel"),
        Binding("left", "app.focus_previous", "Prev panel", show=False, id="prev_panel"),
    ]

    def compose(self) -> ComposeResult:
        tz = self.app.settings.tz
        yield Static(id="header")
        with Grid(id="panels"):
            for spec in SPECS:
                yield CheckPanel(spec.id, spec.title, tz)
        with Horizontal(id="bottom"):
            yield TimelineView(id="timeline")
            yield MetricsView(id="metrics")
        yield Footer()

    _ready = False  # set once the widgets exist; Screen.is_mounted is still False inside on_mount

    def on_mount(self) -> None:
        self._ready = True
        self.query_one("#timeline").border_title = "Morning timeline (ET)"
        self.query_one("#metrics").border_title = "Expected metrics"
        self.query(CheckPanel).first().focus()
        self.redraw()

    def action_change_date(self, days: int) -> None:
        self.app.change_date(days)

    def on_check_panel_selected(self, message: CheckPanel.Selected) -> None:
        self.app.open_detail(message.check_id)

    def redraw(self) -> None:
        if not self._ready:
            return
        try:
            self._redraw()
        except NoMatches:  # a tick during the screen's teardown (app exit, another screen on top): widgets gone
            return

    def _redraw(self) -> None:
        app = self.app
        now = app.clock.now()
        local = now.astimezone(app.settings.tz)
        game = app.game_date.isoformat() if app.game_date else "…"
        processing = app.processing_date.isoformat() if app.processing_date else "…"
        refresh = "PAUSED" if app.paused else f"every {app.settings.refresh_seconds:g}s"
        badges = [part for label in app.mode_labels() for part in ("  ", (f" {label} ", "bold reverse"))]
        header = Text.assemble(
            ("NBA console", "bold"), *badges, "   games ", (game, "bold"), "   processed ", (processing, "bold"),
            "   ", (f"{local:%H:%M:%S %Z}", "bold"), f" ({local:%a %b %d})", "   backend ", (app.settings.backend, "bold"),
            "   project ", (app.settings.project, "bold"), "   refresh ",
            (refresh, "bold reverse" if app.paused else "bold"),
        )
        notified = last_notified_at(app.settings)  # the configured `watch`, if its state file exists
        if notified is not None:
            header.append_text(Text.assemble("   watch alerted ", (f"{notified.astimezone(app.settings.tz):%H:%M %Z}", "bold")))
        self.query_one("#header", Static).update(header)
        for panel in self.query(CheckPanel):
            _guarded(panel, lambda p=panel: p.show(app.states[p.check_id], now))
        if app.game_date is not None:
            results = app.results
            _guarded(self.query_one(TimelineView),
                     lambda: self.query_one(TimelineView).show(results, app.settings, app.game_date, now))
            _guarded(self.query_one(MetricsView),
                     lambda: self.query_one(MetricsView).show(results, app.settings, app.game_date))


def _guarded(widget: Static, draw) -> None:
    """Draw one widget; a failure (data nothing anticipated) becomes an error line in that
    widget instead of ending the console."""
    try:
        draw()
    except Exception as exc:  # noqa: BLE001 - the console must not die from data
        widget.update(Text(f"cannot show this: {type(exc).__name__}: {exc}", style="bold red"))
