"""What `watch` remembers between runs: the last status told per check per game date, and
the messages not yet delivered (the outbox).

One JSON file in the state directory, written atomically (temporary file + rename) under a
file lock so two overlapping cron runs cannot interleave. A file that does not parse is set
aside (renamed `*.corrupt-<time>`) with a warning and the watch starts from nothing: at
worst a change is told twice, never a crash.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson

from .core.config import Settings
from .core.safefile import PRIVATE_FILE_MODE, private_dir, write_atomic
from .core.timestamps import parse_timestamp

log = logging.getLogger("nba_console.watch")

STATE_FILE_NAME = "watch-state.json"
STATE_VERSION = 1
KEEP_DATES = 14  # game dates older than this many days are pruned


def state_path(settings: Settings) -> Path:
    return settings.state_dir / STATE_FILE_NAME


@dataclass
class WatchState:
    """The whole file. `dates[game_date][check_id]` is a CheckMemory dict (see watch.decide)."""

    dates: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    last_notified_at: str | None = None

    def day(self, game_date: date) -> dict[str, Any]:
        return self.dates.setdefault(game_date.isoformat(), {"checks": {}, "summary_sent_at": None})

    def to_json(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, "last_notified_at": self.last_notified_at,
                "dates": self.dates, "outbox": self.outbox}

    @classmethod
    def from_json(cls, raw: Any) -> "WatchState":
        if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
            raise ValueError("not a watch state file of version 1")
        dates, outbox = raw.get("dates", {}), raw.get("outbox", [])
        if not isinstance(dates, dict) or not isinstance(outbox, list):
            raise ValueError("dates must be an object and outbox a list")
        for day in dates.values():
            if not isinstance(day, dict) or not isinstance(day.get("checks", {}), dict):
                raise ValueError("each date must hold a checks object")
        if not all(isinstance(m, dict) and isinstance(m.get("id"), str) for m in outbox):
            raise ValueError("each outbox message needs an id")
        last = raw.get("last_notified_at")
        return cls(dates=dates, outbox=outbox, last_notified_at=last if isinstance(last, str) else None)

    def prune(self, today: date) -> None:
        cutoff = (today - timedelta(days=KEEP_DATES)).isoformat()
        for key in [k for k in self.dates if k < cutoff]:
            del self.dates[key]


class StateStore:
    """Load and save the state file; use as a context manager to hold its lock."""

    def __init__(self, path: Path, lock_timeout_s: float = 60.0) -> None:
        from filelock import FileLock

        self.path = path
        self._lock = FileLock(str(path) + ".lock", timeout=lock_timeout_s, mode=PRIVATE_FILE_MODE)

    def __enter__(self) -> "StateStore":
        private_dir(self.path.parent)  # 0700, or refused when others may write it
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def load(self) -> WatchState:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return WatchState()
        except OSError as exc:
            log.warning("cannot read %s (%s); starting from an empty state", self.path, exc.strerror or exc)
            return WatchState()
        try:
            return WatchState.from_json(orjson.loads(data))
        except (orjson.JSONDecodeError, ValueError, TypeError, AttributeError) as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}")
            try:
                os.replace(self.path, aside)
                where = f"set aside as {aside.name}"
            except OSError as move_exc:
                where = f"could not be set aside ({move_exc.strerror or move_exc})"
            log.warning("watch state %s is unreadable (%s); %s, starting from an empty state",
                        self.path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__, where)
            return WatchState()

    def save(self, state: WatchState) -> None:
        """Atomic: readers see the old file or the new one, never half of one."""
        write_atomic(self.path, orjson.dumps(state.to_json(), option=orjson.OPT_INDENT_2))


# ------------------------------------------------------------------ the console's header


_HEADER_CACHE: dict[Path, tuple[float, datetime | None]] = {}


def last_notified_at(settings: Settings) -> datetime | None:
    """When the configured watch last sent something, or None (no state file, or unreadable).

    Called on every header redraw, so it reads the file again only when its mtime changes.
    """
    path = state_path(settings)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    cached = _HEADER_CACHE.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        raw = orjson.loads(path.read_bytes())
        text = raw.get("last_notified_at") if isinstance(raw, dict) else None
        moment = parse_timestamp(text)
    except (OSError, ValueError, TypeError):
        moment = None
    _HEADER_CACHE[path] = (mtime, moment)
    return moment
