"""The local log sources, behind the one interface of console/logs/source.py: `poll()` returns
the entries that arrived since the last call (oldest first), never blocks for long and never
raises for a bad line.

- `FileFollower`: one file, like `tail -F`: reads new bytes in bounded chunks, keeps a
  partial last line until its newline arrives, and notices rotation (a new inode) and
  truncation (the file shrank).
- `LocalLogSource`: every `*.json`/`*.ndjson` under the local backend's `logs/` folder,
  following the `current` generation when a reload switches it.
- `ClockGate`: any source, its entries held back until a clock reaches them.
- `ReplaySource`: a fixed list released as a clock reaches each timestamp (the demo and
  `nba-console replay`).
- `Deduper` (dedupe.py): a bounded insertId memory, shared with the gcp source.

Pure of Textual; the screen polls a source from a thread worker.
"""

from __future__ import annotations

import errno
import heapq
import itertools
import os
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from console.core.clock import Clock
from console.core.log_entry import LogEntry
from console.core.safefile import UnsafeFileError, open_regular, read_regular
from console.logs.dedupe import Deduper
from console.logs.parse import MalformedLog, Skipped, parse_json_document, scan_ndjson
from console.logs.query import LogQuery
from console.logs.source import LogSource

_NOT_A_FOLDER = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_SETTLED_NS = 2_000_000_000  # a folder unchanged this long has no change hidden in its mtime

CHUNK = 1 << 20  # bytes read per call to read()
MARK = 64  # bytes just before the read offset, re-checked each poll to notice a rewrite
MAX_PARTIAL = 8 << 20  # a "line" longer than this is garbage: dropped, not buffered forever


@dataclass
class FollowStats:
    rotations: int = 0
    truncations: int = 0
    dropped_partial_bytes: int = 0


class FileFollower:
    """Follows one file. NDJSON is followed byte by byte; a `.json` array (an export, written
    whole) is re-read when it changes and only entries not seen before are returned."""

    def __init__(
        self, path: Path, query: LogQuery | None = None, from_start: bool = True, max_bytes_per_poll: int = 8 << 20
    ):
        self.path = Path(path)
        self.query = query or LogQuery()
        self.max_bytes_per_poll = max_bytes_per_poll
        self.stats = FollowStats()
        self.skipped = Skipped()  # malformed entries skipped so far
        # why the file cannot be read or followed (path:line: reason; not a regular file ...)
        self.error: str | None = None
        self._fh: BinaryIO | None = None
        self._inode: int | None = None
        self._offset = 0
        self._mark = b""  # the last MARK bytes read: still there unless the file was rewritten
        self._partial = b""
        self._skip_to_newline = False
        self._json_key: tuple[int, int] | None = None
        self._json_seen = Deduper(1_000_000)
        self._json_count = 0
        if not from_start:
            if self.is_ndjson:
                self._open(seek_end=True)
            else:
                self._poll_json()  # remember what is there; only later entries are new

    @property
    def is_ndjson(self) -> bool:
        return self.path.suffix != ".json"

    # ------------------------------------------------------------------ ndjson

    def _open(self, seek_end: bool = False) -> bool:
        try:
            fh = open_regular(self.path)  # never blocks on a FIFO, never follows /dev/zero
        except FileNotFoundError:
            return False
        except OSError as exc:  # UnsafeFileError names the path and what is there instead
            self.error = (
                str(exc) if isinstance(exc, UnsafeFileError) else f"cannot read {self.path}: {exc.strerror or exc}"
            )
            return False
        self.error = None
        self._close_fh()
        self._fh = fh
        st = os.fstat(fh.fileno())
        self._inode = st.st_ino
        self._offset = st.st_size if seek_end else 0
        self._mark = b""
        if self._offset:
            self._mark = os.pread(fh.fileno(), MARK, self._offset - min(MARK, self._offset))
        fh.seek(self._offset)
        return True

    def _rewritten(self) -> bool:
        """True when the bytes before the offset are no longer the ones read: the file was
        truncated and grew again (past the old size) between two polls."""
        if not self._mark or self._fh is None:
            return False
        try:
            return os.pread(self._fh.fileno(), len(self._mark), self._offset - len(self._mark)) != self._mark
        except OSError:
            return True

    def _close_fh(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def _read_available(self, budget: int) -> bytes:
        chunks, total = [], 0
        while self._fh is not None and total < budget:
            chunk = self._fh.read(min(CHUNK, budget - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        self._offset += total
        data = b"".join(chunks)
        if data:
            self._mark = (self._mark + data[-MARK:])[-MARK:]
        return data

    def _lines(self, data: bytes) -> bytes:
        """Complete lines of partial+data; the rest is kept for the next poll."""
        data = self._partial + data
        cut = data.rfind(b"\n") + 1
        complete, self._partial = data[:cut], data[cut:]
        if self._skip_to_newline and cut:
            # The first "line" is the tail of an oversized line we already dropped.
            first = complete.find(b"\n") + 1
            self.stats.dropped_partial_bytes += first
            complete, self._skip_to_newline = complete[first:], False
        if len(self._partial) > MAX_PARTIAL:
            self.stats.dropped_partial_bytes += len(self._partial)
            self._partial, self._skip_to_newline = b"", True
        return complete

    def _poll_ndjson(self) -> list[LogEntry]:
        if self._fh is None and not self._open():
            return []
        try:
            st = os.stat(self.path)
        except OSError:
            st = None  # deleted (mid-rotation): finish what the open handle still has
        out: list[LogEntry] = []
        if st is not None and st.st_ino != self._inode:
            # Rotated: drain the old file, then start the new one from its beginning.
            while rest := self._read_available(self.max_bytes_per_poll):
                out += list(scan_ndjson(self._lines(rest), self.query, self.skipped))
            if self._partial and not self._skip_to_newline:
                out += list(scan_ndjson(self._partial + b"\n", self.query, self.skipped))
            self._partial, self._skip_to_newline = b"", False
            self.stats.rotations += 1
            if not self._open():
                return out
        elif st is not None and self._fh is not None and (st.st_size < self._offset or self._rewritten()):
            # copytruncate: the same inode starts over (and may already be longer than before)
            self.stats.truncations += 1
            self._fh.seek(0)
            self._offset, self._partial, self._skip_to_newline, self._mark = 0, b"", False, b""
        data = self._read_available(self.max_bytes_per_poll)
        if data:
            out += list(scan_ndjson(self._lines(data), self.query, self.skipped))
        return out

    # ------------------------------------------------------------------ json array

    def _poll_json(self) -> list[LogEntry]:
        try:
            st = os.stat(self.path)
        except OSError:
            return []
        key = (st.st_size, st.st_mtime_ns)
        if key == self._json_key:
            return []
        try:
            data = read_regular(self.path)
        except FileNotFoundError:
            return []
        except OSError as exc:
            self.error = (
                str(exc) if isinstance(exc, UnsafeFileError) else f"cannot read {self.path}: {exc.strerror or exc}"
            )
            return []
        self._json_key = key
        skipped = Skipped()
        try:
            entries = list(parse_json_document(data, skipped))
        except MalformedLog as exc:
            # Shown until the file is rewritten readable; the entries already shown stay.
            self.error = exc.at(self.path)
            return []
        self.error = None
        self.skipped.count = skipped.count  # the whole file is re-read: its count, not a sum
        if len(entries) < self._json_count:  # rewritten shorter: a new file
            self.stats.truncations += 1
        self._json_count = len(entries)
        return [e for e in self._json_seen.fresh(entries) if self.query.matches(e)]

    # ------------------------------------------------------------------ interface

    def poll(self) -> list[LogEntry]:
        return self._poll_ndjson() if self.is_ndjson else self._poll_json()

    def close(self) -> None:
        self._close_fh()

    def describe(self) -> str:
        return str(self.path)


class LocalLogSource:
    """All log files of a folder (re-globbed every poll, so new files and a switched
    `current` generation are picked up); one batch per poll, sorted by timestamp."""

    def __init__(
        self, folder: Callable[[], Path | None] | Path, query: LogQuery | None = None, from_start: bool = True
    ):
        self._folder = folder if callable(folder) else (lambda: Path(folder))
        self.query = query or LogQuery()
        self.from_start = from_start
        self._followers: dict[Path, FileFollower] = {}
        self._first = True
        self.error: str | None = None
        self._listing_key: tuple | None = None
        self._listing: list[Path] = []

    @classmethod
    def for_settings(cls, settings, query: LogQuery | None = None, from_start: bool = True) -> LocalLogSource:
        from console.local.scenario import current_dir

        def folder() -> Path | None:
            root = current_dir(settings)
            return root / "logs" if root else None

        return cls(folder, query, from_start)

    def files(self) -> list[Path]:
        folder = self._folder()
        if folder is None:
            return []
        try:
            st = folder.stat()
        except OSError as exc:
            if exc.errno in _NOT_A_FOLDER:  # what Path.is_dir() answers False for
                return []
            raise
        if not stat.S_ISDIR(st.st_mode):
            return []
        # The listing is kept while the folder is unchanged (same path, inode and mtime): the
        # live trace asks 5 times a second, and globbing is most of an idle poll's cost. Only
        # a listing taken when the folder had been still for a while is kept: a file created
        # in the same tick of the file system's coarse clock leaves the mtime as it was.
        key = (folder, st.st_ino, st.st_mtime_ns)
        if key == self._listing_key:
            return list(self._listing)
        # resolve(): a reload switches the `current` symlink; the new generation's files are
        # new files to follow, not a rotation of the old ones.
        paths = sorted(p.resolve() for p in folder.glob("*") if p.suffix in (".json", ".ndjson"))
        settled = time.time_ns() - st.st_mtime_ns > _SETTLED_NS
        self._listing_key, self._listing = (key if settled else None), paths
        return list(paths)

    @property
    def skipped(self) -> int:
        """Malformed entries skipped in the files followed so far."""
        return sum(f.skipped.count for f in self._followers.values())

    def poll(self) -> list[LogEntry]:
        try:
            paths = self.files()
            self.error = None if paths else "no log files yet"
        except OSError as exc:
            self.error, paths = f"cannot list logs: {exc.strerror}", []
        for path in paths:
            if path not in self._followers:
                # Files present at start honour from_start; files appearing later are new
                # output and are read from their beginning.
                self._followers[path] = FileFollower(path, self.query, from_start=self.from_start or not self._first)
        self._first = False
        out: list[LogEntry] = []
        for path in list(self._followers):
            if path not in paths and not path.exists():
                self._followers.pop(path).close()
                continue
            out += self._followers[path].poll()
        broken = [f.error for f in self._followers.values() if f.error]
        if broken:  # an unreadable file is an error on the screen and in `tail`, never silence
            self.error = "; ".join(broken)
        out.sort(key=lambda e: e.timestamp)
        return out

    def close(self) -> None:
        for f in self._followers.values():
            f.close()
        self._followers.clear()

    def describe(self) -> str:
        folder = self._folder()
        return f"local {folder}" if folder else "local (no data)"


class ClockGate:
    """Holds back entries stamped after `clock.now()` until the clock reaches them."""

    def __init__(self, inner: LogSource, clock: Clock):
        self.inner = inner
        self.clock = clock
        self._pending: list[tuple[Any, int, LogEntry]] = []
        self._seq = itertools.count()  # ties keep arrival order; entries are not comparable

    @property
    def error(self) -> str | None:
        return getattr(self.inner, "error", None)

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def next_at(self):
        return self._pending[0][0] if self._pending else None

    def _fill(self) -> None:
        for entry in self.inner.poll():
            heapq.heappush(self._pending, (entry.timestamp, next(self._seq), entry))

    def poll(self) -> list[LogEntry]:
        self._fill()
        now = self.clock.now()
        out = []
        while self._pending and self._pending[0][0] <= now:
            out.append(heapq.heappop(self._pending)[2])
        return out

    def close(self) -> None:
        self.inner.close()

    def describe(self) -> str:
        return self.inner.describe()


class _Once:
    """A source that yields a fixed list on its first poll."""

    def __init__(self, entries: Iterable[LogEntry]):
        self._entries = list(entries)

    def poll(self) -> list[LogEntry]:
        out, self._entries = self._entries, []
        return out

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "fixed list"


class ReplaySource(ClockGate):
    """Releases `entries` in timestamp order as `clock` reaches them. Entries before the
    clock's first reading come out in the first poll (the history a tail shows first)."""

    def __init__(self, entries: Iterable[LogEntry], clock: Clock, query: LogQuery | None = None, name: str = "replay"):
        q = query or LogQuery()
        super().__init__(_Once(e for e in entries if q.matches(e)), clock)
        self._fill()  # everything is known up front: next_at and done answer before a poll
        self.name, self._total = name, len(self._pending)

    @property
    def done(self) -> bool:
        return not self._pending

    def describe(self) -> str:
        return f"{self.name} ({self._total - len(self._pending)}/{self._total})"


def load_log_file(path: Path, max_bytes: int | None = None, query: LogQuery | None = None) -> list[LogEntry]:
    """A whole exported file's entries matching `query`, oldest first (JSON array or NDJSON;
    decided by content, not name), through the search path of console/logs/search.py. Only a
    regular file is read (a FIFO would block, /dev/zero never end): UnsafeFileError otherwise;
    a file that is not a log is a ValueError naming its line."""
    from console.logs import search

    with open_regular(path, max_bytes):  # refused here with its reason, before any mapping
        pass
    files = search.find([path], query or LogQuery(), max_bytes=max_bytes)
    try:
        return list(search.entries(files))
    finally:
        search.close_all(files)
