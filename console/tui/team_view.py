"""The console's side of the team (issue 26): its own presence, and what the others did.

One object the app composes. Every `period` seconds (the refresh period, at most a third of
`team.presence_ttl_s`, so this console never looks gone between two of its own refreshes) a
thread worker writes this console's presence and reads the acks, the date's notes, the other
consoles, the watch's heartbeat and the playbook lock (console/services/team_records.py
read_snapshot); the header and the panels draw from `snapshot`. `a` and `n` write through the
same store in a worker and read again at once, so the other consoles see it within their next
refresh. On exit the presence entry is removed (a killed console's expires).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from console.core.config import Settings
from console.core.team import Presence, TeamStore, TeamStoreError, new_id
from console.services.team_records import TeamSnapshot, open_team_store, presence_entry, read_snapshot

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from console.core.clock import Clock


class TeamView:
    def __init__(self, app: App[Any], settings: Settings, clock: Clock, game_date: Callable[[], Any]) -> None:
        self.app, self.settings, self.clock = app, settings, clock
        self._game_date = game_date
        self.id = new_id()
        self.since = datetime.now(UTC)
        self.snapshot = TeamSnapshot()
        self._store: TeamStore | None = None
        self._timer: Timer | None = None

    @property
    def period(self) -> float:
        return max(1.0, min(self.settings.refresh_seconds, self.settings.team.presence_ttl_s / 3))

    def start(self) -> None:
        self.refresh()
        self._timer = self.app.set_interval(self.period, self.refresh)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._store is not None:
            try:
                self._store.leave(self.id)
            except TeamStoreError:
                pass  # it expires after team.presence_ttl_s
            self._store.close()

    def store(self) -> TeamStore:
        """Opened on first use, in a worker thread (on gcp that makes a Firestore client)."""
        if self._store is None:
            self._store = open_team_store(self.settings)
        return self._store

    def me(self) -> Presence:
        kind = "web" if self.app.is_web else "terminal"
        return presence_entry(self.settings, self.id, self.since, datetime.now(UTC), kind)

    def refresh(self) -> None:
        self.app.run_worker(self._read, thread=True, name="team", group="team", exit_on_error=False)

    def _read(self) -> None:
        try:
            store, me = self.store(), self.me()
        except (TeamStoreError, ValueError) as exc:  # no store at all (a bad state dir)
            snapshot = TeamSnapshot(error=str(exc))
        else:
            snapshot = read_snapshot(store, self.settings, self._game_date(), me, datetime.now(UTC), self.snapshot)
        self.app.call_from_thread(self._landed, snapshot)

    def _landed(self, snapshot: TeamSnapshot) -> None:
        self.snapshot = snapshot
        redraw = getattr(self.app, "redraw", None)
        if callable(redraw):
            redraw()

    def act(self, what: str, write: Callable[[TeamStore], str], then: Callable[[], None] | None = None) -> None:
        """Write (in a worker), say what was done or why not, read the team again, and `then`
        (on the UI thread) when it was written."""

        def work() -> None:
            try:
                told, severity = write(self.store()), "information"
            except (TeamStoreError, ValueError) as exc:  # ReadOnlyError is refused before the modal
                told, severity = f"cannot {what}: {exc}", "error"
            self.app.call_from_thread(self.app.notify, told, severity=severity)
            if then is not None and severity == "information":
                self.app.call_from_thread(then)
            self._read()

        self.app.run_worker(work, thread=True, name=f"team: {what}", group="team-write", exit_on_error=False)
