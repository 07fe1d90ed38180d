"""The run lock a playbook run takes: the local file lock and, on gcp, the Firestore lock
(issue 12: here, not in lock.py, so lock.py and lock_firestore.py, which builds on its
rules, are in no import circle)."""

from __future__ import annotations

from typing import Any

from console.playbook.lock import FileLock, RunLock
from console.playbook.lock_firestore import CALL_TIMEOUT_S, LazyFirestoreLock


def default_lock(settings) -> CombinedLock:
    # tz: the lock's messages name times in the configured zone, as every time people read
    locks: list[RunLock] = [FileLock(settings.state_dir, settings.playbooks.lock_ttl_s, settings.tz)]
    if settings.backend == "gcp" and settings.playbooks.firestore_lock:
        # Each call bounded by gcp.query_timeout_s too, as every other gcp read.
        locks.append(
            LazyFirestoreLock(
                settings.project,
                settings.playbooks.lock_collection,
                ttl_s=settings.playbooks.lock_ttl_s,
                tz=settings.tz,
                call_timeout_s=min(CALL_TIMEOUT_S, settings.gcp.query_timeout_s),
            )
        )
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

    def verify(self, owner: dict[str, Any]) -> None:
        for lock in self.locks:
            lock.verify(owner)

    def release(self, owner: dict[str, Any]) -> None:
        for lock in reversed(self.locks):
            lock.release(owner)
