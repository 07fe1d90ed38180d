"""Candidate lines of an NDJSON export for a query, found without a Python loop over lines.

Decoding every entry costs ~20x grep, so big exports and live tails look for candidates
first, and only those are decoded; `LogQuery.matches` on the decoded entry decides. Two
finders, chosen by the query:
- literal needles (text alternatives, else the quoted service): `bytes.find` of ONE byte
  is memchr (~10 GB/s), while a multi-byte find or `re` scans at ~2 GB/s. So each needle
  is anchored on its rarest byte (counted in a 64 KiB sample of the data itself), needles
  sharing that byte are found in one pass, and each hit is verified in place. A byte too
  common to anchor on falls back to `bytes.find` of the whole needle.
- severity only: one Hyperscan pass (severity_scan.py: the accepted names, in any case,
  then a quote; backslashes; the few non-ASCII letters that upper-case into ASCII), or
  where Hyperscan has no wheel, one `re` pass of `LogQuery.severity_bytes` plus a memchr
  pass for keys written with \\u escapes.
Either way a line is a candidate only: a superset of the lines that match, never fewer.

`start`/`stop` bound the part of `data` looked at (line boundaries: a part starts a line and
ends after a newline or at the end), so a file can be searched in parts (forked_parts.py).
`data` is bytes or an mmap (never copied).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from console.logs import severity_scan
from console.logs.forked_parts import Data

if TYPE_CHECKING:
    from console.logs.query import LogQuery

_SAMPLE = 1 << 16
_MAX_ANCHOR_RATE = 1 / 256  # hits per byte above which a per-hit Python step loses to find()

Bounds = list[tuple[int, int]]


def has_prefilter(query: LogQuery) -> bool:
    return query is not None and not query.is_empty and bool(query.needles or query.severity_bytes)


def candidate_bounds(data: Data, query: LogQuery, start: int = 0, stop: int | None = None) -> Bounds:
    """(start, end) of each line of data[start:stop] that may match `query` (which has a
    prefilter): each once, in file order, `end` before the newline."""
    stop = len(data) if stop is None else stop
    needles = query.needles
    if not needles and severity_scan.available():
        return severity_scan.line_bounds(data, query.severity_names, start, stop)
    if needles:
        starts = _needle_starts(data, needles, start, stop)
    else:
        pattern = query.severity_bytes
        if pattern is None:  # has_prefilter(query) is the caller's promise
            raise ValueError("candidate_bounds needs a query with a prefilter (has_prefilter)")
        starts = _severity_starts(data, pattern, start, stop)
    find = data.find
    out = []
    for s in sorted(starts):
        end = find(b"\n", s, stop)
        out.append((s, end if end != -1 else stop))
    return out


def all_bounds(data: Data, start: int = 0, stop: int | None = None) -> Bounds:
    """Every non-empty line of data[start:stop] (no prefilter: each one is decoded)."""
    stop = len(data) if stop is None else stop
    out, find, pos = [], data.find, start
    while pos < stop:
        end = find(b"\n", pos, stop)
        if end == -1:
            end = stop
        if end > pos:
            out.append((pos, end))
        pos = end + 1
    return out


def candidate_lines(data: Data, query: LogQuery) -> Iterator[bytes]:
    """Lines of `data` (bytes or mmap) that may match `query`, each once, in file order."""
    return (bytes(data[s:e]) for s, e in candidate_bounds(data, query))  # bytes: a bytearray's slice too


def _needle_starts(data: Data, needles: list[bytes], first: int, stop: int) -> set[int]:
    sample = data[first : min(stop, first + _SAMPLE)]
    limit = len(sample) * _MAX_ANCHOR_RATE
    groups: dict[bytes, list[tuple[bytes, int]]] = {}
    whole: list[bytes] = []
    for needle in needles:
        counts = {b: sample.count(bytes((b,))) for b in set(needle)}
        at = min(range(len(needle)), key=lambda i: counts[needle[i]])
        if counts[needle[at]] > limit:
            whole.append(needle)
        else:
            groups.setdefault(bytes((needle[at],)), []).append((needle, at))
    find, rfind = data.find, data.rfind
    starts: set[int] = set()

    def take(pos: int) -> int:
        """Records the line holding `pos`; returns where to search on (its end) or -1."""
        starts.add(rfind(b"\n", first, pos) + 1 or first)
        at: int = find(b"\n", pos, stop)
        return at

    for anchor, group in groups.items():
        pos = find(anchor, first, stop)
        while pos != -1:
            for needle, at in group:
                begin = pos - at
                if begin >= first and data[begin : begin + len(needle)] == needle and begin + len(needle) <= stop:
                    end = take(pos)
                    pos = find(anchor, end, stop) if end != -1 else -1
                    break
            else:
                pos = find(anchor, pos + 1, stop)
    for needle in whole:
        pos = find(needle, first, stop)
        while pos != -1:
            end = take(pos)
            pos = find(needle, end, stop) if end != -1 else -1
    return starts


def _pattern_starts(data: Data, pattern: re.Pattern[bytes], first: int, stop: int) -> list[int]:
    starts, rfind, find, search = [], data.rfind, data.find, pattern.search
    m = search(data, first, stop)
    while m is not None:
        pos = m.start()
        starts.append(rfind(b"\n", first, pos) + 1 or first)
        end = find(b"\n", pos, stop)
        m = search(data, end, stop) if end != -1 else None
    return starts


def _severity_starts(data: Data, pattern: re.Pattern[bytes], first: int, stop: int) -> set[int]:
    """Lines with a severity value that may rank high enough (`pattern`, one `re` pass), and
    lines holding a \\u escape of a letter of `severity` (a key written `"sev\\u0065rity"`
    has no plain `y"` for the pattern to see): found by memchr on the backslash, which is rare
    outside escaped payloads, then the four bytes after it compared in place."""
    starts = set(_pattern_starts(data, pattern, first, stop))
    find, rfind = data.find, data.rfind
    pos = find(b"\\", first, stop)
    while pos != -1:
        if data[pos + 1 : pos + 5] in (b"u006", b"u007"):
            starts.add(rfind(b"\n", first, pos) + 1 or first)
            end = find(b"\n", pos, stop)
            pos = find(b"\\", end, stop) if end != -1 else -1
        else:
            pos = find(b"\\", pos + 1, stop)
    return starts
