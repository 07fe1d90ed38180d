"""The Phase 3 sequential-execution trace: Level 1 (team) must finish before Level 2 (player).

`SequentialTrace` is a small state machine fed one event at a time, so the same code judges
a finished night in `check` and a night still unfolding on the live panel. `TraceValue` is
what it established, as `check --json` writes it (the sequential check's value adds its
deadline and skipped-entries keys: panels/sequential.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from console.core.config import Settings
from console.core.config_platform import LogPatterns
from console.core.models import CheckValue, LogEntry, Status

EventKind = Literal["level_start", "level_complete", "processor_start", "processor_complete", "dependency_failure"]


@dataclass(frozen=True)
class TraceEvent:
    kind: EventKind
    at: datetime
    text: str
    level: int | None = None
    processor: str | None = None
    processors: tuple[str, ...] = ()
    succeeded: int | None = None
    total: int | None = None


class TraceParser:
    """Turns log text into trace events with the configured patterns; unknown text -> None."""

    def __init__(self, patterns: LogPatterns):
        self._level_start = re.compile(patterns.level_start)
        self._level_complete = re.compile(patterns.level_complete)
        self._processor_start = re.compile(patterns.processor_start)
        self._processor_complete = re.compile(patterns.processor_complete)
        self._dependency_failure = re.compile(patterns.dependency_failure)

    def parse(self, entry: LogEntry) -> TraceEvent | None:
        text, at = entry.text.strip(), entry.timestamp
        if m := self._dependency_failure.search(text):
            return TraceEvent("dependency_failure", at, text, processor=_first_processor(m.group("message")))
        if m := self._level_complete.search(text):
            return TraceEvent(
                "level_complete", at, text, level=int(m["level"]), succeeded=int(m["succeeded"]), total=int(m["total"])
            )
        if m := self._level_start.search(text):
            names = tuple(n.strip() for n in m["processors"].split(",") if n.strip())
            return TraceEvent("level_start", at, text, level=int(m["level"]), processors=names)
        if m := self._processor_start.search(text):
            return TraceEvent("processor_start", at, text, processor=m["processor"])
        if m := self._processor_complete.search(text):
            return TraceEvent("processor_complete", at, text, processor=m["processor"])
        return None


# ------------------------------------------------------------------ the trace as a value


class LevelSpan(CheckValue):
    level: int
    started_at: str | None
    completed_at: str | None
    succeeded: int | None  # from the level's completion line
    total: int | None


class ProcessorSpan(CheckValue):
    name: str
    level: int | None  # None: a processor the config does not list
    started_at: str | None
    completed_at: str | None


class Violation(CheckValue):
    who: str  # `Level 2` or a processor's name
    level: int
    at: str | None
    pending_levels: list[int]  # the lower levels not finished then


class DependencyFailure(CheckValue):
    at: str | None
    processor: str | None
    text: str


class TraceValue(CheckValue):
    mode: Literal["level lines", "processor lines", "none"]  # which lines the verdict rests on
    levels: list[LevelSpan]
    processors: list[ProcessorSpan]
    violations: list[Violation]
    dependency_failures: list[DependencyFailure]
    events: int


def _first_processor(text: str) -> str | None:
    m = re.search(r"\b(\w+Processor)\b", text)
    return m.group(1) if m else None


@dataclass
class _Span:
    started_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass
class SequentialTrace:
    levels_of: dict[str, int]
    levels: dict[int, _Span] = field(default_factory=dict)
    level_results: dict[int, tuple[int, int]] = field(default_factory=dict)
    processors: dict[str, _Span] = field(default_factory=dict)
    violations: list[dict[str, Any]] = field(default_factory=list)
    dependency_failures: list[dict[str, Any]] = field(default_factory=list)
    # How many events were fed and the last one's time: not the events themselves, which a
    # live trace following a stream for hours would pile up without end.
    events: int = 0
    last_at: datetime | None = None
    saw_level_lines: bool = False

    @classmethod
    def for_settings(cls, settings: Settings) -> SequentialTrace:
        return cls(levels_of={p.name: p.level for p in settings.processors})

    # ------------------------------------------------------------------ feeding

    def feed(self, event: TraceEvent) -> list[dict[str, Any]]:
        """Apply one event; returns the violations it raised (for live notifications)."""
        self.events += 1
        self.last_at = event.at
        before = len(self.violations)
        if event.kind == "level_start" and event.level is not None:
            self.saw_level_lines = True
            span = self.levels.setdefault(event.level, _Span())
            span.started_at = span.started_at or event.at
            self._check_order(event.level, event.at, f"Level {event.level}")
        elif event.kind == "level_complete" and event.level is not None:
            self.saw_level_lines = True
            self.levels.setdefault(event.level, _Span()).completed_at = event.at
            self.level_results[event.level] = (event.succeeded or 0, event.total or 0)
        elif event.kind == "processor_start" and event.processor:
            span = self.processors.setdefault(event.processor, _Span())
            span.started_at = span.started_at or event.at
            level = self.levels_of.get(event.processor)
            if level is not None:
                self._check_order(level, event.at, event.processor)
        elif event.kind == "processor_complete" and event.processor:
            self.processors.setdefault(event.processor, _Span()).completed_at = event.at
        elif event.kind == "dependency_failure":
            self.dependency_failures.append({"at": event.at, "processor": event.processor, "text": event.text})
        return self.violations[before:]

    def _level_done(self, level: int, at: datetime) -> bool:
        span = self.levels.get(level)
        if span and span.completed_at and span.completed_at <= at:
            return True
        members = [n for n, lv in self.levels_of.items() if lv == level]
        return bool(members) and all(
            (s := self.processors.get(n)) is not None and s.completed_at is not None and s.completed_at <= at
            for n in members
        )

    def _check_order(self, level: int, at: datetime, who: str) -> None:
        pending = [lv for lv in self.levels_of.values() if lv < level and not self._level_done(lv, at)]
        if pending and not any(v["who"] == who for v in self.violations):
            self.violations.append({"who": who, "level": level, "at": at, "pending_levels": sorted(set(pending))})

    # ------------------------------------------------------------------ judging

    def verdict(self) -> tuple[Status, str, TraceValue]:
        value = self.to_value()
        if not self.events or self.last_at is None:
            return Status.UNKNOWN, "no Phase 3 trace lines in the logs yet", value
        if self.dependency_failures:
            first = self.dependency_failures[0]
            return Status.FAIL, f"DependencyFailureError: {first['text'][:120]}", value
        if self.violations:
            return Status.FAIL, self._describe_violation(self.violations[0]), value
        failed = {lv: r for lv, r in self.level_results.items() if r[0] < r[1]}
        if failed:
            lv, (ok, total) = sorted(failed.items())[0]
            return Status.FAIL, f"Level {lv} finished with failures ({ok}/{total} succeeded)", value
        top = max(self.levels_of.values(), default=0)
        if all(self._level_done(lv, datetime.max.replace(tzinfo=self.last_at.tzinfo)) for lv in range(1, top + 1)):
            how = "Level lines" if self.saw_level_lines else "processor lines"
            return Status.OK, f"Level 1 then Level 2, in order ({how})", value
        running = next((lv for lv in range(1, top + 1) if not self._level_done(lv, self.last_at)), top)
        return Status.UNKNOWN, f"in progress: Level {running} not complete yet", value

    def _describe_violation(self, violation: dict[str, Any]) -> str:
        who, at = violation["who"], violation["at"]
        # Name the lower-level processor that started last after it, as the handoff did
        # ("ran 92 minutes BEFORE TeamOffenseGameSummaryProcessor").
        later = [
            (span.started_at, name)
            for name, span in self.processors.items()
            if self.levels_of.get(name, 99) < violation["level"] and span.started_at and span.started_at > at
        ]
        if later:
            started, name = max(later)
            minutes = round((started - at).total_seconds() / 60)
            return f"{who} started {minutes} min before {name}: Level 2 ran before Level 1 finished"
        return f"{who} started before Level {min(violation['pending_levels'])} completed"

    def to_value(self) -> TraceValue:
        def iso(d: datetime | None) -> str | None:
            return d.isoformat() if d else None

        return TraceValue(
            mode="level lines" if self.saw_level_lines else ("processor lines" if self.processors else "none"),
            levels=[
                LevelSpan(
                    level=lv,
                    started_at=iso(span.started_at),
                    completed_at=iso(span.completed_at),
                    succeeded=self.level_results.get(lv, (None, None))[0],
                    total=self.level_results.get(lv, (None, None))[1],
                )
                for lv, span in sorted(self.levels.items())
            ],
            processors=[
                ProcessorSpan(
                    name=name,
                    level=self.levels_of.get(name),
                    started_at=iso(span.started_at),
                    completed_at=iso(span.completed_at),
                )
                for name, span in sorted(self.processors.items(), key=_span_order)
            ],
            violations=[
                Violation(who=v["who"], level=v["level"], at=iso(v["at"]), pending_levels=v["pending_levels"])
                for v in self.violations
            ],
            dependency_failures=[
                DependencyFailure(at=iso(d["at"]), processor=d["processor"], text=d["text"])
                for d in self.dependency_failures
            ],
            events=self.events,
        )


def _span_order(item: tuple[str, _Span]) -> tuple[bool, float, str]:
    name, span = item
    return (span.started_at is None, span.started_at.timestamp() if span.started_at else 0.0, name)


def trace_from_entries(entries: list[LogEntry], settings: Settings) -> SequentialTrace:
    parser = TraceParser(settings.log_patterns)
    trace = SequentialTrace.for_settings(settings)
    for entry in sorted(entries, key=lambda e: e.timestamp):
        event = parser.parse(entry)
        if event is not None:
            trace.feed(event)
    return trace
