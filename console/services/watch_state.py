"""What `watch` remembers between runs: the last status told per check per game date, and
the messages not yet delivered (the outbox).

A game date is remembered until it is done, whatever the wall clock says: a cron job
watching an old date (a replay, a late re-run) must not tell its changes and summary again
because the date is weeks behind today. Done means its summary was queued or its `until` has
passed, and no message of it waits in the outbox; done dates are forgotten once they are
more than KEEP_DATES game days before the date being watched, and that date never is.

One JSON file in the state directory, written atomically (temporary file + rename) under a
file lock so two overlapping cron runs cannot interleave. A file that does not parse is set
aside (renamed `*.corrupt-<time>`) with a warning and the watch starts from nothing: at
worst a change is told twice, never a crash.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from console.core.config import Settings
from console.core.safefile import PRIVATE_FILE_MODE, private_dir, write_atomic
from console.core.timestamps import parse_timestamp

log = logging.getLogger("nba_console.watch")

STATE_FILE_NAME = "watch-state.json"
STATE_VERSION = 1
KEEP_DATES = 14  # done game dates this many days before the watched one are forgotten


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

    def notified(self, game_date: str, moment: datetime) -> None:
        """A message of `game_date` was delivered at `moment` (the console's header shows it on
        that date's screen only)."""
        self.last_notified_at = moment.isoformat()
        day = self.dates.get(game_date)
        if day is not None:
            day["last_notified_at"] = moment.isoformat()

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "last_notified_at": self.last_notified_at,
            "dates": self.dates,
            "outbox": self.outbox,
        }

    @classmethod
    def from_json(cls, raw: Any) -> WatchState:
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

    def prune(self, watched: date, now: datetime) -> list[str]:
        """Forget the done game dates more than KEEP_DATES days before `watched` (never
        `watched` itself, never a date with a message in the outbox); returns them."""
        outstanding = {m.get("game_date") for m in self.outbox}
        cutoff = (watched - timedelta(days=KEEP_DATES)).isoformat()
        gone = [key for key, day in self.dates.items() if key < cutoff and key not in outstanding and _done(day, now)]
        for key in gone:
            del self.dates[key]
        return gone


def _done(day: Any, now: datetime) -> bool:
    """Its summary was queued, or the end of its morning (`until`) has passed. A date written
    by a version that did not record `until` is done (it kept dates 14 days by the wall clock)."""
    if not isinstance(day, dict) or day.get("summary_sent_at"):
        return True
    if "until" not in day:
        return True
    until = parse_timestamp(day.get("until"))
    return until is not None and now >= until


class StateStore:
    """Load and save the state file; use as a context manager to hold its lock."""

    def __init__(self, path: Path, lock_timeout_s: float = 60.0) -> None:
        from filelock import FileLock

        self.path = path
        self._lock = FileLock(str(path) + ".lock", timeout=lock_timeout_s, mode=PRIVATE_FILE_MODE)

    def __enter__(self) -> StateStore:
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
            aside = self.path.with_name(f"{self.path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
            try:
                os.replace(self.path, aside)
                where = f"set aside as {aside.name}"
            except OSError as move_exc:
                where = f"could not be set aside ({move_exc.strerror or move_exc})"
            log.warning(
                "watch state %s is unreadable (%s); %s, starting from an empty state",
                self.path,
                str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                where,
            )
            return WatchState()

    def save(self, state: WatchState) -> None:
        """Atomic: readers see the old file or the new one, never half of one."""
        write_atomic(self.path, orjson.dumps(state.to_json(), option=orjson.OPT_INDENT_2))


# ------------------------------------------------------------------ the console's header


_HEADER_CACHE: dict[Path, tuple[float, dict[str, datetime]]] = {}


def last_notified_at(settings: Settings, game_date: date) -> datetime | None:
    """When the configured watch last delivered a message about `game_date`, or None (no state
    file, unreadable, or nothing delivered about that date).

    Called on every header redraw, so it reads the file again only when its mtime changes.
    """
    path = state_path(settings)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    cached = _HEADER_CACHE.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, _per_date(path))
        _HEADER_CACHE[path] = cached
    return cached[1].get(game_date.isoformat())


def _per_date(path: Path) -> dict[str, datetime]:
    try:
        raw = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    dates = raw.get("dates") if isinstance(raw, dict) else None
    out: dict[str, datetime] = {}
    for key, day in dates.items() if isinstance(dates, dict) else ():
        moment = parse_timestamp(day.get("last_notified_at")) if isinstance(day, dict) else None
        if moment is not None:
            out[str(key)] = moment
    return out
