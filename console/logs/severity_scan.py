"""Lines that may hold a severity of at least X, found in one Hyperscan pass (SIMD literal
search, ~grep's speed) instead of a `re` pass (~3x slower). Only candidates: the caller
decodes each one and `entry_from_dict`'s rules decide, so the count stays exact.

Why these patterns find every line decode-then-filter keeps, whatever the key's spelling:
such a line's top-level "severity" decodes to a string s with s.upper() a name ranked at
least X. Written in the raw line, s is one of
- ASCII letters only: then the raw value is `"` + s + `"` with s that name in some ASCII
  case (only ASCII letters upper-case into ASCII letters), so the line holds s + `"`, which
  `_names_then_quote` (caseless) finds (without the opening quote: Hyperscan's literal
  search runs about 1.5x faster on these needles, and the few extra lines cost nothing);
- something with an escape: the line holds a backslash;
- a non-ASCII character: only those of `UPCASE_TO_ASCII` upper-case into ASCII letters only
  (`ı`.upper() is `I`), so the line holds one of their UTF-8 forms; any other non-ASCII
  character stays non-ASCII in s.upper(), which then names no severity.
The key itself need not be looked at: its spelling (escapes, whitespace, nesting, duplicates)
only decides which value counts, and the decoder decides that on the candidates.

Hyperscan is a pip wheel for Linux x86-64 only; elsewhere `available()` is False and the
caller keeps its `re` prefilter.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import lru_cache
from itertools import starmap
from typing import Any

from console.logs.forked_parts import Data

_NOT_LOADED: Any = object()
hyperscan: Any = _NOT_LOADED  # the module, imported on first use (~30 ms: not for every command)

# Every non-ASCII character whose str.upper() is ASCII letters only (ß -> SS, ı -> I,
# ſ -> S, the ligatures ﬀ to ﬆ). tests/unit/logs/test_severity_scan.py recomputes it from the
# running interpreter's Unicode tables over every code point.
UPCASE_TO_ASCII = "\u00df\u0131\u017f\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"

# hs_scan takes an unsigned int length; windows end on a line boundary, and no pattern
# spans a newline, so splitting there loses no match.
WINDOW = 1 << 30


def available() -> bool:
    global hyperscan
    if hyperscan is _NOT_LOADED:
        try:
            import hyperscan as module
        except ImportError:  # not on this platform: parse.py falls back to its `re` prefilter
            module = None  # type: ignore[assignment]  # hyperscan is Any: None says "not here"
        hyperscan = module
    return hyperscan is not None


def _names_then_quote(names: list[str]) -> bytes:
    return b"(?:" + b"|".join(n.encode() for n in names) + b')"'


def _odd_bytes() -> bytes:
    forms = sorted({c.encode() for c in UPCASE_TO_ASCII})
    return b"|".join([rb"\\", *(b"".join(b"\\x%02x" % b for b in form) for form in forms)])


@lru_cache(maxsize=16)
def _database(names: tuple[str, ...]) -> tuple[Any, threading.Lock]:
    """The compiled patterns and the lock of their one scratch space: a second thread
    scanning with it at the same time gets ScratchInUseError, so scans take turns."""
    if not available():
        raise RuntimeError("hyperscan is not installed: callers check available() first")
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[_names_then_quote(list(names)), _odd_bytes()],
        ids=[0, 1],
        elements=2,
        flags=[hyperscan.HS_FLAG_CASELESS, 0],
    )
    return db, threading.Lock()


def prepare(names: tuple[str, ...]) -> None:
    """Compile the patterns for `names` now (before forking: the children share them)."""
    _database(names)


def candidate_lines(data: Data, names: tuple[str, ...], start: int = 0, stop: int | None = None) -> Iterator[bytes]:
    """The lines of `data` (bytes, bytearray or mmap) that may hold a severity among `names`
    (upper-case), by the argument above: each once, in order, without the newline. `start`
    and `stop` (line boundaries) bound the part scanned, so a file can be split in parts."""
    lines = starmap(slice, line_bounds(data, names, start, stop))
    return map(data.__getitem__, lines)  # type: ignore[arg-type]  # each type's slice is bytes; no Python frame per line


def line_bounds(data: Data, names: tuple[str, ...], start: int = 0, stop: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each candidate line in data[start:stop] (`start` at a line's start,
    `stop` after a newline or at the end): `data[s:e]` is the line without its newline."""
    first = start
    size = len(data) if stop is None else stop
    if size <= first or not names:
        return []
    db, lock = _database(names)
    ends: list[int] = []
    base = first

    def on_match(_id: int, _start: int, end: int, _flags: int, _context: object) -> None:
        ends.append(base + end)

    view = memoryview(data)
    try:
        with lock:
            while base < size:
                until = size if size - base <= WINDOW else data.rfind(b"\n", base, base + WINDOW) + 1
                if until <= base:  # one line longer than a window: scan to its end
                    until = data.find(b"\n", base + WINDOW, size)
                    until = size if until == -1 else until + 1
                db.scan(view[base:until], match_event_handler=on_match)
                base = until
    finally:
        view.release()
    ends.sort()  # matches of the two patterns may come out of order
    bounds: list[tuple[int, int]] = []
    rfind, find = data.rfind, data.find
    line_end = -1
    for end in ends:
        if end <= line_end:
            continue  # another match on a line already taken
        begin = rfind(b"\n", first, end) + 1 or first
        line_end = find(b"\n", end, size)
        if line_end == -1:
            bounds.append((begin, size))
            break
        bounds.append((begin, line_end))
    return bounds
