"""An export opened in the log screen (`nba-console logs open FILE…`, `o` on the log screen).

Memory: the file is indexed, not held. Each entry costs ~27 bytes of arrays (where it lies,
its time, severity rank and service), the display order and the filtered rows 4 bytes each;
an entry is decoded again from the memory-mapped file when it is drawn, and only the last
`CACHE` decoded entries are kept. A 1,000,000-entry export (500 MB) is ~35 MB of index, never
1,000,000 entries (the live screen's buffer holds at most `logs.buffer_entries`).

Loading is a sequence of small steps (`step()`, called from the screen's worker thread): each
indexes about 2 MB of an NDJSON file, from the end of the file the first screen needs (an
export in ascending order shown newest first is read backwards), and appends its rows to the
display order, so the first screen is there after the first step. Rows out of order across
steps (files whose times overlap, a file not in time order, a JSON array) are sorted once all
is loaded ("sorting" on the status line). The filter runs in the same steps over every row
loaded: severity, service and time from the index alone, text by decoding the entry.

The UI thread reads (`shown`, `shown_count`, `counts` ...) while the worker appends: arrays
only grow, and what a new filter replaces is swapped under one lock. Pure of Textual.
"""

from __future__ import annotations

import mmap
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from cachetools import LRUCache

from console.core.log_entry import LogEntry
from console.core.safefile import open_regular
from console.logs import search
from console.logs.candidates import all_bounds
from console.logs.histogram import TimeCounts, level_of, second_of
from console.logs.json_stream import NotStreamable, iter_spans
from console.logs.parse import entry_fields, entry_from_dict, parse_line
from console.logs.query import SEVERITIES, LogQuery, severity_rank
from console.logs.search import Mapped

CHUNK = 2 << 20  # bytes indexed per step: ~4,000 entries, ~15 ms of the GIL
FILTER_STEP = 20_000  # rows the filter examines per step
CACHE = 4096  # decoded entries kept (the rows drawn, and around them)
MAX_SERVICES = 65_535  # distinct services indexed; past that a service is found by decoding
_OTHER_SERVICE = MAX_SERVICES


class ExportView:
    """The log screen's rows for an export: the LogBuffer read interface (shown_count,
    shown, shown_slice, set_query, counts ...) over an index of the files."""

    paused = False
    pending = 0
    dropped = 0

    def __init__(self, paths: Iterable[Path], newest_first: bool = False):
        self.newest_first = newest_first
        self.paths = search.expand(paths)
        if not self.paths:
            raise search.SearchError("no log files to open (FILE, or a DIR with *.json / *.ndjson files)")
        self._files: list[tuple[Path, Mapped, bool]] = []
        try:
            for path in self.paths:
                data = search.map_file(path)
                self._files.append((path, data, bool(data) and search.is_array(data)))
        except BaseException:
            self.close()
            raise
        self.bytes_total = sum(len(d) for _, d, _ in self._files)
        self.bytes_read = 0
        # the index, one slot per entry in load order
        self._file, self._start, self._len = array("H"), array("q"), array("I")
        self._ts, self._rank, self._svc = array("d"), array("b"), array("H")
        self._services: list[str] = []
        self._service_ids: dict[str, int] = {}
        self.order = array("i")  # entry numbers in display order
        self.in_order = True  # False: rows are sorted once all is loaded
        self.skipped = 0
        self.errors: list[str] = []
        self.loaded = False
        self._all_counts = TimeCounts()
        # the filter (None: every row shown)
        self.query = LogQuery()
        self._shown: array[int] | None = None
        self._shown_counts = TimeCounts()
        self._examined = 0
        self._generation = 0
        self._lock = threading.Lock()
        self._cache: LRUCache[int, LogEntry] = LRUCache(CACHE)
        self._plan = self._loading()

    # ------------------------------------------------------------------ reading (UI thread)

    def __len__(self) -> int:
        return len(self.order)

    @property
    def received(self) -> int:
        return len(self.order)

    @property
    def shown_count(self) -> int:
        shown = self._shown
        return len(self.order) if shown is None else len(shown)

    @property
    def counts(self) -> TimeCounts:
        return self._all_counts if self._shown is None else self._shown_counts

    @property
    def filtering(self) -> float | None:
        """How far the filter has got over the rows loaded (0..1), None when it is done."""
        if self._shown is None or self._examined >= len(self.order):
            return None
        return self._examined / max(1, len(self.order))

    def number(self, index: int) -> int:
        shown = self._shown
        return self.order[index] if shown is None else shown[index]

    def shown(self, index: int) -> LogEntry:
        return self.entry(self.number(index))

    def shown_slice(self, start: int, stop: int) -> list[LogEntry]:
        stop = min(stop, self.shown_count)
        return [self.shown(i) for i in range(max(0, start), stop)]

    def entry(self, k: int) -> LogEntry:
        cached = self._cache.get(k)
        if cached is None:
            cached = self._cache[k] = self._decode(k)
        return cached

    def _decode(self, k: int) -> LogEntry:
        path, data, is_array = self._files[self._file[k]]
        raw = data[self._start[k] : self._start[k] + self._len[k]]
        entry = entry_from_dict(orjson.loads(raw)) if is_array else parse_line(raw)
        if entry is None:  # the file changed under the index: say so in the row, never crash
            entry = LogEntry(timestamp=datetime.fromtimestamp(self._ts[k], UTC), text=f"(changed on disk: {path})")
        return entry

    @property
    def entries_held(self) -> int:
        """Decoded entries kept in memory (at most CACHE, whatever the export's size)."""
        return len(self._cache)

    def severity_of(self, index: int) -> str:
        return self.shown(index).severity

    def next_at_least(self, index: int, rank: int, step: int) -> int | None:
        """The next shown row after `index` (step 1, or before it: -1) at `rank` or above."""
        floor, ranks, count = rank // 100, self._rank, self.shown_count
        i = index + step
        while 0 <= i < count:
            if ranks[self.number(i)] >= floor:
                return i
            i += step
        return None

    def first_at_or_after(self, ts: float, until: float) -> int | None:
        """The first shown row (in display order) with ts <= its time < until."""
        times = self._ts
        for i in range(self.shown_count):
            if ts <= times[self.number(i)] < until:
                return i
        return None

    def held(self) -> Iterator[LogEntry]:
        """Every loaded entry, in display order, decoded one by one (SQL's table)."""
        for k in array("i", self.order):  # a copy: a sort at the end of loading replaces the order
            yield self._decode(k)

    # ------------------------------------------------------------------ the filter (UI thread)

    def set_query(self, query: LogQuery) -> None:
        with self._lock:
            self.query = query
            self._generation += 1
            self._shown = None if query.is_empty else array("i")
            self._shown_counts = TimeCounts()
            self._examined = 0

    # ------------------------------------------------------------------ loading (worker thread)

    def step(self) -> bool:
        """One step of work (indexing, sorting or filtering); False when there is none left
        (until the filter changes)."""
        if not self.loaded:
            try:
                next(self._plan)
            except StopIteration:
                self.loaded = True
                if not self.in_order:
                    self._sort()
            return True
        return self._filter_step()

    @property
    def progress(self) -> float:
        return 1.0 if self.loaded else self.bytes_read / max(1, self.bytes_total)

    def _loading(self) -> Iterator[None]:
        for number, (path, data, is_array) in enumerate(self._files):
            if not data:
                continue
            try:
                if is_array:
                    yield from self._load_array(number, path, data)
                else:
                    yield from self._load_ndjson(number, data)
            except search.SearchError as exc:
                self.errors.append(str(exc))

    def _load_ndjson(self, number: int, data: Mapped) -> Iterator[None]:
        size = len(data)
        backwards = self._descending(data) != self.newest_first
        pos = size if backwards else 0
        while (pos > 0) if backwards else (pos < size):
            if backwards:
                start = pos - CHUNK
                if start <= 0:
                    start = 0
                else:
                    cut = data.find(b"\n", start, pos)
                    # No line starts inside: the line ending at pos is longer than a chunk.
                    start = cut + 1 if cut != -1 and cut + 1 < pos else _line_start(data, pos - 1)
                chunk = (start, pos)
                pos = start
            else:
                end = min(size, pos + CHUNK)
                if end < size:
                    cut = data.rfind(b"\n", pos, end)
                    end = cut + 1 if cut != -1 else _line_end(data, end)
                chunk = (pos, end)
                pos = end
            self._publish(self._index_lines(number, data, *chunk))
            self.bytes_read += chunk[1] - chunk[0]
            _let_go(data, *chunk)
            yield

    def _descending(self, data: Mapped) -> bool:
        """Whether the file's first entry is newer than its last (gcloud's order)."""
        first = last = None
        for s, e in all_bounds(data, 0, min(len(data), CHUNK)):
            if (first := parse_line(data[s:e])) is not None:
                break
        start = _line_start(data, max(0, len(data) - CHUNK)) if len(data) > CHUNK else 0
        for s, e in reversed(all_bounds(data, start, len(data))):
            if (last := parse_line(data[s:e])) is not None:
                break
        return first is not None and last is not None and first.timestamp > last.timestamp

    def _index_lines(self, number: int, data: Mapped, start: int, stop: int) -> list[int]:
        loads, decode_error = orjson.loads, orjson.JSONDecodeError
        added: list[int] = []
        for s, e in all_bounds(data, start, stop):
            try:
                fields = entry_fields(loads(data[s:e]))
            except decode_error:
                fields = None
            if fields is None:
                self.skipped += bool(data[s:e].strip())
                continue
            added.append(self._add(number, s, e - s, fields))
        return added

    def _load_array(self, number: int, path: Path, data: Mapped) -> Iterator[None]:
        """A JSON array (gcloud's export, usually small): indexed whole, then published sorted."""
        added: list[int] = []
        try:
            with open_regular(path) as fh:
                for i, (s, e, raw) in enumerate(iter_spans(fh)):
                    fields = entry_fields(raw)
                    if fields is None:
                        self.skipped += 1
                    else:
                        added.append(self._add(number, s, e - s, fields))
                    if i % 4096 == 4095:
                        self.bytes_read = min(self.bytes_total, self.bytes_read + 4096 * 200)
                        yield
        except NotStreamable:
            raise search.SearchError(f"{path}: not a plain JSON array of log entries (try `logs search`)") from None
        self._publish(added)
        yield

    def _add(self, number: int, start: int, length: int, fields: tuple[Any, str, str, str]) -> int:
        moment, severity, service, _ = fields
        sid = self._service_ids.get(service)
        if sid is None:
            sid = _OTHER_SERVICE
            if len(self._services) < MAX_SERVICES:
                sid = self._service_ids[service] = len(self._services)
                self._services.append(service)
        k = len(self._ts)
        self._file.append(number)
        self._start.append(start)
        self._len.append(length)
        self._ts.append(moment.timestamp())
        self._rank.append(severity_rank(severity) // 100)
        self._svc.append(sid)
        return k

    def _publish(self, numbers: list[int]) -> None:
        """A step's rows, sorted, appended at the end of the display order."""
        if not numbers:
            return
        numbers.sort(key=self._ts.__getitem__, reverse=self.newest_first)
        times, ranks, counts = self._ts, self._rank, self._all_counts
        for k in numbers:
            counts.add(second_of(times[k]), level_of(ranks[k] * 100))
        with self._lock:
            if self.order:
                last, first = times[self.order[-1]], times[numbers[0]]
                if (first > last) if self.newest_first else (first < last):
                    self.in_order = False
            self.order.extend(numbers)

    def _sort(self) -> None:
        ordered = array("i", sorted(self.order, key=self._ts.__getitem__, reverse=self.newest_first))
        with self._lock:
            self.order = ordered
            self.in_order = True
            if self._shown is not None:  # the filtered rows follow the new order: found again
                self._generation += 1
                self._shown, self._shown_counts, self._examined = array("i"), TimeCounts(), 0

    def _filter_step(self) -> bool:
        with self._lock:
            shown, query, generation = self._shown, self.query, self._generation
            start = self._examined
            rows = self.order[start : start + FILTER_STEP]
        if shown is None or not rows:
            return False
        keep = self._matcher(query)
        matched = [k for k in rows if keep(k)]
        with self._lock:
            if generation != self._generation:
                return True  # the filter changed meanwhile: this step's answer is for the old one
            shown.extend(matched)
            self._examined = start + len(rows)
            for k in matched:
                self._shown_counts.add(second_of(self._ts[k]), level_of(self._rank[k] * 100))
        return True

    def _matcher(self, query: LogQuery) -> Callable[[int], bool]:
        """`query.matches` for entry number k: from the index when the query names no text
        (the same rules: ranks, service names and times are what matches reads), else on the
        decoded entry."""
        if query.patterns:
            return lambda k: query.matches(self._decode(k))
        floor = SEVERITIES[query.severity] // 100 if query.severity else None
        since = query.since.timestamp() if query.since else None
        until = query.until.timestamp() if query.until else None
        services = [query.service_matches(name) for name in self._services] if query.service else None
        ts, ranks, svc = self._ts, self._rank, self._svc

        def keep(k: int) -> bool:
            if floor is not None and ranks[k] < floor:
                return False
            if since is not None and ts[k] < since:
                return False
            if until is not None and ts[k] > until:
                return False
            if services is not None:
                sid = svc[k]
                return services[sid] if sid != _OTHER_SERVICE else query.matches(self._decode(k))
            return True

        return keep

    def close(self) -> None:
        for _, data, _ in self._files:
            if hasattr(data, "close"):
                data.close()
        self._files = [(p, b"", a) for p, _, a in self._files]


def _let_go(data: Mapped, start: int, stop: int) -> None:
    """The pages of data[start:stop] indexed, out of this process's resident memory: they stay
    in the page cache (a drawn row maps its page again), but the RSS stays the index's."""
    if isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        first = start - start % mmap.PAGESIZE
        try:
            data.madvise(mmap.MADV_DONTNEED, first, stop - first)
        except (OSError, ValueError):  # not on this system: the kernel reclaims them when it must
            pass


def _line_start(data: Mapped, pos: int) -> int:
    """The start of the line holding `pos` (a line longer than a chunk: indexed whole)."""
    at: int = data.rfind(b"\n", 0, pos) + 1
    return at


def _line_end(data: Mapped, pos: int) -> int:
    end = data.find(b"\n", pos)
    return len(data) if end == -1 else end + 1
