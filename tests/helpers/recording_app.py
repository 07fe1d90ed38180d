"""The console app with what it told recorded: `notify()` is public, so the tests read what
the person was told from here instead of Textual's private `_notifications`."""

from __future__ import annotations

from dataclasses import dataclass

from console.tui.app import NbaConsoleApp


@dataclass(frozen=True)
class Told:
    message: str
    title: str
    severity: str


class RecordingApp(NbaConsoleApp):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.told: list[Told] = []

    def notify(self, message, *, title="", severity="information", timeout=None, markup=True) -> None:
        self.told.append(Told(str(message), title, severity))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def messages(self, containing: str = "") -> list[str]:
        return [t.message for t in self.told if containing in t.message]
