"""Messages screens send the app (kept apart so a screen imports them without the app)."""

from __future__ import annotations

from textual.message import Message

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
