"""What the console tells the person at the screen, besides the panels: a panel's change of
status and the live feeds' alerts (told once per game date: coming back to a date does not
raise its alerts again), and the bell with `tui.bell`.

At most one of these toasts is on screen at a time (issue 28: `e` at the end of the demo's
replay raised six "Status change" toasts over half the screen for 15 s). What happens within
`gather_s` of the first news is told as one toast ("4 checks changed: …"); news that comes
while a toast is still shown waits for it to go and is then told together.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from time import monotonic
from typing import Any, Literal, Protocol

from console.core.models import Status
from console.services.verdicts import changes_text
from console.services.watch import is_quiet

Severity = Literal["information", "warning", "error"]


class Teller(Protocol):
    """What tells the person: the app (its toasts, its bell, its timers)."""

    def notify(
        self, message: str, *, title: str = "", severity: Severity = "information", timeout: float | None = None
    ) -> None: ...

    def bell(self) -> None: ...

    def set_timer(self, delay: float, callback: Callable[[], Any]) -> Any: ...


class Notices:
    gather_s = 1.0  # news this close to the first is one toast
    shown_s = 10.0  # how long a toast stays; the next waits for it

    def __init__(self, teller: Teller, *, ring: bool) -> None:
        self._teller, self._ring = teller, ring
        self._told: set[tuple[date | None, str]] = set()  # (game date, message) told this session
        self._changes: list[tuple[str, str, str]] = []  # (title, before, after), not told yet
        self._alerts: list[tuple[str, str]] = []  # (title, message), not told yet
        self._timer: Any = None
        self._shown_until = 0.0

    def status_changed(self, title: str, before: str | None, after: str | None) -> None:
        """A panel's status moved (the first result of a date is no change: `before` None)."""
        if before is None or after is None or before == after:
            return
        # The same check moving twice before it is told: one change, first to last.
        for i, (known, first, _) in enumerate(self._changes):
            if known == title:
                self._changes[i] = (title, first, after)
                break
        else:
            self._changes.append((title, before, after))
        self._changes = [c for c in self._changes if c[1] != c[2]]
        self._schedule()

    def alert(self, game_date: date | None, message: str, *, title: str) -> bool:
        """An alert about `game_date`, told the first time only; True if it will be told now."""
        key = (game_date, message)
        if key in self._told:
            return False
        self._told.add(key)
        self._alerts.append((title, message))
        self._schedule()
        return True

    def _schedule(self) -> None:
        if self._timer is not None or not (self._changes or self._alerts):
            return
        wait = max(self.gather_s, self._shown_until - monotonic())
        self._timer = self._teller.set_timer(wait, self._tell)

    def _tell(self) -> None:
        self._timer = None
        changes, alerts = self._changes, self._alerts
        self._changes, self._alerts = [], []
        text = changes_text(changes)
        lines = [message for _, message in alerts] + ([text] if text else [])
        if not lines:
            return
        title = alerts[0][0] if alerts and not changes else "Status change"
        self._teller.notify(
            "\n".join(lines), title=title, severity=_severity(changes, bool(alerts)), timeout=self.shown_s
        )
        self._shown_until = monotonic() + self.shown_s
        if self._ring and changes:
            self._teller.bell()
        self._schedule()  # anything that came meanwhile waits for this one to go


def _severity(changes: list[tuple[str, str, str]], alerted: bool) -> Severity:
    afters = {after for _, _, after in changes}
    if alerted or afters & {Status.FAIL.value, Status.ERROR.value}:
        return "error"
    if all(is_quiet(after) for after in afters):
        return "information"
    return "warning"
