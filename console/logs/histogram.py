"""Entries per time bucket by severity: the log screen's volume strip (lnav's `i`).

`TimeCounts` keeps, per second of log time, how many entries are below WARNING, WARNING, and
ERROR or above; the log screen's views keep one for the rows they show (added and removed as
rows come and go, reset when the filter changes), so drawing never walks the rows. `buckets`
groups the seconds into at most `columns` buckets of a width that follows the span (1 s to a
week, always a round width, aligned on it). Pure: no Textual.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from console.core.log_entry import LogEntry
from console.logs.query import severity_rank

LEVELS = ("other", "warning", "error")  # below WARNING (rank < 400), WARNING (400-499), ERROR and above
WIDTHS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800)


def level_of(rank: int) -> int:
    """0 below WARNING, 1 WARNING (400 to 499), 2 ERROR and above (500 and up)."""
    return 2 if rank >= 500 else 1 if rank >= 400 else 0


def second_of(ts: float) -> int:
    return math.floor(ts)


class TimeCounts:
    """Entries per second of log time, per level."""

    __slots__ = ("seconds", "total")

    def __init__(self) -> None:
        self.seconds: dict[int, list[int]] = {}
        self.total = 0

    def add(self, second: int, level: int, n: int = 1) -> None:
        counts = self.seconds.get(second)
        if counts is None:
            counts = self.seconds[second] = [0, 0, 0]
        counts[level] += n
        self.total += n

    def remove(self, second: int, level: int, n: int = 1) -> None:
        counts = self.seconds.get(second)
        if counts is None:
            return
        counts[level] -= n
        self.total -= n
        if not any(counts):
            del self.seconds[second]

    def add_entries(self, entries: Iterable[LogEntry | None]) -> None:
        add = self.add
        for e in entries:
            if e is not None:  # a dropped row the buffer has not compacted away yet
                add(math.floor(e.timestamp.timestamp()), level_of(severity_rank(e.severity)))

    def remove_entries(self, entries: Iterable[LogEntry | None]) -> None:
        remove = self.remove
        for e in entries:
            if e is not None:
                remove(math.floor(e.timestamp.timestamp()), level_of(severity_rank(e.severity)))

    def clear(self) -> None:
        self.seconds.clear()
        self.total = 0

    def buckets(self, columns: int) -> Histogram | None:
        """At most `columns` buckets over the span of the seconds counted (None: nothing)."""
        # A copy (one C call, atomic under the GIL): an export's loader thread adds seconds
        # while the screen draws.
        seconds = self.seconds.copy()
        if not seconds or columns < 1:
            return None
        first, last = min(seconds), max(seconds)
        width = WIDTHS[-1]
        for w in WIDTHS:
            if (last - (first - first % w)) // w + 1 <= columns:
                width = w
                break
        else:  # longer than `columns` weeks: whole weeks, as many as it takes
            width = WIDTHS[-1] * math.ceil((last - first + 1) / (WIDTHS[-1] * columns))
        start = first - first % width
        n = (last - start) // width + 1
        counts = [[0, 0, 0] for _ in range(n)]
        for second, c in seconds.items():
            b = counts[(second - start) // width]
            b[0] += c[0]
            b[1] += c[1]
            b[2] += c[2]
        return Histogram(start, width, [(c[0], c[1], c[2]) for c in counts])


@dataclass(frozen=True)
class Histogram:
    start: int  # the first bucket's first second (since the epoch), a multiple of `width`
    width: int  # seconds per bucket
    counts: list[tuple[int, int, int]]  # per bucket: (below WARNING, WARNING, ERROR and above)

    def bucket_of(self, ts: float) -> int | None:
        i = (math.floor(ts) - self.start) // self.width
        return i if 0 <= i < len(self.counts) else None

    def bucket_start(self, i: int) -> int:
        return self.start + i * self.width

    @property
    def peak(self) -> int:
        return max((sum(c) for c in self.counts), default=0)


def width_text(seconds: int) -> str:
    """`1s`, `30s`, `5m`, `1h`, `1d`, `7d`: a bucket's width for the axis line."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
