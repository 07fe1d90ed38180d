"""What the console tells the person at the screen, besides the panels: a panel's change of
status (one notification, and the bell with `tui.bell`) and the live feeds' alerts, told
once per game date (coming back to a date does not raise its alerts again)."""

from __future__ import annotations

from datetime import date
from typing import Literal, Protocol

from console.core.models import Status
from console.services.watch import is_quiet, status_change_text

Severity = Literal["information", "warning", "error"]


class Teller(Protocol):
    """What tells the person: the app (its toasts and its bell)."""

    def notify(
        self, message: str, *, title: str = "", severity: Severity = "information", timeout: float | None = None
    ) -> None: ...

    def bell(self) -> None: ...


class Notices:
    def __init__(self, teller: Teller, *, ring: bool) -> None:
        self._teller, self._ring = teller, ring
        self._told: set[tuple[date | None, str]] = set()  # (game date, message) told this session

    def status_changed(self, title: str, before: str | None, after: str | None) -> None:
        """A panel's status moved (the first result of a date is no change: `before` None)."""
        text = status_change_text(title, before, after)
        if not text:
            return
        severity: Severity = "information" if is_quiet(after) else "warning" if after == Status.WARN.value else "error"
        self._teller.notify(text, title="Status change", severity=severity, timeout=15)
        if self._ring:
            self._teller.bell()

    def alert(self, game_date: date | None, message: str, *, title: str) -> bool:
        """An alert about `game_date`, told the first time only; True if it was told now."""
        key = (game_date, message)
        if key in self._told:
            return False
        self._told.add(key)
        self._teller.notify(message, title=title, severity="error", timeout=30)
        return True
