"""`g`: go to a game date. Accepts 2026-02-03, -1 / +2 (days from the date shown), today,
yesterday; anything else, or a date outside the data, is explained under the input and the
modal stays open. Dismisses with the date to show (or None on escape)."""

from __future__ import annotations

from datetime import date

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from console.core.game_dates import HINT, DateRange, parse_game_date


class GotoDateModal(ModalScreen[date | None]):
    HELP_SECTION = (30, "Go to a date (g)")  # where `?` lists its keys
    HELP_EXTRA = (("enter", "go to the date typed: 2026-02-03, -1, +2, today, yesterday"),)
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="close_goto")]

    def __init__(self, shown: date, today: date, data_range: DateRange | None) -> None:
        super().__init__()
        self.shown, self.today, self.data_range = shown, today, data_range

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-box"):
            yield Input(placeholder="2026-02-03, -1, yesterday", id="goto-input")
            yield Static(HINT, id="goto-error")

    def on_mount(self) -> None:
        box = self.query_one("#goto-box")
        box.border_title = f"Go to game date (shown: {self.shown.isoformat()})"
        box.border_subtitle = "enter goes · escape cancels"
        self.query_one(Input).focus()

    @on(Input.Submitted, "#goto-input")
    def _submitted(self, event: Input.Submitted) -> None:
        parsed = parse_game_date(event.value, self.shown, self.today)
        error = parsed.error
        if parsed.game_date is not None and self.data_range is not None:
            error = self.data_range.refusal(parsed.game_date)
            if error:
                error += f" (data: {self.data_range.first.isoformat()} .. {self.data_range.last.isoformat()})"
        if error:
            self.query_one("#goto-error", Static).update(f"[b red]{escape(error)}[/]")
            return
        self.dismiss(parsed.game_date)

    def action_cancel(self) -> None:
        self.dismiss(None)
