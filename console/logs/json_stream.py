"""The objects of a JSON array file (`gcloud logging read --format=json`), one at a time, in
bounded memory: a chunk plus one element, never the whole document.

How an element's end is found without a tokenizer in Python: JSON is cut at each `}` that a
`,` or the closing `]` follows (after whitespace), and the piece from the element's start is
given to orjson. Only the element's real end decodes: a cut inside a string leaves the string
open, a cut after a nested object leaves a brace open. So each element is decoded by orjson
alone, exactly as the whole document would have decoded it.

Anything this does not cover raises `NotStreamable`, and the caller decodes the whole file as
before, with the same values and the same error messages: a document that is not an array of
objects (a lone object, numbers in the array), invalid JSON, or an element so large or so full
of `},` that the cuts stop paying (MAX_ELEMENT, MAX_TRIES).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

CHUNK = 4 << 20
MAX_ELEMENT = 16 << 20  # bytes of one element; past this the whole file is decoded instead
MAX_TRIES = 256  # cuts tried for one element before giving up on streaming
_NOT_WS = re.compile(rb"[^ \t\r\n]")  # JSON's whitespace is these four
_CUT = re.compile(rb"\}[ \t\r\n]*[,\]]")


class NotStreamable(Exception):
    """The file needs the whole-document decoder (its answer or its error message)."""


class _Reader:
    """A window on the file: `buf[pos:]` is what is not consumed yet."""

    def __init__(self, fh: BinaryIO, size: int):
        self.fh, self.size = fh, size
        self.buf, self.pos, self.eof = b"", 0, False
        self.base = 0  # the file offset of buf[0]: base + pos is where the reader is in the file

    def fill(self) -> bool:
        """Append the next chunk (dropping what was consumed); False at the end of the file."""
        more = b"" if self.eof else self.fh.read(self.size)
        if not more:
            self.eof = True
            return False
        self.base += self.pos
        self.buf, self.pos = self.buf[self.pos :] + more, 0
        return True

    def next_byte(self) -> bytes:
        """The next byte that is not whitespace (not consumed), or b"" at the end."""
        while True:
            m = _NOT_WS.search(self.buf, self.pos)
            if m is not None:
                self.pos = m.start()
                return self.buf[self.pos : self.pos + 1]
            self.pos = len(self.buf)
            if not self.fill():
                return b""


def iter_objects(fh: BinaryIO, chunk: int | None = None) -> Iterator[dict[str, Any]]:
    """Each element of the top-level array in `fh`, which must all be objects."""
    for _start, _end, value in iter_spans(fh, chunk):
        yield value


def iter_spans(fh: BinaryIO, chunk: int | None = None) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """(start, end, object) for each element of the top-level array in `fh`: the element is
    the file's bytes [start, end) (read from where `fh` stood), so it can be read again."""
    r = _Reader(fh, chunk or CHUNK)
    head = r.next_byte()
    if not head:
        return  # empty, or whitespace only: no entries, as the whole-file read says
    if head != b"[":
        raise NotStreamable
    r.pos += 1
    first = True
    while True:
        head = r.next_byte()
        if head == b"]":
            r.pos += 1
            if r.next_byte():  # only whitespace may follow the array
                raise NotStreamable
            return
        if not first:
            if head != b",":
                raise NotStreamable
            r.pos += 1
            head = r.next_byte()
        if head != b"{":
            raise NotStreamable  # not an object, an empty slot, or the end inside the array
        first = False
        start = r.base + r.pos
        value = _element(r)
        yield start, r.base + r.pos, value


def _element(r: _Reader) -> dict[str, Any]:
    """The object starting at the reader's position; the position moves past it. Offsets
    are kept from the element's start, which a refill moves to the buffer's start."""
    search, tries = 0, 0  # where the next cut may be; the cuts before it failed
    while True:
        m = _CUT.search(r.buf, r.pos + search)
        if m is None:
            if len(r.buf) - r.pos > MAX_ELEMENT:
                raise NotStreamable
            # A cut may straddle the refill: a `}` whose comma is still to come, the last one.
            search = max(search, r.buf.rfind(b"}", r.pos) - r.pos)
            if not r.fill():
                raise NotStreamable  # the file ends inside the array
            continue
        end = m.start() + 1
        try:
            value: dict[str, Any] = orjson.loads(memoryview(r.buf)[r.pos : end])
        except orjson.JSONDecodeError:
            tries += 1
            if tries > MAX_TRIES or end - r.pos > MAX_ELEMENT:
                raise NotStreamable from None
            search = end - r.pos
            continue
        r.pos = end
        return value
