"""The log stream the TUI watches, whatever the backend and whatever the clock.

`open_log_source(settings, clock)` gives a LogSource: on local, the data dir's log files
followed like `tail -f`; on gcp, Cloud Logging's TailLogEntries stream (polled
`list_entries` where the tail is refused). Either way the stream
is gated by the clock, so the demo's replay clock releases the morning's lines as it
reaches them, and the system clock releases everything at once.
"""

from __future__ import annotations

import heapq
import itertools
from typing import Any

from .clock import Clock
from .config import Settings
from .logquery import LogQuery
from .logsource import LocalLogSource, LogSource
from .models import LogEntry


class ClockGate:
    """Holds back entries stamped after `clock.now()` until the clock reaches them."""

    def __init__(self, inner: LogSource, clock: Clock):
        self.inner = inner
        self.clock = clock
        self._pending: list[tuple[Any, int, LogEntry]] = []
        self._seq = itertools.count()  # ties keep arrival order; entries are not comparable

    @property
    def error(self) -> str | None:
        return getattr(self.inner, "error", None)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def poll(self) -> list[LogEntry]:
        for entry in self.inner.poll():
            heapq.heappush(self._pending, (entry.timestamp, next(self._seq), entry))
        now = self.clock.now()
        out = []
        while self._pending and self._pending[0][0] <= now:
            out.append(heapq.heappop(self._pending)[2])
        return out

    def close(self) -> None:
        self.inner.close()

    def describe(self) -> str:
        return self.inner.describe()


class _FailedSource:
    """A source that could not be opened: says why on every poll instead of raising."""

    def __init__(self, message: str):
        self.error = message

    def poll(self) -> list[LogEntry]:
        return []

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return f"unavailable: {self.error}"


def open_log_source(settings: Settings, clock: Clock, query: LogQuery | None = None) -> LogSource:
    if settings.backend == "gcp":
        from .backends.gcp_clients import ClientFactory
        from .backends.gcp_errors import translate
        from .logsource_tail import open_gcp_tail

        # The TailLogEntries stream (polled list_entries where the tail is refused); it
        # follows real time, so no clock gate.
        try:
            return open_gcp_tail(settings, query, clock, ClientFactory(settings.project))
        except Exception as exc:  # noqa: BLE001 - no credentials, no client: the screen says so
            return _FailedSource(str(translate(exc, "logging")))
    return ClockGate(LocalLogSource.for_settings(settings, query), clock)
