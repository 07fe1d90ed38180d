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
