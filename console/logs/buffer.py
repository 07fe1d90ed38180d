"""The log screen's memory: a bounded ring of entries plus the filtered view of it.

Pure (no Textual) so the benchmark and tests drive it directly. Memory is bounded by
`capacity`, whatever the stream: the oldest entries are dropped and counted. While paused,
arrivals wait in a queue bounded the same way, so the rows on screen do not move.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable
from typing import cast

from console.core.log_entry import LogEntry
from console.logs.histogram import TimeCounts
from console.logs.query import LogQuery, severity_rank

_COMPACT_AT = 4096  # compact the view's list once this many dropped rows lead it


class LogBuffer:
    # Entries only, no (seq, entry) tuple per row: every container object the buffer holds
    # per entry is one more object each full garbage collection walks (at 100,000 entries,
    # the tuples doubled the pause). A row's number is implicit in `_rows` (they are
    # consecutive) and kept beside `_shown` in an array of machine ints (no objects at all).

    def __init__(self, capacity: int = 100_000, query: LogQuery | None = None):
        if capacity < 1:
            raise ValueError("log buffer capacity must be at least 1")
        self.capacity = capacity
        self.query = query or LogQuery()
        self._rows: deque[LogEntry] = deque(maxlen=capacity)
        self._shown: list[LogEntry | None] = []  # None: a dropped row not compacted away yet
        self._shown_seq = array("q")  # the row number of each entry of `_shown`
        self._shown_start = 0
        self._pending: deque[LogEntry] = deque(maxlen=capacity)
        self._seq = 0  # the number of the newest row (rows count from 1)
        self.received = 0
        self.dropped = 0
        self.paused = False
        self.counts = TimeCounts()  # the shown rows per second and level: the histogram strip

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
        first = self._seq + 1
        self._seq += len(entries)
        self._rows.extend(entries)
        if self.query.is_empty:
            self._shown.extend(entries)
            self._shown_seq.extend(range(first, first + len(entries)))
            self.counts.add_entries(entries)
            added = len(entries)
        else:
            matches, shown, seqs = self.query.matches, self._shown, self._shown_seq
            added = 0
            for seq, entry in enumerate(entries, first):
                if matches(entry):
                    shown.append(entry)
                    seqs.append(seq)
                    added += 1
            self.counts.add_entries(shown[len(shown) - added :])
        if overflow:
            self._trim_view()
        return added

    def _oldest_seq(self) -> int:
        return self._seq - len(self._rows) + 1

    def _trim_view(self) -> None:
        oldest = self._oldest_seq()
        seqs, start = self._shown_seq, self._shown_start
        i = bisect_left(seqs, oldest, start)  # row numbers ascend
        # Let the dropped entries go now: their slots stay until the compaction below
        # (deleting a list's head on every batch would copy the list each time), but point at
        # nothing. Without this, up to `capacity` dropped entries stayed alive behind the view.
        self.counts.remove_entries(self._shown[start:i])
        self._shown[start:i] = [None] * (i - start)
        self._shown_start = i
        if i >= _COMPACT_AT and i * 2 >= len(seqs):
            del self._shown[:i]
            del seqs[:i]
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
        oldest = self._oldest_seq()
        if query.is_empty:
            self._shown = list(self._rows)
            self._shown_seq = array("q", range(oldest, self._seq + 1))
        else:
            matches = query.matches
            self._shown, self._shown_seq = [], array("q")
            for seq, entry in enumerate(self._rows, oldest):
                if matches(entry):
                    self._shown.append(entry)
                    self._shown_seq.append(seq)
        self._shown_start = 0
        self.counts.clear()
        self.counts.add_entries(self._shown)

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def shown_count(self) -> int:
        return len(self._shown) - self._shown_start

    def shown(self, index: int) -> LogEntry:
        # Rows from _shown_start on are never None (a dropped row is before it, until compacted).
        return cast(LogEntry, self._shown[self._shown_start + index])

    def shown_slice(self, start: int, stop: int) -> list[LogEntry]:
        base = self._shown_start
        return cast(list[LogEntry], self._shown[base + start : base + stop])  # as shown()

    # ------------------------------------------------------------------ moving around

    def held(self) -> list[LogEntry]:
        """Every row held, oldest first, filtered or not (SQL's table)."""
        return list(self._rows)

    def next_at_least(self, index: int, rank: int, step: int) -> int | None:
        """The next shown row after `index` (step 1, or before it: -1) at `rank` or above."""
        count, base, shown = self.shown_count, self._shown_start, self._shown
        i = index + step
        while 0 <= i < count:
            entry = shown[base + i]
            if entry is not None and severity_rank(entry.severity) >= rank:
                return i
            i += step
        return None

    def first_at_or_after(self, ts: float, until: float) -> int | None:
        """The first shown row (in the list's order) with ts <= its time < until."""
        base, shown = self._shown_start, self._shown
        for i in range(self.shown_count):
            entry = shown[base + i]
            if entry is not None and ts <= entry.timestamp.timestamp() < until:
                return i
        return None

    def severity_of(self, index: int) -> str:
        entry = self.shown(index)
        return entry.severity if entry is not None else "DEFAULT"
