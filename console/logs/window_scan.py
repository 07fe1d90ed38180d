"""A check's read of one local log file: the entries of one service within a time window that
a selector keeps (for the sequential check, the trace's Level and processor lines), read in
bounded chunks. The file is never held whole, nor its entries: memory is a chunk plus what is
kept, whatever the file's size.

The same answer as parsing the whole file and filtering (`start <= timestamp <= end`, the
service exact, malformed lines counted, a file with no entry at all a `MalformedLog`),
which tests/unit/test_log_window_scan.py checks against that path.

`scan_file(..., previous=)` continues a scan of an NDJSON file that only grew since (same
inode, the bytes before the old offset unchanged): a console refreshing its panels every
minute while the file grows reads only what was appended. An answer stays valid for a later
`end` only when no entry of the service lay past the old one (then none was left out).
Pure: no Textual, no backend.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from console.core.log_entry import LogEntry
from console.core.safefile import open_regular, read_regular
from console.logs.json_stream import NotStreamable, iter_objects
from console.logs.parse import MalformedLog, entry_from_dict, entry_service, entry_timestamp

CHUNK = 4 << 20  # bytes read at a time
MARK = 64  # bytes just before the offset, compared on the next scan to notice a rewrite
# A "line" longer than this is not an entry Cloud Logging writes (its limit is 256 KB): it is
# counted as malformed and passed over, never buffered whole (a file with no newline at all
# would otherwise be read into memory entire).
MAX_LINE = 64 << 20

Keep = Callable[[LogEntry], bool]


@dataclass
class WindowScan:
    """What one file holds for (service, start, end, keep), and where the scan stopped."""

    end: datetime
    kept: list[LogEntry] = field(default_factory=list)  # file order
    newest: datetime | None = None  # the newest entry of the service in the window, kept or not
    beyond: bool = False  # an entry of the service lay after `end`
    skipped: int = 0  # malformed entries (not JSON, not an object, no timestamp)
    entries: int = 0  # entries of any service and time
    lines: int = 0  # complete lines read (for the line number of a file that is not a log)
    first_line: int | None = None  # the first non-blank line's number
    # where an NDJSON scan stopped: after the last complete line
    inode: int | None = None
    offset: int = 0
    mark: bytes = b""
    key: tuple[int, int] | None = None  # (size, mtime) of a JSON array read whole
    overlong: bool = False  # stopped inside a line longer than MAX_LINE (already counted)

    def reusable_for(self, end: datetime) -> bool:
        return end == self.end or (end > self.end and not self.beyond)

    def check_is_log(self) -> None:
        """A file of malformed lines and no entry is not a log: MalformedLog (line, reason)."""
        if self.skipped and not self.entries:
            raise MalformedLog("not a log entry (NDJSON: one JSON LogEntry per line)", self.first_line or 1)


def _needle(service: str) -> bytes | None:
    """Bytes every raw line of `service` holds unless it escapes a character (then it holds
    a backslash): its quoted name, when that is plain ASCII JSON never escapes."""
    if not service or not service.isascii() or any(c in '"\\/' or ord(c) < 0x20 for c in service):
        return None
    return b'"' + service.encode() + b'"'


def _take(
    scan: WindowScan,
    raw: Any,
    line: bytes | None,
    service: str,
    start: datetime,
    keep: Keep | None,
    other: bool = False,
) -> None:
    """One decoded entry (`raw`) into the scan's counts and, if it belongs, its kept list.
    `other`: the raw line shows it is of another service (only counted)."""
    stamp = entry_timestamp(raw) if type(raw) is dict else None
    if stamp is None:
        scan.skipped += 1
        return
    scan.entries += 1
    if other or stamp < start or (service and entry_service(raw) != service):
        return
    if stamp > scan.end:
        scan.beyond = True
        return
    if scan.newest is None or stamp > scan.newest:
        scan.newest = stamp
    entry = entry_from_dict(raw, line)
    if entry is not None and (keep is None or keep(entry)):
        scan.kept.append(entry)


def _lines(scan: WindowScan, block: bytes, service: str, start: datetime, keep: Keep | None) -> None:
    """Complete lines (as `bytes.splitlines` cuts a whole file: the block ends after a \\n)."""
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    needle = _needle(service)
    lines = block.splitlines()
    for number, line in enumerate(lines, scan.lines + 1):
        if not line.strip():
            continue
        if scan.first_line is None:
            scan.first_line = number
        try:
            raw = loads(line)
        except decode_error:
            scan.skipped += 1
            continue
        # Most lines are other services': whether they are entries is all they count for.
        _take(scan, raw, line, service, start, keep, needle is not None and needle not in line and b"\\" not in line)
    scan.lines += len(lines)


def _overlong(scan: WindowScan) -> None:
    """A line over MAX_LINE starts here: one malformed entry, its bytes skipped."""
    if scan.first_line is None:
        scan.first_line = scan.lines + 1
    scan.skipped += 1
    scan.overlong = True


def _continuing(fh: BinaryIO, st: os.stat_result, previous: WindowScan | None, end: datetime) -> WindowScan | None:
    """A copy of `previous` to continue from, when the file only grew since it was scanned."""
    if previous is None or previous.inode != st.st_ino or st.st_size < previous.offset:
        return None
    if not previous.reusable_for(end):
        return None
    if (
        previous.mark
        and os.pread(fh.fileno(), len(previous.mark), previous.offset - len(previous.mark)) != previous.mark
    ):
        return None  # truncated and written again past the old size
    return replace(previous, end=end, kept=list(previous.kept))


def scan_ndjson_file(
    path: Path,
    service: str,
    start: datetime,
    end: datetime,
    keep: Keep | None = None,
    previous: WindowScan | None = None,
) -> tuple[WindowScan, WindowScan]:
    """(the state to continue from next time, the answer). They differ only by a last line
    without its newline: in the answer (as a whole-file read counts it), not in the state
    (its newline may still come)."""
    with open_regular(path) as fh:
        st = os.fstat(fh.fileno())
        scan = _continuing(fh, st, previous, end) or WindowScan(end=end, inode=st.st_ino)
        fh.seek(scan.offset)
        partial = b""
        while chunk := fh.read(CHUNK):
            data = partial + chunk if partial else chunk
            if scan.overlong:  # the rest of a line too long to read, up to its newline
                newline = data.find(b"\n") + 1
                if not newline:
                    partial, scan.offset = b"", fh.tell()
                    continue
                scan.overlong, scan.lines, data = False, scan.lines + 1, data[newline:]
            cut = data.rfind(b"\n") + 1
            if cut:
                _lines(scan, data[:cut], service, start, keep)
            partial = data[cut:]
            if len(partial) > MAX_LINE:
                _overlong(scan)
                partial = b""
            scan.offset = fh.tell() - len(partial)
        if scan.offset:
            scan.mark = os.pread(fh.fileno(), min(MARK, scan.offset), scan.offset - min(MARK, scan.offset))
    if not partial or scan.overlong:
        return scan, scan
    answer = replace(scan, kept=list(scan.kept))
    _lines(answer, partial, service, start, keep)
    return scan, answer


def scan_json_file(
    path: Path,
    service: str,
    start: datetime,
    end: datetime,
    keep: Keep | None = None,
    previous: WindowScan | None = None,
) -> WindowScan:
    """A JSON array (an export written whole), streamed element by element (json_stream.py);
    a document that is not a plain array of objects is decoded whole, as before. Unchanged
    since `previous` (size, mtime), that answer stands."""
    st = os.stat(path)
    key = (st.st_size, st.st_mtime_ns)
    if previous is not None and previous.key == key and previous.reusable_for(end):
        return replace(previous, end=end)
    scan = WindowScan(end=end, key=key)
    try:
        with open_regular(path) as fh:
            for raw in iter_objects(fh):
                _take(scan, raw, None, service, start, keep)
        return scan
    except NotStreamable:
        pass  # not a plain array of objects: decoded whole, for its answer or its error
    from console.logs.parse import _json_error

    data = read_regular(path)
    try:
        items = orjson.loads(data) if data.strip() else []
    except orjson.JSONDecodeError as exc:
        raise _json_error(exc) from None
    del data
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise MalformedLog(f"expected a JSON array of log entries, got {type(items).__name__}")
    scan = WindowScan(end=end, key=key)
    for raw in items:
        _take(scan, raw, None, service, start, keep)
    return scan
