"""A log screen hosted alone, fed from a list: what the log screen tests share."""

from __future__ import annotations

from textual.app import App

from console.core.models import LogEntry
from console.tui.screens.logs_screen import LogsScreen


class ListSource:
    """A source the test feeds by hand."""

    def __init__(self) -> None:
        self.queue: list[LogEntry] = []
        self.closed = False

    def poll(self) -> list[LogEntry]:
        out, self.queue = self.queue, []
        return out

    def close(self) -> None:
        self.closed = True

    def describe(self) -> str:
        return "list"


class Host(App):
    """The app around the screen: what the screen pushed and what it told the person
    (`notify()` is public; Textual's own list of notifications is not)."""

    def __init__(self, screen: LogsScreen):
        super().__init__()
        self.logs_screen = screen
        self.pushed: list = []
        self.told: list[str] = []

    def notify(self, message, *, title="", severity="information", timeout=None, markup=True) -> None:
        self.told.append(str(message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_mount(self) -> None:
        self.push_screen(self.logs_screen)

    def push_check_result(self, result) -> None:
        self.pushed.append(result)


async def wait_for(pilot, predicate, tries: int = 200) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")
