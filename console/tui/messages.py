"""Messages screens and feeds send the app (kept apart so a screen imports them without the app).

All of them are posted with `post_message`, which never blocks: safe from a worker thread.
"""

from __future__ import annotations

from datetime import date

from textual.message import Message

from console.core.models import CheckResult
from console.logs.live_trace import TraceUpdate
from console.services.runner import SPECS


class PlaybookFinished(Message):
    """A playbook run completed: the panels of the checks it affects refresh at once (the app
    handles it; paused or not), instead of showing the old value until their next refresh."""

    def __init__(self, affected_check_ids: tuple[str, ...]) -> None:
        super().__init__()
        self.affected_check_ids = affected_check_ids

    @classmethod
    def for_playbook(cls, name: str) -> PlaybookFinished:
        """The checks that suggest the playbook are the ones it acts on."""
        return cls(tuple(spec.id for spec in SPECS if name in spec.playbooks))


class ResultPushed(Message):
    """A fresher result from elsewhere than the refresh (a live feed): shown if it is about
    the game date on screen (`game_date` None: whatever date is shown)."""

    def __init__(self, check_id: str, result: CheckResult, game_date: date | None = None) -> None:
        super().__init__()
        self.check_id, self.result, self.game_date = check_id, result, game_date


class LiveTraceUpdated(Message):
    """The live log stream moved the trace (alerts to tell) and, with a new verdict, the result
    of the check it feeds (its `live` hook made it; None: no new verdict); `title` names that
    check in the alerts."""

    def __init__(self, update: TraceUpdate, generation: int, result: CheckResult | None, title: str) -> None:
        super().__init__()
        self.update, self.generation, self.result, self.title = update, generation, result, title
