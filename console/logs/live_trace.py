"""The sequential-execution trace kept up to date from a live log stream.

`LiveTrace.feed(entries)` runs each entry of the analytics service through the same
TraceParser and SequentialTrace the morning check uses, and returns what is new: a fresh
verdict (status, summary, the trace's value), plus the violations and DependencyFailureErrors
to notify at once. The check that follows the stream makes its result of the verdict (its
`live` hook, a LogFeed: panels/spec.py); this module names no check. A trace covers one processing day (in the
configured zone): an entry of a later day starts a new one, so replaying a file that
holds several mornings judges each on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from console.core.config import Settings
from console.core.models import LogEntry, Status
from console.logs.trace import SequentialTrace, TraceParser, TraceValue


@dataclass
class TraceAlert:
    kind: str  # "violation" | "dependency_failure"
    day: date
    message: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TraceVerdict:
    """What the trace says so far: the morning check's status, summary and value (TraceValue)."""

    status: Status
    summary: str
    value: TraceValue


@dataclass
class TraceUpdate:
    verdict: TraceVerdict | None  # None when the batch held no trace line
    alerts: list[TraceAlert]
    day: date | None


class LiveTrace:
    def __init__(self, settings: Settings, day: date | None = None):
        """`day`: judge only that processing day; None follows the latest day seen."""
        self.settings = settings
        self.parser = TraceParser(settings.log_patterns)
        self.fixed_day = day
        self.day: date | None = day
        self.trace = SequentialTrace.for_settings(settings)
        self.service = settings.services.analytics

    def _day_of(self, entry: LogEntry) -> date:
        return entry.timestamp.astimezone(self.settings.tz).date()

    def feed(self, entries: Iterable[LogEntry]) -> TraceUpdate:
        alerts: list[TraceAlert] = []
        changed = False
        for entry in entries:
            if entry.service != self.service:
                continue
            event = self.parser.parse(entry)
            if event is None:
                continue
            day = self._day_of(entry)
            if self.fixed_day is not None and day != self.fixed_day:
                continue
            if self.day is None or day > self.day:
                self.day, self.trace = day, SequentialTrace.for_settings(self.settings)
                alerts = []  # alerts of an older morning are history, not news
            elif day < self.day:
                continue  # a late line of a morning already left behind
            changed = True
            failures_before = len(self.trace.dependency_failures)
            for v in self.trace.feed(event):
                alerts.append(TraceAlert("violation", day, _violation_text(v), v))
            for d in self.trace.dependency_failures[failures_before:]:
                alerts.append(TraceAlert("dependency_failure", day, f"DependencyFailureError: {d['text'][:160]}", d))
        return TraceUpdate(self.verdict() if changed else None, alerts, self.day)

    def verdict(self) -> TraceVerdict:
        # What the morning check computes from the same lines (the same status, summary and
        # JSON), so the panel shows one result whether it came from a refresh or from the
        # stream. Its value is the trace's own (`TraceValue`): the check's adds only what a
        # live trace never says (a deadline passed, entries skipped).
        return TraceVerdict(*self.trace.verdict())


def _violation_text(v: dict[str, Any]) -> str:
    levels = ", ".join(f"Level {lv}" for lv in v.get("pending_levels", []))
    return f"Sequential violation: {v['who']} (Level {v['level']}) started before {levels} completed"
