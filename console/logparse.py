"""Cloud Logging entries (as `gcloud logging read --format=json` prints them) to LogEntry.

Anything malformed is skipped, never fatal: a log tail must survive whatever the
platform writes.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

import orjson

from .models import LogEntry

_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_timestamp(value: Any) -> datetime | None:
    """RFC 3339 with up to nanoseconds (Python keeps microseconds); None when unreadable."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if not isinstance(value, str) or not value:
        return None
    text = _FRACTION.sub(r"\1", value.strip())
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def entry_from_dict(raw: Any) -> LogEntry | None:
    if not isinstance(raw, dict):
        return None
    timestamp = parse_timestamp(raw.get("timestamp") or raw.get("receiveTimestamp"))
    if timestamp is None:
        return None
    resource = raw.get("resource")
    labels = resource.get("labels") if isinstance(resource, dict) else None
    service = labels.get("service_name") or labels.get("function_name") or "" if isinstance(labels, dict) else ""
    json_payload = raw.get("jsonPayload") if isinstance(raw.get("jsonPayload"), dict) else None
    text = raw.get("textPayload")
    if not isinstance(text, str):
        message = json_payload.get("message") if json_payload else None
        text = message if isinstance(message, str) else ""
    severity = raw.get("severity")
    return LogEntry(
        insert_id=str(raw.get("insertId") or ""),
        timestamp=timestamp,
        severity=severity.upper() if isinstance(severity, str) else "DEFAULT",
        service=str(service),
        text=text,
        json_payload=json_payload,
        raw=raw,
    )


def parse_json_document(data: bytes) -> Iterator[LogEntry]:
    """A JSON array of entries (`gcloud logging read --format=json`)."""
    try:
        items = orjson.loads(data) if data.strip() else []
    except orjson.JSONDecodeError:
        return
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return
    for item in items:
        entry = entry_from_dict(item)
        if entry is not None:
            yield entry


def parse_ndjson_lines(lines: Iterable[bytes]) -> Iterator[LogEntry]:
    for line in lines:
        if not line.strip():
            continue
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        entry = entry_from_dict(raw)
        if entry is not None:
            yield entry


def entry_to_dict(entry: LogEntry) -> dict[str, Any]:
    """Back to the gcloud JSON shape (for export and replay)."""
    if entry.raw:
        return entry.raw
    out: dict[str, Any] = {
        "insertId": entry.insert_id,
        "timestamp": entry.timestamp.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "severity": entry.severity,
        "resource": {"type": "cloud_run_revision", "labels": {"service_name": entry.service}},
    }
    if entry.json_payload is not None:
        out["jsonPayload"] = entry.json_payload
    else:
        out["textPayload"] = entry.text
    return out


# ---------------------------------------------------------------- filtered scanning
# The fast path for big exports and live tails: find candidate lines with C-speed
# `bytes.find` on a literal every match must contain (as grep does), test the cheap raw
# conditions, and only then decode JSON. Decoding every entry costs ~10x more.


def parse_line(line: bytes) -> LogEntry | None:
    """One NDJSON line to a LogEntry; None when blank, malformed or not an entry."""
    if not line.strip():
        return None
    try:
        return entry_from_dict(orjson.loads(line))
    except orjson.JSONDecodeError:
        return None


def _filtered(lines: Iterable[bytes], query) -> Iterator[LogEntry]:
    for line in lines:
        if query.raw_may_match(line):
            entry = parse_line(line)
            if entry is not None and query.matches(entry):
                yield entry


def scan_ndjson(data: bytes, query=None) -> Iterator[LogEntry]:
    """Entries of a block of complete NDJSON lines that match `query` (a LogQuery)."""
    if query is None or query.is_empty:
        yield from parse_ndjson_lines(data.split(b"\n"))
        return
    needles = query.needles
    if not needles:
        yield from _filtered(data.split(b"\n"), query)
        return
    yield from _filtered(_candidate_lines(data, needles), query)


def _candidate_lines(data: bytes, needles: list[bytes]) -> Iterator[bytes]:
    """Lines of `data` containing one of `needles`, each once, in file order."""
    find, rfind = data.find, data.rfind
    starts: set[int] = set()
    for needle in needles:
        pos = find(needle)
        while pos != -1:
            start = rfind(b"\n", 0, pos) + 1
            starts.add(start)
            end = find(b"\n", pos)
            if end == -1:
                break
            pos = find(needle, end)
    for start in sorted(starts):
        end = find(b"\n", start)
        yield data[start : end if end != -1 else len(data)]


def count_matches(path, query, chunk_size: int = 1 << 22) -> int:
    """Count a file's matching entries in bounded memory: memory-mapped when the query has
    a literal to search for (no copies, the page cache is the buffer), else in chunks."""
    import mmap

    if query is not None and not query.is_empty and query.needles:
        with open(path, "rb") as fh:
            try:
                mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # empty file
                return 0
            with mm:
                return sum(1 for _ in _filtered(_candidate_lines(mm, query.needles), query))
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
