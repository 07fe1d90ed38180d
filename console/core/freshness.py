"""How old the data behind a verdict is: each panel's fetch stamps its result with the
newest timestamp it read (graded_at, processed_at, a cache row, a completion, a log line),
and the panel says `data 08:17, 1h 12m old` beside its headline. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from console.core.models import CheckResult
from console.core.timestamps import parse_timestamp


def with_data_at(result: CheckResult, moments: Iterable[datetime | str | None]) -> CheckResult:
    """The result with the newest of `moments` (datetimes or RFC 3339 strings, Nones and
    unreadable strings skipped) as its data time. The fetchers read only data up to the
    moment judged (`as_of`), so none is after it."""
    parsed = [m if isinstance(m, datetime) else parse_timestamp(m) for m in moments if m is not None]
    aware = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in parsed if m is not None]
    return result.model_copy(update={"data_at": max(aware)}) if aware else result
