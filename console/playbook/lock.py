"""One playbook run at a time: a lock file in the state dir (this machine) and, on gcp, a
Firestore lock document (every operator). Both carry the owner and an expiry, so a lock
left by a killed run is taken over once it has expired or its process is gone."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

import orjson

LOCK_FILE = "playbook.lock"


class LockHeld(Exception):
    """Another run holds the lock; the message names its owner."""


def describe(owner: dict[str, Any]) -> str:
    return (
        f"playbook {owner.get('playbook')} (run {owner.get('run_id')}) is running, started by "
        f"{owner.get('user')} on {owner.get('host')} pid {owner.get('pid')}, lock expires {owner.get('expires_at')}"
    )


def _expired(owner: dict[str, Any], now: datetime) -> bool:
    try:
        return datetime.fromisoformat(owner["expires_at"]) <= now
    except (KeyError, TypeError, ValueError):
        return True  # a lock we cannot read protects nothing


def _dead_local_process(owner: dict[str, Any]) -> bool:
    if owner.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(owner["pid"]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, KeyError, TypeError, ValueError):
        return False
    return False


class RunLock(Protocol):
    def acquire(self, owner: dict[str, Any]) -> None: ...
    def refresh(self, owner: dict[str, Any]) -> None: ...
    def release(self, owner: dict[str, Any]) -> None: ...


def make_owner(base: dict[str, Any], ttl_s: float, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(timezone.utc)
    return {**base, "acquired_at": now.isoformat(), "expires_at": (now + timedelta(seconds=ttl_s)).isoformat()}


class FileLock:
    """O_CREAT|O_EXCL on a lock file: atomic on local file systems."""

    def __init__(self, state_dir: Path, ttl_s: float = 3600.0):
        self.path = Path(state_dir) / LOCK_FILE
        self.ttl_s = ttl_s

    def holder(self) -> dict[str, Any] | None:
        try:
            data = orjson.loads(self.path.read_bytes())
            return data if isinstance(data, dict) else {}
        except FileNotFoundError:
            return None
        except orjson.JSONDecodeError:
            return {}

    def acquire(self, owner: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                held = self.holder()
                if held is None:
                    continue  # released between our open and our read
                if held.get("run_id") == owner.get("run_id") and held.get("pid") == owner.get("pid"):
                    return
                if _expired(held, datetime.now(timezone.utc)) or _dead_local_process(held):
                    self._remove_if(held)
                    continue
                raise LockHeld(describe(held)) from None
            try:
                os.write(fd, orjson.dumps(owner))
                os.fsync(fd)
            finally:
                os.close(fd)
            return
        raise LockHeld(describe(self.holder() or {}))

    def refresh(self, owner: dict[str, Any]) -> None:
        held = self.holder()
        if held and held.get("run_id") == owner.get("run_id"):
            tmp = self.path.with_suffix(".tmp")
            tmp.write_bytes(orjson.dumps(owner))
            os.replace(tmp, self.path)

    def release(self, owner: dict[str, Any]) -> None:
        held = self.holder()
        if held is not None and held.get("run_id") == owner.get("run_id"):
            self._remove_if(held)

    def _remove_if(self, held: dict[str, Any]) -> None:
        # Best effort compare-and-delete: only remove the lock we looked at.
        if self.holder() == held:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass


class FirestoreLock:
    """A lock document `{collection}/playbook-run`, created atomically with `create()`.

    `client` is a google.cloud.firestore.Client (or anything with the same small surface:
    collection().document() with create/get/update/delete). Every write after the create is
    conditional on the last-update time that was read (a compare-and-set), so two operators
    cannot both take over an expired document, and a run whose lock expired and was taken
    over meanwhile cannot overwrite or delete the new owner's document."""

    DOC_ID = "playbook-run"

    def __init__(self, client: Any, collection: str = "nba_console_locks"):
        self.client = client
        self.ref = client.collection(collection).document(self.DOC_ID)

    def acquire(self, owner: dict[str, Any]) -> None:
        from google.api_core.exceptions import AlreadyExists, FailedPrecondition, NotFound

        for _ in range(2):
            try:
                self.ref.create(owner)
                return
            except AlreadyExists:
                snap = self.ref.get()
                held = snap.to_dict() if snap.exists else None
                if held is None:
                    continue
                if held.get("run_id") == owner.get("run_id"):
                    try:
                        self._replace_if_unchanged(snap, owner)
                        return
                    except (FailedPrecondition, NotFound):
                        continue  # changed hands since our read: look again
                if not _expired(held, datetime.now(timezone.utc)):
                    raise LockHeld(describe(held)) from None
                try:
                    self.ref.delete(option=self.client.write_option(last_update_time=snap.update_time))
                except (FailedPrecondition, NotFound):
                    pass
        raise LockHeld("the Firestore playbook lock is contended; try again")

    def _replace_if_unchanged(self, snap: Any, owner: dict[str, Any]) -> None:
        """Write `owner` over the document only if it still is the one `snap` read.

        `update()` is the write that takes a last-update-time precondition (`set()` takes
        none); fields the old owner had and this one lacks are deleted, so the document ends
        up equal to `owner`. Owner keys are plain identifiers (no dots, read as paths)."""
        from google.cloud.firestore import DELETE_FIELD

        fields: dict[str, Any] = dict(owner)
        for key in snap.to_dict() or {}:
            fields.setdefault(key, DELETE_FIELD)
        self.ref.update(fields, option=self.client.write_option(last_update_time=snap.update_time))

    def refresh(self, owner: dict[str, Any]) -> None:
        from google.api_core.exceptions import FailedPrecondition, NotFound

        snap = self.ref.get()
        if snap.exists and (snap.to_dict() or {}).get("run_id") == owner.get("run_id"):
            try:
                self._replace_if_unchanged(snap, owner)
            except (FailedPrecondition, NotFound):
                pass  # taken over after it expired: it is not ours to extend any more

    def release(self, owner: dict[str, Any]) -> None:
        from google.api_core.exceptions import FailedPrecondition, NotFound

        snap = self.ref.get()
        if snap.exists and (snap.to_dict() or {}).get("run_id") == owner.get("run_id"):
            try:
                self.ref.delete(option=self.client.write_option(last_update_time=snap.update_time))
            except (FailedPrecondition, NotFound):
                pass  # taken over or already gone: never delete another run's lock


class LazyFirestoreLock:
    """Builds the Firestore client only when a run starts, and turns a missing credential
    or an unreachable Firestore into a refusal: no lock, no run."""

    def __init__(self, project: str, collection: str, client_factory=None):
        self.project, self.collection = project, collection
        self.client_factory = client_factory
        self._lock: FirestoreLock | None = None

    def _get(self) -> FirestoreLock:
        if self._lock is None:
            factory = self.client_factory
            if factory is None:
                from google.cloud import firestore

                factory = lambda: firestore.Client(project=self.project)  # noqa: E731
            self._lock = FirestoreLock(factory(), self.collection)
        return self._lock

    def acquire(self, owner: dict[str, Any]) -> None:
        try:
            self._get().acquire(owner)
        except LockHeld:
            raise
        except Exception as exc:  # credentials, network, permissions
            raise LockHeld(f"cannot take the Firestore run lock: {type(exc).__name__}: {exc}") from exc

    def refresh(self, owner: dict[str, Any]) -> None:
        if self._lock is not None:
            self._lock.refresh(owner)

    def release(self, owner: dict[str, Any]) -> None:
        if self._lock is not None:
            try:
                self._lock.release(owner)
            except Exception:
                pass  # it expires; releasing must not hide the run's own outcome


def default_lock(settings) -> "CombinedLock":
    locks: list[RunLock] = [FileLock(settings.state_dir, settings.playbooks.lock_ttl_s)]
    if settings.backend == "gcp" and settings.playbooks.firestore_lock:
        locks.append(LazyFirestoreLock(settings.project, settings.playbooks.lock_collection))
    return CombinedLock(*locks)


class CombinedLock:
    """Take every lock in order; give back the ones already taken if a later one is held."""

    def __init__(self, *locks: RunLock):
        self.locks = locks

    def acquire(self, owner: dict[str, Any]) -> None:
        taken: list[RunLock] = []
        try:
            for lock in self.locks:
                lock.acquire(owner)
                taken.append(lock)
        except BaseException:
            for lock in reversed(taken):
                lock.release(owner)
            raise

    def refresh(self, owner: dict[str, Any]) -> None:
        for lock in self.locks:
            lock.refresh(owner)

    def release(self, owner: dict[str, Any]) -> None:
        for lock in reversed(self.locks):
            lock.release(owner)
