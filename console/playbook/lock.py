"""One playbook run at a time: a lease file in the state dir (this machine) and, on gcp, a
Firestore lease document (every operator).

A lease names its owner (run, user, host, pid) and expires unless refreshed (`Lease`
refreshes it from a thread while the run lives). While a step runs it also names the
step's process group (pid, pgid, host, command, start). It is free only when nobody can
still be acting under it: expired or its console dead, AND no process of the recorded step
group alive on this host. A group on another host cannot be checked from here, so a lease
from another host is respected until it expires.

Why the lease stays hand-written: `filelock` (used here for the short critical section of
acquire/refresh/release) is an flock, released by the kernel when its process dies, which
is exactly when a deploy orphaned by a killed console still needs the lock held. The lease
(owner metadata, expiry, the step's group) outlives the process; the flock only makes each
read-decide-write on it atomic among consoles on this machine.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import filelock
import orjson
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from console.core.safefile import private_dir
from console.core.timefmt import for_people
from console.playbook.procs import group_alive, pid_alive

LOCK_FILE = "playbook.lock"
FILE_MODE = 0o600


class LockHeld(Exception):
    """Another run holds the lock; the message names its owner."""


class StepStillRunning(LockHeld):
    """The holder's console is gone but its step's process group is still running."""

    def __init__(self, message: str, step: dict[str, Any]):
        super().__init__(message)
        self.step = step


class LockLost(Exception):
    """This run no longer holds the lock: "lock lost to RUN at TIME"."""


class StepProcess(BaseModel):
    model_config = ConfigDict(extra="allow")

    index: int
    pid: int
    pgid: int
    host: str
    command: str = ""
    started_at: str = ""


class LockRecord(BaseModel):
    """What a lock holder must say to be judged; anything else is an unreadable lock."""

    model_config = ConfigDict(extra="allow")

    run_id: str
    host: str
    pid: int
    expires_at: datetime
    acquired_at: str = ""
    user: str = ""
    playbook: str = ""
    step: StepProcess | None = None

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)  # a naive time is read as UTC


def parse_holder(data: Any) -> tuple[LockRecord | None, str | None]:
    if not isinstance(data, dict):
        return None, "not a JSON object"
    try:
        return LockRecord.model_validate(data), None
    except ValidationError as exc:
        first = exc.errors()[0]
        return None, f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"[:160]


def _when(value: Any, tz) -> str:
    """A lease time as the operator reads it: in the configured zone when one is given."""
    return for_people(value, tz, "seconds", missing="?") if tz is not None else str(value or "?")


def describe(owner: dict[str, Any], tz=None) -> str:
    text = (
        f"playbook {owner.get('playbook')} (run {owner.get('run_id')}) is running, started by "
        f"{owner.get('user')} on {owner.get('host')} pid {owner.get('pid')}, lock expires "
        f"{_when(owner.get('expires_at'), tz)}"
    )
    step = owner.get("step")
    if isinstance(step, dict):
        text += f"; step {int(step.get('index', 0)) + 1} `{step.get('command')}` pid {step.get('pid')}"
    return text


def same_owner(held: dict[str, Any] | None, owner: dict[str, Any]) -> bool:
    if not held:
        return False
    return all(held.get(k) == owner.get(k) for k in ("run_id", "host", "pid"))


def lost_message(held: dict[str, Any] | None, tz=None) -> str:
    if not held:
        return "lock lost: it was released or removed by someone else"
    return f"lock lost to {held.get('run_id')} at {_when(held.get('acquired_at'), tz)}"


def judge(held: dict[str, Any], now: datetime, written_at: datetime | None, ttl_s: float, tz=None) -> tuple[bool, str]:
    """May `held` be taken over? (free, why not). Raises StepStillRunning for a live group."""
    record, problem = parse_holder(held)
    if record is None:
        # Unreadable: it protects nothing once it is older than a lease, and everything before.
        stale = written_at is not None and written_at + timedelta(seconds=ttl_s) <= now
        return stale, f"the run lock is unreadable ({problem}); it is taken over once {ttl_s:g}s old"
    here = socket.gethostname()
    console_alive = record.host == here and pid_alive(record.pid)
    step = (
        record.step if record.step is not None and record.step.host == here and group_alive(record.step.pgid) else None
    )
    group_running = step is not None  # this host's step, its process group still alive
    if step is not None and not console_alive:
        raise StepStillRunning(
            f"step {step.index + 1} of run {record.run_id} is still running without its console (pid "
            f"{record.pid} is gone): pid {step.pid}, process group {step.pgid}, `{step.command}`, since "
            f"{_when(step.started_at, tz)}",
            held.get("step") or {},
        )
    if group_running:
        return False, describe(held, tz)
    expired = record.expires_at <= now
    if record.host != here:
        return expired, describe(held, tz)  # nothing on another host can be checked from here: the lease decides
    return expired or not console_alive, describe(held, tz)


def make_owner(base: dict[str, Any], ttl_s: float, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    return {
        **base,
        "acquired_at": base.get("acquired_at") or now.isoformat(),
        "expires_at": (now + timedelta(seconds=ttl_s)).isoformat(),
    }


class RunLock(Protocol):
    def acquire(self, owner: dict[str, Any]) -> None: ...
    def refresh(self, owner: dict[str, Any]) -> None: ...  # raises LockLost when not ours
    def verify(self, owner: dict[str, Any]) -> None: ...  # raises LockLost when not ours
    def release(self, owner: dict[str, Any]) -> None: ...


class FileLock:
    """The lease file, read and written under a short flock (`filelock`)."""

    def __init__(self, state_dir: Path, ttl_s: float = 3600.0, tz=None):
        self.path = Path(state_dir) / LOCK_FILE
        self.ttl_s, self.tz = ttl_s, tz
        self._guard = filelock.FileLock(str(self.path) + ".guard", timeout=10, mode=FILE_MODE)

    def holder(self) -> dict[str, Any] | None:
        """The lease as stored; {} when it cannot be read as an object; None when absent."""
        try:
            data = orjson.loads(self.path.read_bytes())
            return data if isinstance(data, dict) else {}
        except FileNotFoundError:
            return None
        except (OSError, orjson.JSONDecodeError):
            return {}

    def _written_at(self) -> datetime | None:
        try:
            return datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
        except OSError:
            return None

    def _guarded(self):
        try:
            private_dir(self.path.parent)  # 0700, or refused when others may write it
            return self._guard.acquire()
        except filelock.Timeout:
            raise LockHeld(f"the run lock {self.path} is busy; try again") from None
        except OSError as exc:
            raise LockHeld(f"cannot take the run lock {self.path}: {exc.strerror or exc}") from None

    def _write(self, owner: dict[str, Any]) -> None:
        tmp = self.path.with_name(f".{LOCK_FILE}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            os.write(fd, orjson.dumps(owner))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)  # the lease keeps 0600 across refreshes

    def acquire(self, owner: dict[str, Any]) -> None:
        with self._guarded():
            try:
                held = self.holder()
                if held is not None and not same_owner(held, owner):
                    free, why = judge(held, datetime.now(UTC), self._written_at(), self.ttl_s, self.tz)
                    if not free:
                        raise LockHeld(why)
                    if self.path.is_dir():
                        raise LockHeld(f"the run lock {self.path} is a directory; remove it")
                self._write(owner)
            except OSError as exc:
                raise LockHeld(f"cannot take the run lock {self.path}: {exc.strerror or exc}") from None

    def refresh(self, owner: dict[str, Any]) -> None:
        with self._guarded():
            held = self.holder()
            if not same_owner(held, owner):
                raise LockLost(lost_message(held, self.tz))
            try:
                self._write(owner)
            except OSError as exc:
                raise LockLost(f"cannot refresh the run lock {self.path}: {exc.strerror or exc}") from None

    def verify(self, owner: dict[str, Any]) -> None:
        held = self.holder()
        if not same_owner(held, owner):
            raise LockLost(lost_message(held, self.tz))

    def release(self, owner: dict[str, Any]) -> None:
        try:
            with self._guarded():
                if same_owner(self.holder(), owner):
                    self.path.unlink(missing_ok=True)
        except (LockHeld, OSError):
            pass  # it expires; releasing must not hide the run's own outcome
