"""Cloud Logging entries (as `gcloud logging read --format=json` prints them) to LogEntry.

A malformed entry inside a readable file is skipped and counted (`Skipped`), never fatal:
a log tail must survive whatever the platform writes. A file that is not a log at all (not
JSON, not an array of entries) is a `MalformedLog` with its line and reason: an unreadable
source is an error, never "no lines yet".
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import orjson

from console.core.log_entry import LogEntry
from console.core.timestamps import parse_timestamp, rfc3339
from console.logs.candidates import candidate_lines, has_prefilter

if TYPE_CHECKING:
    from console.logs.query import LogQuery

_SEVERITY_NAMES: dict[str, str] = {}  # one shared str per spelling: 100,000 held entries, a few names


def entry_timestamp(raw: dict[str, Any]) -> Any:
    """The entry's time, or None when it has none (then `raw` is not an entry)."""
    return parse_timestamp(raw.get("timestamp") or raw.get("receiveTimestamp"))


def entry_severity(raw: dict[str, Any]) -> str:
    """The severity name as an entry holds it (upper-cased; DEFAULT when not a string)."""
    severity = raw.get("severity")
    return severity.upper() if isinstance(severity, str) else "DEFAULT"


def entry_service(raw: dict[str, Any]) -> str:
    """The Cloud Run service or Cloud Function an entry came from ("" when it names none)."""
    resource = raw.get("resource")
    labels = resource.get("labels") if isinstance(resource, dict) else None
    service = labels.get("service_name") or labels.get("function_name") or "" if isinstance(labels, dict) else ""
    return str(service)


def entry_time_severity(raw: Any) -> tuple[Any, str] | None:
    """(timestamp, severity) of a decoded entry, or None when `raw` is not one (not an
    object, no timestamp): the rules of entry_timestamp and entry_severity, written out."""
    if not isinstance(raw, dict):
        return None
    get = raw.get
    timestamp = parse_timestamp(get("timestamp") or get("receiveTimestamp"))
    if timestamp is None:
        return None
    severity = get("severity")
    return timestamp, severity.upper() if isinstance(severity, str) else "DEFAULT"


def entry_fields(raw: Any) -> tuple[Any, str, str, str] | None:
    """(timestamp, severity, service, text) of a decoded entry, or None when `raw` is not one:
    entry_time_severity, then the rules of entry_service and the text (textPayload, else
    jsonPayload.message), written out in one function because every entry of a search or a
    tail comes through here."""
    head = entry_time_severity(raw)
    if head is None:
        return None
    get = raw.get
    resource = get("resource")
    labels = resource.get("labels") if isinstance(resource, dict) else None
    service = str(labels.get("service_name") or labels.get("function_name") or "") if isinstance(labels, dict) else ""
    text = get("textPayload")
    if not isinstance(text, str):
        payload = get("jsonPayload")
        message = payload.get("message") if isinstance(payload, dict) else None
        text = message if isinstance(message, str) else ""
    return head[0], head[1], service, text


def entry_from_dict(raw: Any, line: bytes | None = None) -> LogEntry | None:
    """`line`: the JSON text `raw` was decoded from; kept instead of the dict (~5x smaller).
    Without it the dict is re-encoded compactly, so a held entry never keeps a dict."""
    fields = entry_fields(raw)
    if fields is None:
        return None
    timestamp, severity, service, text = fields
    severity = _SEVERITY_NAMES.setdefault(severity, severity) if len(_SEVERITY_NAMES) < 64 else severity
    if line is None:
        try:
            line = orjson.dumps(raw, default=str)
        except (TypeError, orjson.JSONEncodeError):
            line = None
    insert_id = raw.get("insertId")
    return LogEntry(
        insert_id=insert_id if type(insert_id) is str else str(insert_id or ""),
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

    def at(self, path: object) -> str:
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
# Candidate lines are found first (console/logs/candidates.py: memchr on needles, Hyperscan
# or `re` on severities) and only those decoded; `query.matches` on the decoded entry decides.


def parse_line(line: bytes) -> LogEntry | None:
    """One NDJSON line to a LogEntry; None when blank, malformed or not an entry."""
    if not line.strip():
        return None
    try:
        return entry_from_dict(orjson.loads(line), bytes(line))
    except orjson.JSONDecodeError:
        return None


def _filtered(lines: Iterable[bytes], query: LogQuery, skipped: Skipped | None = None) -> Iterator[LogEntry]:
    for line in lines:
        if query.raw_may_match(line):
            entry = parse_line(line)
            if entry is None:
                if skipped is not None and line.strip():
                    skipped.add()
            elif query.matches(entry):
                yield entry


def scan_ndjson(data: bytes, query: LogQuery | None = None, skipped: Skipped | None = None) -> Iterator[LogEntry]:
    """Entries of a block of complete NDJSON lines that match `query` (a LogQuery). With a
    prefilter, only candidate lines are decoded, so only malformed candidates are counted."""
    if query is None or query.is_empty:
        yield from parse_ndjson_lines(data.split(b"\n"), skipped)
    elif has_prefilter(query):
        yield from _filtered(candidate_lines(data, query), query, skipped)
    else:
        yield from _filtered(data.split(b"\n"), query, skipped)
