"""A Firestore document listener that survives errors.

google-cloud-firestore's `on_snapshot` pushes every change over a Listen stream and
resumes by itself after transient errors; after a non-recoverable one (permission denied,
a stream the server ended) it closes silently and no callback says so. A supervisor thread
notices the closed listener (it checks the listener's state, not the document) and opens a
new one with exponential back-off, so the Phase 3 panel keeps changing the moment a
processor completes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from console.core.backoff import BackoffPolicy

MAX_BACKOFF_S = 60.0


class DocumentWatch:
    def __init__(
        self,
        open_listener: Callable[[Callable], Any],
        deliver: Callable[[list], None],
        report: Callable[[BaseException], None],
        *,
        initial_backoff_s: float = 1.0,
        health_check_s: float = 1.0,
    ):
        self._open = open_listener
        self._deliver = deliver
        self._report = report
        self._initial = initial_backoff_s
        self._health_check_s = health_check_s
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._listener: Any = None
        self._thread: threading.Thread | None = None
        self.opened = 0  # listeners opened so far (1 + re-establishments)
        self.errors = 0

    # ------------------------------------------------------------------ public

    def start(self) -> DocumentWatch:
        self._try_open()
        self._thread = threading.Thread(target=self._supervise, name="firestore-watch", daemon=True)
        self._thread.start()
        return self

    @property
    def active(self) -> bool:
        listener = self._listener
        return listener is not None and _is_active(listener)

    def unsubscribe(self) -> None:
        self._stop.set()
        with self._lock:
            listener, self._listener = self._listener, None
        _close(listener)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    # ------------------------------------------------------------------ internals

    def _on_snapshot(self, docs, _changes, _read_time) -> None:
        if self._stop.is_set():
            return
        try:
            self._deliver(docs)
        except Exception as exc:  # noqa: BLE001 - a screen's bug must not kill the listener
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        self.errors += 1
        try:
            self._report(exc)
        except Exception:  # noqa: BLE001, S110 - a broken reporter must not kill the listener it reports on
            pass

    def _try_open(self) -> bool:
        try:
            listener = self._open(self._on_snapshot)
        except Exception as exc:  # noqa: BLE001 - reported, retried by the supervisor
            self._fail(exc)
            return False
        with self._lock:
            if self._stop.is_set():
                _close(listener)
                return False
            old, self._listener = self._listener, listener
            self.opened += 1
        _close(old)
        return True

    def _supervise(self) -> None:
        # Not tenacity's loop: between tries it waits on the stop event and checks the
        # listener's health; the waits come from the one policy (doubling, no jitter).
        policy = BackoffPolicy(self._initial, cap=MAX_BACKOFF_S)
        failures = 1
        while not self._stop.wait(self._health_check_s):
            if self.active:
                failures = 1
                continue
            if self._listener is not None:
                self._fail(ConnectionError("the Firestore listener stopped; re-establishing"))
            if self._stop.wait(policy.delay(failures)):
                return
            if not self._try_open():
                failures += 1


def _is_active(listener: Any) -> bool:
    if getattr(listener, "_closed", False):
        return False
    return bool(getattr(listener, "is_active", True))


def _close(listener: Any) -> None:
    if listener is None:
        return
    try:
        listener.unsubscribe()
    except Exception:  # noqa: BLE001, S110 - closing a dead listener may raise its last error
        pass
