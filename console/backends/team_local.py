"""The team's records in the state directory: what two consoles (and the watch) of one user on
one machine share (issue 26). The gcp twin is console/backends/team_firestore.py.

One JSON file per kind (`team-acks.json`, `team-notes.json`, `team-presence.json`,
`watch-heartbeat.json`) and an append-only `team-audit.jsonl`, all 0600 in the 0700 state
directory (console/core/safefile.py). A change is read-modify-write under one file lock and
written atomically (temporary file + rename), so a reader never sees half a file and two
writers never lose each other's record. A record that does not validate is skipped; a file
that does not parse is set aside (`*.corrupt-<time>`) by the next writer, never a crash.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from console.core.safefile import PRIVATE_FILE_MODE, private_dir, write_atomic
from console.core.team import Ack, Heartbeat, Note, Presence, TeamStoreError

log = logging.getLogger("nba_console.team")

ACKS_FILE = "team-acks.json"
NOTES_FILE = "team-notes.json"
PRESENCE_FILE = "team-presence.json"
HEARTBEAT_FILE = "watch-heartbeat.json"
AUDIT_FILE = "team-audit.jsonl"
LOCK_FILE = "team.lock"
NOTES_KEPT = 5000  # the newest notes; a file of months of mornings stays small
PRESENCE_FORGOTTEN = timedelta(days=1)  # entries of consoles gone this long are dropped on write

M = TypeVar("M", bound=BaseModel)


class LocalTeamStore:
    """TeamStore over the state directory (see the module docstring)."""

    def __init__(self, state_dir: Path, lock_timeout_s: float = 10.0) -> None:
        from filelock import FileLock

        self.dir = Path(state_dir)
        self._lock = FileLock(str(self.dir / LOCK_FILE), timeout=lock_timeout_s, mode=PRIVATE_FILE_MODE)

    # ---------------------------------------------------------------- acks

    def acks(self) -> list[Ack]:
        return _models(Ack, self._read(ACKS_FILE).get("acks", {}), as_map=True)

    def put_ack(self, ack: Ack) -> None:
        def change(data: dict[str, Any]) -> None:
            data.setdefault("acks", {})[ack.key] = ack.model_dump(mode="json")

        self._update(ACKS_FILE, change)

    def remove_ack(self, key: str) -> Ack | None:
        gone: list[Ack] = []

        def change(data: dict[str, Any]) -> None:
            raw = data.setdefault("acks", {}).pop(key, None)
            gone.extend(_models(Ack, [raw]) if raw is not None else [])

        self._update(ACKS_FILE, change)
        return gone[0] if gone else None

    # ---------------------------------------------------------------- notes

    def notes(self, game_date: date | None = None) -> list[Note]:
        notes = _models(Note, self._read(NOTES_FILE).get("notes", []))
        chosen = [n for n in notes if game_date is None or n.game_date == game_date]
        return sorted(chosen, key=lambda n: (n.at, n.id))  # as Firestore's: by time

    def add_note(self, note: Note) -> None:
        def change(data: dict[str, Any]) -> None:
            notes = data.setdefault("notes", [])
            notes.append(note.model_dump(mode="json"))
            del notes[:-NOTES_KEPT]

        self._update(NOTES_FILE, change)

    # ---------------------------------------------------------------- presence

    def presence(self) -> list[Presence]:
        return _models(Presence, self._read(PRESENCE_FILE).get("entries", {}), as_map=True)

    def beat(self, presence: Presence) -> None:
        def change(data: dict[str, Any]) -> None:
            entries = data.setdefault("entries", {})
            entries[presence.id] = presence.model_dump(mode="json")
            for entry in _models(Presence, entries, as_map=True):
                if presence.seen_at - entry.seen_at > PRESENCE_FORGOTTEN:
                    entries.pop(entry.id, None)

        self._update(PRESENCE_FILE, change)

    def leave(self, presence_id: str) -> None:
        self._update(PRESENCE_FILE, lambda data: data.setdefault("entries", {}).pop(presence_id, None))

    # ---------------------------------------------------------------- the watch's heartbeat

    def heartbeat(self) -> Heartbeat | None:
        found = _models(Heartbeat, [self._read(HEARTBEAT_FILE).get("last")])
        return found[0] if found else None

    def record_heartbeat(self, beat: Heartbeat) -> None:
        self._update(HEARTBEAT_FILE, lambda data: data.__setitem__("last", beat.model_dump(mode="json")))

    # ---------------------------------------------------------------- audit

    def audit(self, record: dict[str, object]) -> None:
        """One JSON line appended (O_APPEND, fsync'd): every ack, clear and note, who and why."""
        line = orjson.dumps({"ts": datetime.now(UTC).isoformat(), **record}) + b"\n"
        path = self.dir / AUDIT_FILE
        try:
            private_dir(self.dir)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE_MODE)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise TeamStoreError(f"cannot write the team audit {path}: {exc.strerror or exc}") from None

    def audit_records(self) -> list[dict[str, Any]]:
        try:
            lines = (self.dir / AUDIT_FILE).read_bytes().splitlines()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise TeamStoreError(f"cannot read the team audit: {exc.strerror or exc}") from None
        out = []
        for line in lines:
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # a torn line: the others still count
            if isinstance(record, dict):
                out.append(record)
        return out

    def close(self) -> None:
        pass

    # ---------------------------------------------------------------- files

    def _read(self, name: str) -> dict[str, Any]:
        path = self.dir / name
        try:
            raw = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            return {}
        except orjson.JSONDecodeError:
            log.warning("%s does not parse; read as empty (the next change sets it aside)", path)
            return {}
        except OSError as exc:
            raise TeamStoreError(f"cannot read {path}: {exc.strerror or exc}") from None
        return raw if isinstance(raw, dict) else {}

    def _update(self, name: str, change: Callable[[dict[str, Any]], object]) -> None:
        from filelock import Timeout

        path = self.dir / name
        try:
            private_dir(self.dir)
            with self._lock:
                try:
                    data = orjson.loads(path.read_bytes())
                except FileNotFoundError:
                    data = {}
                except orjson.JSONDecodeError:
                    aside = path.with_name(f"{name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
                    os.replace(path, aside)
                    log.warning("%s did not parse: set aside as %s", path, aside.name)
                    data = {}
                if not isinstance(data, dict):
                    data = {}
                change(data)
                data["version"] = 1
                write_atomic(path, orjson.dumps(data, option=orjson.OPT_INDENT_2))
        except Timeout:
            raise TeamStoreError(f"{self.dir / LOCK_FILE} is held by another process; try again") from None
        except OSError as exc:
            raise TeamStoreError(f"cannot write {path}: {exc.strerror or exc}") from None


def _models(model: type[M], raw: Any, as_map: bool = False) -> list[M]:
    items = raw.values() if as_map and isinstance(raw, dict) else raw if isinstance(raw, list) else []
    out = []
    for item in items:
        try:
            out.append(model.model_validate(item))
        except ValidationError:
            continue  # one bad record (hand-edited, an older version) hides nothing else
    return out
