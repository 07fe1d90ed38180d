"""A run's hold on the lock while it lives: refreshed from a thread every third of the TTL
(so a step that runs, or a prompt left open, never lets it expire), updated with the
running step's process group, and checked before every action.

If a refresh finds the lock is no longer ours, the loss is kept and `check()` raises it, so
the run stops before its next action instead of acting under someone else's lock.
"""

from __future__ import annotations

import threading
from typing import Any

from console.playbook.lock import LockLost, RunLock, make_owner


class Lease:
    def __init__(self, lock: RunLock, base: dict[str, Any], ttl_s: float):
        self.lock, self.ttl_s = lock, ttl_s
        self.base = dict(base)
        self.owner = make_owner(self.base, ttl_s)
        self.lost: str | None = None
        self._mu = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        self.lock.acquire(self.owner)
        self.base["acquired_at"] = self.owner["acquired_at"]

    def _refresh(self) -> None:
        with self._mu:
            if self.lost:
                raise LockLost(self.lost)
            owner = make_owner(self.base, self.ttl_s)
            try:
                self.lock.refresh(owner)
            except LockLost as exc:
                self.lost = str(exc)
                raise
            self.owner = owner

    def set_step(self, step: dict[str, Any] | None) -> None:
        """Record (or clear) the running step's process in the lock; raises LockLost."""
        with self._mu:
            self.base["step"] = step
        self._refresh()

    def check(self) -> None:
        """Raise LockLost unless this run still holds every lock."""
        if self.lost:
            raise LockLost(self.lost)
        try:
            self.lock.verify(self.owner)
        except LockLost as exc:
            self.lost = str(exc)
            raise

    def start(self) -> None:
        interval = max(0.2, min(self.ttl_s / 3, 60.0))

        def keep() -> None:
            while not self._stop.wait(interval):
                try:
                    self._refresh()
                except LockLost:
                    return
                except Exception:  # noqa: BLE001, S112 - a blip; the next tick or check() decides
                    continue

        self._thread = threading.Thread(target=keep, name="playbook-lease", daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        with self._mu:
            self.lock.release(self.owner)  # a no-op unless the lock is still ours
