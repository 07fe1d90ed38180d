"""What every log source is to its readers (the log screen, `tail`, `replay`, the live trace):
`poll()` returns the entries that arrived since the last call, oldest first, never blocks for
long and never raises for a bad line; `close()`; `describe()` names it for a person.

The implementations do I/O and live in console/backends/ (local_log_source.py: files, replay,
the clock gate; gcp_log_source.py and gcp_log_tail.py: Cloud Logging); this protocol stays pure.
"""

from __future__ import annotations

from typing import Protocol

from console.core.log_entry import LogEntry


class LogSource(Protocol):
    def poll(self) -> list[LogEntry]: ...

    def close(self) -> None: ...

    def describe(self) -> str: ...
