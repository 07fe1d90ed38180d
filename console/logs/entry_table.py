"""The table `entries` that SQL over log entries reads (`;` on the log screen, `logs search
--sql`): its columns, the values of a set of entries column by column, the examples the help
shows, and a plain text table of a result. Pure: the query itself runs in
console/local/sql_sandbox.py (DuckDB, locked down).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from console.core.log_entry import LogEntry
from console.core.timefmt import for_people
from console.logs.query import severity_rank

# (name, DuckDB type, what it holds). `timestamp` is a TIMESTAMPTZ shown in the configured zone.
COLUMNS: list[tuple[str, str, str]] = [
    ("timestamp", "TIMESTAMPTZ", "when the entry was written"),
    ("severity", "VARCHAR", "DEFAULT DEBUG INFO NOTICE WARNING ERROR CRITICAL ALERT EMERGENCY"),
    ("severity_rank", "INTEGER", "Cloud Logging's number: 400 WARNING, 500 ERROR (severity_rank >= 500)"),
    ("service", "VARCHAR", "Cloud Run service or function"),
    ("revision", "VARCHAR", "resource.labels.revision_name"),
    ("text", "VARCHAR", "textPayload, or jsonPayload.message"),
    ("insert_id", "VARCHAR", "insertId"),
    ("trace", "VARCHAR", "the trace the entry belongs to"),
    ("span_id", "VARCHAR", "spanId"),
    ("log_name", "VARCHAR", "logName"),
]

EXAMPLES: list[tuple[str, str]] = [
    (
        "errors per service per minute",
        "SELECT service, date_trunc('minute', timestamp) AS minute, count(*) AS errors FROM entries "
        "WHERE severity_rank >= 500 GROUP BY ALL ORDER BY minute, service",
    ),
    (
        "Level lines in order",
        "SELECT timestamp, service, text FROM entries WHERE text LIKE '%Level %' ORDER BY timestamp",
    ),
    ("entries per severity", "SELECT severity, count(*) AS n FROM entries GROUP BY severity ORDER BY n DESC"),
    (
        "the busiest revisions",
        "SELECT service, revision, count(*) AS n FROM entries GROUP BY ALL ORDER BY n DESC LIMIT 10",
    ),
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def describe_columns(indent: str = "") -> str:
    width = max(len(name) for name, _, _ in COLUMNS)
    return "\n".join(f"{indent}{name:<{width}}  {kind:<11}  {what}" for name, kind, what in COLUMNS)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def row_of(entry: LogEntry) -> tuple[Any, ...]:
    """One entry's values in COLUMNS order (timestamp as microseconds since the epoch)."""
    raw = entry.raw
    resource = raw.get("resource")
    labels = resource.get("labels") if isinstance(resource, dict) else None
    revision = labels.get("revision_name") if isinstance(labels, dict) else None
    return (
        (entry.timestamp - _EPOCH) // _MICRO,
        entry.severity,
        severity_rank(entry.severity),
        entry.service,
        _text(revision),
        entry.text,
        entry.insert_id,
        _text(raw.get("trace")),
        _text(raw.get("spanId")),
        _text(raw.get("logName")),
    )


def columns_of(entries: Iterable[LogEntry], chunk: int = 50_000) -> Iterable[list[list[Any]]]:
    """The entries' values column by column, in chunks of `chunk` rows (bounded memory)."""
    columns: list[list[Any]] = [[] for _ in COLUMNS]
    for entry in entries:
        for column, value in zip(columns, row_of(entry), strict=True):
            column.append(value)
        if len(columns[0]) >= chunk:
            yield columns
            columns = [[] for _ in COLUMNS]
    if columns[0]:
        yield columns


def cell_text(value: Any, tz: tzinfo) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return for_people(value, tz, "seconds")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("\n", "\\n")


def text_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], tz: tzinfo, max_width: int = 80) -> str:
    """A result as aligned plain text: a header, then one line per row (the last column whole)."""
    cells = [[cell_text(v, tz) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        for i, text in enumerate(row[:-1]):
            widths[i] = min(max(widths[i], len(text)), max_width)
    lines = []
    for row in [list(columns), *cells]:
        head = [text[:max_width].ljust(widths[i]) for i, text in enumerate(row[:-1])]
        lines.append("  ".join([*head, row[-1] if row else ""]).rstrip())
    return "\n".join(lines) + "\n"
