"""The log stream the TUI watches, whatever the backend and whatever the clock.

`open_log_source(settings, clock)` gives a LogSource: on local, the data dir's log files
followed like `tail -f`; on gcp, Cloud Logging's TailLogEntries stream (polled
`list_entries` where the tail is refused). Either way the stream
is gated by the clock, so the demo's replay clock releases the morning's lines as it
reaches them, and the system clock releases everything at once.
"""

from __future__ import annotations

from console.backends.local_log_source import ClockGate, LocalLogSource
from console.core.clock import Clock
from console.core.config import Settings
from console.core.models import LogEntry
from console.logs.query import LogQuery
from console.logs.source import LogSource


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
        from console.backends.gcp_clients import ClientFactory
        from console.backends.gcp_errors import translate
        from console.backends.gcp_log_tail import open_gcp_tail

        # The TailLogEntries stream (polled list_entries where the tail is refused); it
        # follows real time, so no clock gate.
        try:
            return open_gcp_tail(settings, query, clock, ClientFactory(settings.project))
        except Exception as exc:  # noqa: BLE001 - no credentials, no client: the screen says so
            return _FailedSource(str(translate(exc, "logging")))
    return ClockGate(LocalLogSource.for_settings(settings, query), clock)
