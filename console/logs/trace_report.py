"""The Level 1 / Level 2 trace of a set of entries, one per processing day (`logs search
--trace`): the analytics service's lines fed, in time order, to the same TraceParser and
SequentialTrace the morning check and the live panel use."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from console.core.config import Settings
from console.core.log_entry import LogEntry
from console.logs.trace import SequentialTrace, TraceParser


def traces_by_day(entries: Iterable[LogEntry], settings: Settings) -> dict[date, SequentialTrace]:
    """{processing day (configured zone): its trace}, oldest day first; `entries` in time order.
    Days without a trace line are left out."""
    parser = TraceParser(settings.log_patterns)
    service = settings.services.analytics
    days: dict[date, SequentialTrace] = {}
    for entry in entries:
        if entry.service != service:
            continue
        event = parser.parse(entry)
        if event is None:
            continue
        day = entry.timestamp.astimezone(settings.tz).date()
        trace = days.get(day)
        if trace is None:
            trace = days[day] = SequentialTrace.for_settings(settings)
        trace.feed(event)
    return dict(sorted(days.items()))
