"""The team's records in Firestore (gcp): the collections named in `[team]`, readable by anyone
who can read the project, so every console of the rotation sees the same acks, notes, presence
and heartbeat. The local twin is console/backends/team_local.py; the rules are the pure core's.

Documents: `{acks}/{game_date}_{check}`, `{notes}/{id}`, `{presence}/{console id}`,
`{heartbeat}/watch`, `{audit}/{auto id}`. Every call is bounded by the smaller of
CALL_TIMEOUT_S and `gcp.query_timeout_s` (as the playbook lock, console/playbook/lock_firestore.py),
and every failure is one line (TeamStoreError), never a traceback in a header.
"""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from console.core.config import Settings
from console.core.team import Ack, Heartbeat, Note, Presence, TeamStoreError

CALL_TIMEOUT_S = 10.0
HEARTBEAT_DOC = "watch"
NOTES_READ_MAX = 2000  # one date's notes, or the newest when no date is given
GCLOUD_TIMEOUT_S = 5.0


def gcloud_account() -> str | None:
    """The active gcloud account (what the playbook engine audits), or None: no gcloud, not
    logged in, or it did not answer within GCLOUD_TIMEOUT_S."""
    try:
        done = subprocess.run(
            ["gcloud", "auth", "list", "--filter=status:ACTIVE", "--format=value(account)"],
            capture_output=True,
            text=True,
            timeout=GCLOUD_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.strip().splitlines() if done.returncode == 0 else []
    return lines[0].strip() if lines else None


class FirestoreTeamStore:
    def __init__(self, client: Any, settings: Settings) -> None:
        self.client = client
        team = settings.team
        self.timeout = min(CALL_TIMEOUT_S, settings.gcp.query_timeout_s)
        self._acks = client.collection(team.acks_collection)
        self._notes = client.collection(team.notes_collection)
        self._presence = client.collection(team.presence_collection)
        self._heartbeat = client.collection(team.heartbeat_collection)
        self._audit = client.collection(team.audit_collection)

    def acks(self) -> list[Ack]:
        return _models(Ack, (s.to_dict() for s in self._acks.stream(timeout=self.timeout)))

    def put_ack(self, ack: Ack) -> None:
        self._acks.document(ack.key).set(ack.model_dump(mode="json"), timeout=self.timeout)

    def remove_ack(self, key: str) -> Ack | None:
        ref = self._acks.document(key)
        snap = ref.get(timeout=self.timeout)
        if not snap.exists:
            return None
        ref.delete(timeout=self.timeout)
        found = _models(Ack, [snap.to_dict()])
        return found[0] if found else None

    def notes(self, game_date: date | None = None) -> list[Note]:
        from google.cloud.firestore import FieldFilter, Query

        query = self._notes
        if game_date is not None:
            query = query.where(filter=FieldFilter("game_date", "==", game_date.isoformat()))
        else:
            query = query.order_by("at", direction=Query.DESCENDING)
        docs = query.limit(NOTES_READ_MAX).stream(timeout=self.timeout)
        return sorted(_models(Note, (s.to_dict() for s in docs)), key=lambda n: (n.at, n.id))

    def add_note(self, note: Note) -> None:
        self._notes.document(note.id).create(note.model_dump(mode="json"), timeout=self.timeout)

    def presence(self) -> list[Presence]:
        return _models(Presence, (s.to_dict() for s in self._presence.stream(timeout=self.timeout)))

    def beat(self, presence: Presence) -> None:
        self._presence.document(presence.id).set(presence.model_dump(mode="json"), timeout=self.timeout)

    def leave(self, presence_id: str) -> None:
        self._presence.document(presence_id).delete(timeout=self.timeout)

    def heartbeat(self) -> Heartbeat | None:
        snap = self._heartbeat.document(HEARTBEAT_DOC).get(timeout=self.timeout)
        found = _models(Heartbeat, [snap.to_dict()] if snap.exists else [])
        return found[0] if found else None

    def record_heartbeat(self, beat: Heartbeat) -> None:
        self._heartbeat.document(HEARTBEAT_DOC).set(beat.model_dump(mode="json"), timeout=self.timeout)

    def audit(self, record: dict[str, object]) -> None:
        self._audit.add({"ts": datetime.now(UTC).isoformat(), **record}, timeout=self.timeout)

    def close(self) -> None:
        self.client.close()


class LazyFirestoreTeamStore:
    """The client is made on first use; every failure (credentials, network, permission, a
    deadline) becomes one TeamStoreError line naming the collection's purpose.

    Each call runs under a hard deadline (core/deadline.py: a Firestore that accepts and never
    answers does not honour the client's own timeout on every path). After a call that got no
    answer, the next calls within DOWN_S fail at once with the same line: a watch run or a
    console refresh waits for Firestore once, not once per record."""

    DOWN_S = 30.0

    def __init__(self, settings: Settings, client_factory: Any = None) -> None:
        self.settings = settings
        self.client_factory = client_factory
        self._store: FirestoreTeamStore | None = None
        self.timeout = min(CALL_TIMEOUT_S, settings.gcp.query_timeout_s)
        self._down: tuple[float, str] | None = None

    def _get(self) -> FirestoreTeamStore:
        if self._store is None:
            if self.client_factory is not None:
                client = self.client_factory()
            else:
                from google.cloud import firestore  # the local backend never loads it

                client = firestore.Client(project=self.settings.project)
            self._store = FirestoreTeamStore(client, self.settings)
        return self._store

    def _call(self, what: str, name: str, *args: Any) -> Any:
        from console.core.deadline import run_with_deadline

        if self._down is not None and time.monotonic() < self._down[0]:
            raise TeamStoreError(self._down[1])
        try:
            answered, value = run_with_deadline(
                lambda: getattr(self._get(), name)(*args), self.timeout, self.timeout + 1.0, f"firestore {name}"
            )
        except TeamStoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - auth, network, permission, deadline: one line for the header
            text = str(exc).splitlines()[0] if str(exc) else ""
            raise TeamStoreError(f"Firestore {what}: {type(exc).__name__}: {text[:200]}".rstrip(": ")) from None
        if not answered:
            message = f"Firestore {what}: no answer within {self.timeout:g}s"
            self._down = (time.monotonic() + self.DOWN_S, message)
            raise TeamStoreError(message)
        self._down = None
        return value

    def acks(self) -> list[Ack]:
        return list(self._call("reading acknowledgements", "acks"))

    def put_ack(self, ack: Ack) -> None:
        self._call("writing an acknowledgement", "put_ack", ack)

    def remove_ack(self, key: str) -> Ack | None:
        found: Ack | None = self._call("clearing an acknowledgement", "remove_ack", key)
        return found

    def notes(self, game_date: date | None = None) -> list[Note]:
        return list(self._call("reading notes", "notes", game_date))

    def add_note(self, note: Note) -> None:
        self._call("writing a note", "add_note", note)

    def presence(self) -> list[Presence]:
        return list(self._call("reading presence", "presence"))

    def beat(self, presence: Presence) -> None:
        self._call("writing presence", "beat", presence)

    def leave(self, presence_id: str) -> None:
        self._call("removing presence", "leave", presence_id)

    def heartbeat(self) -> Heartbeat | None:
        found: Heartbeat | None = self._call("reading the watch heartbeat", "heartbeat")
        return found

    def record_heartbeat(self, beat: Heartbeat) -> None:
        self._call("writing the watch heartbeat", "record_heartbeat", beat)

    def audit(self, record: dict[str, object]) -> None:
        self._call("writing the team audit", "audit", record)

    def close(self) -> None:
        if self._store is not None:
            try:
                self._store.close()
            except Exception:  # noqa: BLE001, S110 - closing must not hide what the command did
                pass


def _models(model: type[Any], raw: Any) -> list[Any]:
    out = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        try:
            out.append(model.model_validate(item))
        except ValidationError:
            continue  # a hand-edited or older document hides nothing else
    return out
