"""The log screen's memory: a bounded ring of entries plus the filtered view of it.

Pure (no Textual) so the benchmark and tests drive it directly. Memory is bounded by
`capacity`, whatever the stream: the oldest entries are dropped and counted. While paused,
arrivals wait in a queue bounded the same way, so the rows on screen do not move.
"""

from __future__ import annotations

from collections import deque
from typing import Iterable

from .query import LogQuery
from ..core.models import LogEntry

_COMPACT_AT = 4096  # compact the view's list once this many dropped rows lead it


class LogBuffer:
    def __init__(self, capacity: int = 100_000, query: LogQuery | None = None):
        if capacity < 1:
            raise ValueError("log buffer capacity must be at least 1")
        self.capacity = capacity
        self.query = query or LogQuery()
        self._rows: deque[tuple[int, LogEntry]] = deque(maxlen=capacity)
        self._shown: list[tuple[int, LogEntry]] = []
        self._shown_start = 0
        self._pending: deque[LogEntry] = deque(maxlen=capacity)
        self._seq = 0
        self.received = 0
        self.dropped = 0
        self.paused = False

    # ------------------------------------------------------------------ feeding

    def extend(self, entries: Iterable[LogEntry]) -> int:
        """Add arrivals; returns how many became visible (0 while paused)."""
        entries = list(entries)
        self.received += len(entries)
        if self.paused:
            overflow = max(0, len(self._pending) + len(entries) - self.capacity)
            self.dropped += overflow
            self._pending.extend(entries)
            return 0
        return self._append(entries)

    def _append(self, entries: list[LogEntry]) -> int:
        if not entries:
            return 0
        overflow = max(0, len(self._rows) + len(entries) - self.capacity)
        self.dropped += overflow
        rows, shown, matches = self._rows, self._shown, self.query.matches
        everything = self.query.is_empty
        added = 0
        for entry in entries:
            self._seq += 1
            row = (self._seq, entry)
            rows.append(row)
            if everything or matches(entry):
                shown.append(row)
                added += 1
        if overflow:
            self._trim_view()
        return added

    def _trim_view(self) -> None:
        oldest = self._rows[0][0] if self._rows else self._seq + 1
        shown, i = self._shown, self._shown_start
        while i < len(shown) and shown[i][0] < oldest:
            i += 1
        self._shown_start = i
        if i >= _COMPACT_AT and i * 2 >= len(shown):
            del shown[:i]
            self._shown_start = 0

    # ------------------------------------------------------------------ pause / filter

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> int:
        self.paused = False
        pending, self._pending = list(self._pending), deque(maxlen=self.capacity)
        return self._append(pending)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def set_query(self, query: LogQuery) -> None:
        self.query = query
        if query.is_empty:
            self._shown = list(self._rows)
        else:
            matches = query.matches
            self._shown = [row for row in self._rows if matches(row[1])]
        self._shown_start = 0

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def shown_count(self) -> int:
        return len(self._shown) - self._shown_start

    def shown(self, index: int) -> LogEntry:
        return self._shown[self._shown_start + index][1]

    def shown_slice(self, start: int, stop: int) -> list[LogEntry]:
        base = self._shown_start
        return [row[1] for row in self._shown[base + start: base + stop]]
