"""Cloud Logging entries (as `gcloud logging read --format=json` prints them) to LogEntry.

A malformed entry inside a readable file is skipped and counted (`Skipped`), never fatal:
a log tail must survive whatever the platform writes. A file that is not a log at all (not
JSON, not an array of entries) is a `MalformedLog` with its line and reason: an unreadable
source is an error, never "no lines yet".
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from console.core.models import LogEntry
from console.core.timestamps import parse_timestamp, rfc3339
from console.logs import severity_scan, split_count

_SEVERITY_NAMES: dict[str, str] = {}  # one shared str per spelling: 100,000 held entries, a few names


def entry_timestamp(raw: dict) -> Any:
    """The entry's time, or None when it has none (then `raw` is not an entry)."""
    return parse_timestamp(raw.get("timestamp") or raw.get("receiveTimestamp"))


def entry_severity(raw: dict) -> str:
    """The severity name as an entry holds it (upper-cased; DEFAULT when not a string)."""
    severity = raw.get("severity")
    return severity.upper() if isinstance(severity, str) else "DEFAULT"


def entry_service(raw: dict) -> str:
    """The Cloud Run service or Cloud Function an entry came from ("" when it names none)."""
    resource = raw.get("resource")
    labels = resource.get("labels") if isinstance(resource, dict) else None
    service = labels.get("service_name") or labels.get("function_name") or "" if isinstance(labels, dict) else ""
    return str(service)


def entry_from_dict(raw: Any, line: bytes | None = None) -> LogEntry | None:
    """`line`: the JSON text `raw` was decoded from; kept instead of the dict (~5x smaller).
    Without it the dict is re-encoded compactly, so a held entry never keeps a dict."""
    if not isinstance(raw, dict):
        return None
    timestamp = entry_timestamp(raw)
    if timestamp is None:
        return None
    service = entry_service(raw)
    json_payload = raw.get("jsonPayload") if isinstance(raw.get("jsonPayload"), dict) else None
    text = raw.get("textPayload")
    if not isinstance(text, str):
        message = json_payload.get("message") if json_payload else None
        text = message if isinstance(message, str) else ""
    severity = entry_severity(raw)
    severity = _SEVERITY_NAMES.setdefault(severity, severity) if len(_SEVERITY_NAMES) < 64 else severity
    if line is None:
        try:
            line = orjson.dumps(raw, default=str)
        except (TypeError, orjson.JSONEncodeError):
            line = None
    return LogEntry(
        insert_id=str(raw.get("insertId") or ""),
        timestamp=timestamp,
        severity=severity,
        service=sys.intern(service) if len(service) < 200 else service,
        text=text,
        raw=raw if line is None else None,
        line=line,
    )


class MalformedLog(ValueError):
    """A log file that is not a log: `line` (1-based) and `reason`; callers add the path."""

    def __init__(self, reason: str, line: int = 1):
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason

    def at(self, path) -> str:
        return f"{path}:{self.line}: {self.reason}"


class Skipped:
    """Counts malformed entries skipped inside an otherwise readable file."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def add(self, n: int = 1) -> None:
        self.count += n


def _json_error(exc: orjson.JSONDecodeError) -> MalformedLog:
    return MalformedLog(f"invalid JSON ({exc.msg}, column {exc.colno})", exc.lineno)


def parse_json_document(data: bytes, skipped: Skipped | None = None) -> Iterator[LogEntry]:
    """A JSON array of entries (`gcloud logging read --format=json`); MalformedLog when the
    file is not one, malformed entries inside it skipped (and counted in `skipped`)."""
    try:
        items = orjson.loads(data) if data.strip() else []
    except orjson.JSONDecodeError as exc:
        raise _json_error(exc) from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise MalformedLog(f"expected a JSON array of log entries, got {type(items).__name__}")
    for item in items:
        entry = entry_from_dict(item)
        if entry is not None:
            yield entry
        elif skipped is not None:
            skipped.add()


def parse_ndjson_lines(lines: Iterable[bytes], skipped: Skipped | None = None) -> Iterator[LogEntry]:
    for line in lines:
        if not line.strip():
            continue
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError:
            raw = None
        entry = entry_from_dict(raw, bytes(line)) if raw is not None else None
        if entry is not None:
            yield entry
        elif skipped is not None:
            skipped.add()


def parse_log_file(data: bytes, ndjson: bool) -> tuple[list[LogEntry], int]:
    """A whole log file: (entries, malformed entries skipped). MalformedLog when it is not a
    log at all: a JSON document that does not parse, or NDJSON of which no line is an entry."""
    skipped = Skipped()
    if not ndjson:
        return list(parse_json_document(data, skipped)), skipped.count
    entries = list(parse_ndjson_lines(data.splitlines(), skipped))
    if skipped.count and not entries:
        number = next(i for i, line in enumerate(data.splitlines(), 1) if line.strip())
        raise MalformedLog("not a log entry (NDJSON: one JSON LogEntry per line)", number)
    return entries, skipped.count


def entry_to_dict(entry: LogEntry) -> dict[str, Any]:
    """Back to the gcloud JSON shape (for export and replay)."""
    raw = entry.raw
    if raw:
        return raw
    out: dict[str, Any] = {
        "insertId": entry.insert_id,
        "timestamp": rfc3339(entry.timestamp),
        "severity": entry.severity,
        "resource": {"type": "cloud_run_revision", "labels": {"service_name": entry.service}},
    }
    if entry.json_payload is not None:
        out["jsonPayload"] = entry.json_payload
    else:
        out["textPayload"] = entry.text
    return out


# ---------------------------------------------------------------- filtered scanning
# The fast path for big exports and live tails: find candidate lines without a Python loop
# over lines, test the cheap raw conditions on those, and only then decode JSON (decoding
# every entry costs ~20x grep). Two finders, chosen by the query:
# - literal needles (text alternatives, else the quoted service): `bytes.find` of ONE byte
#   is memchr (~10 GB/s), while a multi-byte find or `re` scans at ~2 GB/s. So each needle
#   is anchored on its rarest byte (counted in a 64 KiB sample of the data itself), needles
#   sharing that byte are found in one pass, and each hit is verified in place. A byte too
#   common to anchor on falls back to `bytes.find` of the whole needle.
# - severity only: one Hyperscan pass (severity_scan.py: the accepted names, in any case,
#   then a quote; backslashes; the few non-ASCII letters that upper-case into ASCII), or
#   where Hyperscan has no wheel, one `re` pass of `LogQuery.severity_bytes` plus a memchr
#   pass for keys written with \u escapes.
# Either way a line is a candidate only; `query.matches` on the decoded entry decides.

_SAMPLE = 1 << 16
_MAX_ANCHOR_RATE = 1 / 256  # hits per byte above which a per-hit Python step loses to find()


def parse_line(line: bytes) -> LogEntry | None:
    """One NDJSON line to a LogEntry; None when blank, malformed or not an entry."""
    if not line.strip():
        return None
    try:
        return entry_from_dict(orjson.loads(line), bytes(line))
    except orjson.JSONDecodeError:
        return None


def _filtered(lines: Iterable[bytes], query, skipped: Skipped | None = None) -> Iterator[LogEntry]:
    for line in lines:
        if query.raw_may_match(line):
            entry = parse_line(line)
            if entry is None:
                if skipped is not None and line.strip():
                    skipped.add()
            elif query.matches(entry):
                yield entry


def _has_prefilter(query) -> bool:
    return query is not None and not query.is_empty and bool(query.needles or query.severity_bytes)


def scan_ndjson(data: bytes, query=None, skipped: Skipped | None = None) -> Iterator[LogEntry]:
    """Entries of a block of complete NDJSON lines that match `query` (a LogQuery). With a
    prefilter, only candidate lines are decoded, so only malformed candidates are counted."""
    if query is None or query.is_empty:
        yield from parse_ndjson_lines(data.split(b"\n"), skipped)
    elif _has_prefilter(query):
        yield from _filtered(candidate_lines(data, query), query, skipped)
    else:
        yield from _filtered(data.split(b"\n"), query, skipped)


def candidate_lines(data, query) -> Iterator[bytes]:
    """Lines of `data` (bytes or mmap) that may match `query`, each once, in file order."""
    needles = query.needles
    if not needles and severity_scan.available():
        yield from severity_scan.candidate_lines(data, query.severity_names)
        return
    starts = _needle_starts(data, needles) if needles else _severity_starts(data, query.severity_bytes)
    find = data.find
    for start in sorted(starts):
        end = find(b"\n", start)
        yield data[start : end if end != -1 else len(data)]


def _needle_starts(data, needles: list[bytes]) -> set[int]:
    sample = data[:_SAMPLE]
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
        starts.add(rfind(b"\n", 0, pos) + 1)
        return find(b"\n", pos)

    for anchor, group in groups.items():
        pos = find(anchor)
        while pos != -1:
            for needle, at in group:
                begin = pos - at
                if begin >= 0 and data[begin : begin + len(needle)] == needle:
                    end = take(pos)
                    pos = find(anchor, end) if end != -1 else -1
                    break
            else:
                pos = find(anchor, pos + 1)
    for needle in whole:
        pos = find(needle)
        while pos != -1:
            end = take(pos)
            pos = find(needle, end) if end != -1 else -1
    return starts


def _pattern_starts(data, pattern) -> list[int]:
    starts, rfind, find, search = [], data.rfind, data.find, pattern.search
    m = search(data)
    while m is not None:
        pos = m.start()
        starts.append(rfind(b"\n", 0, pos) + 1)
        end = find(b"\n", pos)
        m = search(data, end) if end != -1 else None
    return starts


def _severity_starts(data, pattern) -> set[int]:
    """Lines with a severity value that may rank high enough (`pattern`, one `re` pass), and
    lines holding a \\u escape of a letter of `severity` (a key written `"sev\\u0065rity"`
    has no plain `y"` for the pattern to see): found by memchr on the backslash, which is rare
    outside escaped payloads, then the four bytes after it compared in place."""
    starts = set(_pattern_starts(data, pattern))
    find, rfind = data.find, data.rfind
    pos = find(b"\\")
    while pos != -1:
        if data[pos + 1 : pos + 5] in (b"u006", b"u007"):
            starts.add(rfind(b"\n", 0, pos) + 1)
            end = find(b"\n", pos)
            pos = find(b"\\", end) if end != -1 else -1
        else:
            pos = find(b"\\", pos + 1)
    return starts


def _count_severity(lines: Iterable[bytes], query) -> int:
    """How many of `lines` are entries `query` (severity only) matches: what `_filtered` +
    `matches` decide, from the decoded dict, without building the entries (building one
    costs more than decoding). The steps of entry_severity, severity_passes and
    entry_timestamp are written out here: at 50,000 candidates their calls cost about as
    much as decoding (test_severity_scan/test_severity_prefilter compare the counts)."""
    n, loads, passing = 0, orjson.loads, frozenset(query.severity_names)  # ranked at least the minimum
    for line in lines:
        try:
            raw = loads(line)
        except orjson.JSONDecodeError:
            continue
        if type(raw) is not dict:
            continue
        severity = raw.get("severity")
        if (
            isinstance(severity, str)
            and (severity.upper() or "DEFAULT").upper() in passing
            and parse_timestamp(raw.get("timestamp") or raw.get("receiveTimestamp")) is not None
        ):
            n += 1
    return n


def count_matches(path, query, chunk_size: int = 1 << 22) -> int:
    """Count a file's matching entries in bounded memory: memory-mapped when the query has
    a prefilter (no copies, the page cache is the buffer), else in chunks."""
    import mmap

    if _has_prefilter(query):
        with open(path, "rb") as fh:
            try:
                mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # empty file
                return 0
            with mm:
                if query.severity_only and severity_scan.available():
                    names = query.severity_names
                    severity_scan.prepare(names)  # compiled once here, not in every forked part

                    def count_part(start: int, stop: int) -> int:
                        return _count_severity(severity_scan.candidate_lines(mm, names, start, stop), query)

                    return split_count.count(mm, count_part)
                if query.severity_only:
                    return _count_severity(candidate_lines(mm, query), query)
                return sum(1 for _ in _filtered(candidate_lines(mm, query), query))
    n = 0
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            data = tail + chunk
            cut = data.rfind(b"\n") + 1
            tail = data[cut:]
            for _ in scan_ndjson(data[:cut], query):
                n += 1
    if tail:
        n += sum(1 for _ in scan_ndjson(tail, query))
    return n
