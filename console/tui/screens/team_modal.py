"""`a` and `n` (issue 26): the reason of an acknowledgement (and for how long), or a note.
Enter in the text submits; an empty text or a bad duration is explained under the inputs and
the modal stays open. Dismisses with (text, duration or None), or None on escape."""

from __future__ import annotations

from datetime import timedelta

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from console.core.team import TEXT_MAX, clean_text
from console.core.timefmt import parse_duration

TeamInput = tuple[str, timedelta | None]


class TeamModal(ModalScreen[TeamInput | None]):
    HELP_SECTION = (25, "Acknowledging or noting a check (a, n)")  # where `?` lists its keys
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="close_team")]

    def __init__(self, title: str, placeholder: str, duration: str | None = None) -> None:
        """`duration`: ask for one too (the ack's `--for`), with this default."""
        super().__init__()
        self.title_text, self.placeholder, self.duration = title, placeholder, duration

    def compose(self) -> ComposeResult:
        with Vertical(id="team-box"):
            yield Input(placeholder=self.placeholder, max_length=TEXT_MAX, id="team-text")
            if self.duration is not None:
                yield Input(value=self.duration, placeholder="for how long: 30m, 2h", id="team-for")
            yield Static("enter saves · escape cancels", id="team-error")

    def on_mount(self) -> None:
        box = self.query_one("#team-box")
        box.border_title = self.title_text
        self.query_one("#team-text", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        try:
            text = clean_text(self.query_one("#team-text", Input).value)
            duration = None
            if self.duration is not None:
                duration = parse_duration(self.query_one("#team-for", Input).value)
        except ValueError as exc:
            self.query_one("#team-error", Static).update(f"[b red]{escape(str(exc))}[/]")
            return
        self.dismiss((text, duration))

    def action_cancel(self) -> None:
        self.dismiss(None)
