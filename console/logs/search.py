"""The one reading and filtering path over exported log files: `logs search` (lines, NDJSON,
a count, the trace, SQL), `replay` and `tail --no-follow` on local files all come here, so one
optimisation serves them all.

How a file is searched (`find`): it is memory-mapped (the page cache is the buffer, nothing is
copied); an NDJSON file is cut into parts searched on every core (forked_parts.py), in each
part the candidate lines are found without a Python loop over lines (candidates.py) and only
those are decoded; `LogQuery.matches` on the decoded entry decides, so the answer is exactly
decode-then-filter's. A JSON array (`gcloud logging read --format=json`) is read element by
element (json_stream.py). What a file's search keeps per match is its time and where it lies
(24 bytes), plus, within `budget` bytes, the line already rendered for output; the rest is read
and rendered again when written. Memory is bounded by the number of matches, never by the file.

Time order (`ordered`): a file whose matches are in ascending order is written as it is, one in
descending order (gcloud's newest-first) backwards, anything else sorted by time; several files
are merged by time (ties: the order the files were named).

Pure of Textual and of the backends: files in, entries and bytes out.
"""

from __future__ import annotations

import functools
import heapq
import mmap
import operator
import os
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TypeAlias

import orjson

from console.core.log_entry import LogEntry
from console.core.safefile import UnsafeFileError, open_regular, read_regular
from console.logs import forked_parts, severity_scan
from console.logs.candidates import all_bounds, candidate_bounds, has_prefilter
from console.logs.json_stream import NotStreamable, iter_spans
from console.logs.parse import (
    MalformedLog,
    Skipped,
    entry_fields,
    entry_from_dict,
    entry_time_severity,
    parse_json_document,
    parse_line,
)
from console.logs.plain_line import PlainLine
from console.logs.query import LogQuery

BUDGET = 64 << 20  # bytes of rendered lines held per search; past it, lines are rendered again when written
SUFFIXES = (".json", ".ndjson")

Mapped: TypeAlias = bytes | mmap.mmap  # a file as searched: memory-mapped (b"" when empty)


class SearchError(ValueError):
    """A file that cannot be searched: not readable, not a log. The message names the path."""


# ------------------------------------------------------------------ what a part keeps


class Found:
    """The matches of one part of one file, in file order."""

    __slots__ = ("decoded", "end", "held", "out", "skipped", "start", "ts")

    def __init__(self) -> None:
        self.ts = array("d")  # seconds since the epoch (a double keeps microseconds distinct and in order)
        self.start = array("q")  # where each match lies in the file: [start, end)
        self.end = array("q")
        self.out: list[bytes] = []  # the rendered tails (PlainLine.tail) of the first len(out) matches
        self.held: list[LogEntry] | None = None  # a document decoded whole: the matches themselves
        self.skipped = 0  # malformed entries among the lines decoded
        self.decoded = 0  # entries decoded (for "is this a log at all")

    def __len__(self) -> int:
        return len(self.ts)


@dataclass
class FileFound:
    """One file's matches (its parts joined) and what is needed to read them again."""

    path: Path
    data: Mapped  # the mmap (or b"" for an empty file)
    is_array: bool
    ts: array[float] = field(default_factory=lambda: array("d"))
    start: array[int] = field(default_factory=lambda: array("q"))
    end: array[int] = field(default_factory=lambda: array("q"))
    out: list[bytes | None] = field(default_factory=list)  # rendered tails, None where not kept
    held: list[LogEntry] | None = None
    skipped: int = 0

    def join(self, parts: list[Found]) -> None:
        for part in parts:
            self.ts.extend(part.ts)
            self.start.extend(part.start)
            self.end.extend(part.end)
            self.out.extend(part.out)
            self.out.extend([None] * (len(part.ts) - len(part.out)))
            if part.held is not None:
                self.held = (self.held or []) + part.held
            self.skipped += part.skipped

    def entry(self, i: int) -> LogEntry | None:
        """The i-th match, decoded again from its bytes (or held)."""
        if self.held is not None:
            return self.held[i]
        raw = self.data[self.start[i] : self.end[i]]
        if not self.is_array:
            return parse_line(raw)
        return entry_from_dict(orjson.loads(raw))

    def close(self) -> None:
        if isinstance(self.data, mmap.mmap):
            self.data.close()


# ------------------------------------------------------------------ files


def expand(paths: Iterable[Path]) -> list[Path]:
    """FILE or DIR arguments to files: a directory gives its *.json and *.ndjson, sorted."""
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and not p.is_dir())
        else:
            out.append(path)
    return out


def map_file(path: Path, max_bytes: int | None = None) -> bytes | mmap.mmap:
    """The file's bytes, memory-mapped (b"" when empty); SearchError naming it otherwise."""
    try:
        with open_regular(path, max_bytes) as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return b""
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except UnsafeFileError as exc:
        raise SearchError(f"cannot read {exc}") from None
    except OSError as exc:
        raise SearchError(f"cannot read {path}: {exc.strerror or exc}") from None


def is_array(data: Mapped) -> bool:
    head = data[:4096].lstrip()
    return bool(head[:1] == b"[")


# ------------------------------------------------------------------ one part


def search_part(data: Mapped, query: LogQuery, start: int, stop: int, plain: PlainLine | None, budget: int) -> Found:
    """The matches of data[start:stop] (whole NDJSON lines), their tails rendered within
    `budget` bytes. A query of a severity alone is decided on the decoded fields, without
    building an entry (the same rules: entry_fields is what entry_from_dict reads)."""
    part = Found()
    bounds = candidate_bounds(data, query, start, stop) if has_prefilter(query) else all_bounds(data, start, stop)
    ts, starts, ends, out = part.ts, part.start, part.end, part.out
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    fields_only, passes, matches = query.severity_only, query.severity_passes, query.matches
    # Unchanged lines out (no plain tail): a severity alone needs only the time and severity.
    time_only = fields_only and plain is None
    kept = skipped = decoded = 0
    service = text = ""
    for s, e in bounds:
        line = data[s:e]
        try:
            raw = loads(line)
        except decode_error:
            skipped += bool(line.strip())
            continue
        if time_only:
            head = entry_time_severity(raw)
            if head is None:
                skipped += 1
                continue
            decoded += 1
            moment, severity = head
            if not passes(severity):
                continue
        elif fields_only:
            fields = entry_fields(raw)
            if fields is None:
                skipped += 1
                continue
            decoded += 1
            moment, severity, service, text = fields
            if not passes(severity):
                continue
        else:
            entry = entry_from_dict(raw, line)
            if entry is None:
                skipped += 1
                continue
            decoded += 1
            if not matches(entry):
                continue
            moment, severity, service, text = entry.timestamp, entry.severity, entry.service, entry.text
        ts.append(moment.timestamp())
        starts.append(s)
        ends.append(e)
        if plain is not None and kept < budget and len(out) == len(ts) - 1:
            tail = plain.tail(severity, service, text)
            out.append(tail)
            kept += len(tail)
    part.skipped, part.decoded = skipped, decoded
    return part


def count_part(data: Mapped, query: LogQuery, start: int, stop: int) -> tuple[int, int]:
    """(matches, malformed entries decoded) in data[start:stop]; a severity alone is decided
    on the decoded time and severity (entry_time_severity: entry_from_dict's rules)."""
    if not (query.severity_only and has_prefilter(query)):
        part = search_part(data, query, start, stop, None, 0)
        return len(part), part.skipped
    n = skipped = 0
    loads, decode_error, passes = orjson.loads, orjson.JSONDecodeError, query.severity_passes
    for s, e in candidate_bounds(data, query, start, stop):
        try:
            head = entry_time_severity(loads(data[s:e]))
        except decode_error:
            head = None
        if head is None:
            skipped += 1
        elif passes(head[1]):
            n += 1
    return n, skipped


# ------------------------------------------------------------------ whole files


def _array_file(path: Path, query: LogQuery, plain: PlainLine | None, budget: int) -> Found:
    part = Found()
    try:
        with open_regular(path) as fh:
            for s, e, raw in iter_spans(fh):
                entry = entry_from_dict(raw)
                if entry is None:
                    part.skipped += 1
                    continue
                part.decoded += 1
                if query.matches(entry):
                    part.ts.append(entry.timestamp.timestamp())
                    part.start.append(s)
                    part.end.append(e)
                    if plain is not None and budget > 0:
                        tail = plain.tail(entry.severity, entry.service, entry.text)
                        part.out.append(tail)
                        budget -= len(tail)
        return part
    except NotStreamable:
        pass  # not a plain array of objects: decoded whole, for its answer or its error
    skipped = Skipped()
    try:
        entries = list(parse_json_document(read_regular(path), skipped))
    except MalformedLog as exc:
        raise SearchError(exc.at(path)) from None
    part = Found()
    part.held, part.skipped, part.decoded = [], skipped.count, len(entries)
    for entry in entries:
        if query.matches(entry):
            part.held.append(entry)
            part.ts.append(entry.timestamp.timestamp())
            part.start.append(0)
            part.end.append(0)
    return part


def _not_a_log(path: Path, data: Mapped) -> None:
    """SearchError when no line of an NDJSON file is an entry (and some line is not blank):
    read from the start until the first entry, so a real log costs one line."""
    first, number, pos, size = None, 0, 0, len(data)
    while pos < size:
        end = data.find(b"\n", pos)
        end = size if end == -1 else end
        line, number, pos = data[pos:end], number + 1, end + 1
        if not line.strip():
            continue
        first = first or number
        if parse_line(line) is not None:
            return
    if first is not None:
        raise SearchError(MalformedLog("not a log entry (NDJSON: one JSON LogEntry per line)", first).at(path))


def find(
    paths: Iterable[Path],
    query: LogQuery,
    plain: PlainLine | None = None,
    budget: int = BUDGET,
    workers: int | None = None,
    meanwhile: Callable[[], None] | None = None,
    errors: list[str] | None = None,
    max_bytes: int | None = None,
    by_name: bool = False,
) -> list[FileFound]:
    """Every file's matches, with their plain tails when `plain` is given. `meanwhile` runs
    once, while forked children search (the CLI loads its configuration then). A file that
    cannot be searched raises SearchError, or with `errors` is said there and left out, as
    grep goes on to the next file. A file is a JSON array when it starts with `[` (`by_name`:
    when it is named *.json, as the local backend reads its own folder). The caller closes the
    files (`close_all`) when done."""
    files: list[FileFound] = []
    pending = [meanwhile] if meanwhile is not None else []

    def now() -> None:
        while pending:
            pending.pop()()

    try:
        _prepare(query)
        for path in expand(paths):
            try:
                found = _find_in(path, query, plain, budget, workers, now if pending else None, max_bytes, by_name)
            except SearchError as exc:
                if errors is None:
                    raise
                errors.append(str(exc))
                continue
            files.append(found)
        now()
        return files
    except BaseException:
        close_all(files)
        raise


def _find_in(
    path: Path,
    query: LogQuery,
    plain: PlainLine | None,
    budget: int,
    workers: int | None,
    meanwhile: Callable[[], None] | None,
    max_bytes: int | None,
    by_name: bool,
) -> FileFound:
    data = map_file(path, max_bytes)
    found = FileFound(path, data, path.suffix == ".json" if by_name else bool(data) and is_array(data))
    try:
        if not data:
            return found
        if found.is_array:
            parts = [_array_file(path, query, plain, budget)]
        else:
            share = budget // forked_parts.split(len(data), workers, extra=meanwhile is not None)
            parts = forked_parts.run(
                data, lambda a, b: search_part(data, query, a, b, plain, share), workers=workers, meanwhile=meanwhile
            )
        found.join(parts)
        if not found.is_array and not len(found.ts) and not any(p.decoded for p in parts):
            _not_a_log(path, data)
        return found
    except BaseException:
        found.close()
        raise


def _prepare(query: LogQuery) -> None:
    """Compile the Hyperscan patterns once here, before forking (the children share them)."""
    if has_prefilter(query) and not query.needles and severity_scan.available():
        severity_scan.prepare(query.severity_names)


def count(paths: Iterable[Path], query: LogQuery, workers: int | None = None) -> tuple[int, int]:
    """(matching entries, malformed entries skipped) over every file."""
    total = skipped = 0
    for path in expand(paths):
        data = map_file(path)
        try:
            if not data:
                continue
            if is_array(data):
                part = _array_file(path, query, None, 0)
                n, bad = len(part), part.skipped
            else:
                _prepare(query)
                answers = forked_parts.run(data, functools.partial(count_part, data, query), workers=workers)
                n, bad = sum(a for a, _ in answers), sum(b for _, b in answers)
                if not n:
                    _not_a_log(path, data)
            total, skipped = total + n, skipped + bad
        finally:
            if isinstance(data, mmap.mmap):
                data.close()
    return total, skipped


def close_all(files: Iterable[FileFound]) -> None:
    for f in files:
        f.close()


# ------------------------------------------------------------------ time order


def _order(ts: array[float]) -> Iterable[int]:
    n = len(ts)
    rest = islice(ts, 1, None)
    if all(map(operator.le, ts, rest)):
        return range(n)
    if all(map(operator.ge, ts, islice(ts, 1, None))):
        return range(n - 1, -1, -1)  # newest first (gcloud's order): read backwards
    return sorted(range(n), key=ts.__getitem__)


def ordered(files: list[FileFound]) -> Iterator[tuple[FileFound, int]]:
    """(file, match index) over every file's matches, oldest first."""
    if len(files) == 1:
        only = files[0]
        return ((only, i) for i in _order(only.ts))
    streams = [_keyed(f.ts, k) for k, f in enumerate(files)]
    return ((files[k], i) for _, k, i in heapq.merge(*streams))


def _keyed(ts: array[float], k: int) -> Iterator[tuple[float, int, int]]:
    """(time, file number, match index) of one file's matches in its time order: merged by
    time, ties go to the file named first."""
    return ((ts[i], k, i) for i in _order(ts))


def entries(files: list[FileFound]) -> Iterator[LogEntry]:
    """The matches as entries, oldest first."""
    for f, i in ordered(files):
        entry = f.entry(i)
        if entry is not None:
            yield entry


def written(files: list[FileFound], plain: PlainLine | None, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The output, oldest first, in chunks of about `chunk` bytes: each match's plain line
    (its tail kept, or rendered again), or with `plain` None the entry unchanged (NDJSON: its
    line; an array's element: compact JSON)."""
    pending: list[bytes] = []
    size = 0
    for f, i in ordered(files):
        if plain is not None:
            tail = f.out[i] if f.out else None
            if tail is None:
                entry = f.entry(i)
                if entry is None:
                    continue
                tail = plain.tail(entry.severity, entry.service, entry.text)
            line = plain.head(f.ts[i]) + tail
        elif not f.is_array and f.held is None:
            line = f.data[f.start[i] : f.end[i]] + b"\n"
        else:
            entry = f.entry(i)
            if entry is None:
                continue
            line = entry_line(entry)
        pending.append(line)
        size += len(line)
        if size >= chunk:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def entry_line(entry: LogEntry) -> bytes:
    """The entry as one NDJSON line: its own bytes when it came from a line, else compact JSON."""
    return (entry.raw_bytes or orjson.dumps(entry.raw)) + b"\n"
