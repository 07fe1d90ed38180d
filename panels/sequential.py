"""Sequential execution: the analytics service's Level lines (Cloud Logging) must show
Level 1 finished before Level 2 started; past the Phase 3 deadline no verdict is overdue."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import MISSING

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.freshness import with_data_at
from console.core.models import CheckResult, CheckValue, LogEntries, LogEntry, Status
from console.core.timefmt import for_people
from console.core.timestamps import parse_timestamp
from console.logs.trace import TraceParser, TraceValue, trace_from_entries
from panels.common import Due, hhmm, note_skipped, overdue, phase3_due, value_as
from panels.ranges import RangeReads, each_date, per_date
from panels.spec import CheckSpec, Criterion, LogFeed, Metric

if TYPE_CHECKING:
    from rich.text import Text

ID = "sequential_execution"
TITLE = "Sequential execution"


# ------------------------------------------------------------------ value


class SequentialValue(TraceValue):
    """The trace (console/logs/trace.py: levels, processors, violations, dependency
    failures), and what the check adds: past the Phase 3 deadline, whether it is overdue; the
    malformed entries the log source skipped.

    The drawings below read a `TraceValue`: the live panel's results come from the log
    stream's trace (console/logs/live_trace.py), which has no deadline to say."""

    deadline: str | MISSING = MISSING
    overdue: bool | MISSING = MISSING
    no_games: bool | MISSING = MISSING
    malformed_skipped: int | MISSING = MISSING


# ------------------------------------------------------------------ judge (pure)


def sequential_execution(entries: list[LogEntry], settings: Settings, due: Due | None = None) -> CheckResult:
    """`due`: the Phase 3 deadline; past it, on a date with games, no verdict from the Level
    lines (none, or a level never finished) is a failure."""
    trace = trace_from_entries(entries, settings)
    status, summary, trace_value = trace.verdict()
    value = SequentialValue.model_validate(dict(trace_value))
    result = CheckResult(id=ID, title=TITLE, status=status, summary=summary, value=value)
    nothing = value.mode == "none"
    return overdue(result, due, settings, "no Level lines" if nothing else summary, may_be_no_games=nothing)


def judge_sequential(entries: list[LogEntry], ctx: CheckContext, due: Callable[[], Due] | None = None) -> CheckResult:
    """`entries`: the analytics service's lines within ctx.log_window, oldest first. `due`
    gives the Phase 3 deadline; asked only when the lines alone cannot settle the verdict."""
    result = sequential_execution(entries, ctx.settings)
    if result.status not in (Status.OK, Status.FAIL) and due is not None:
        result = sequential_execution(entries, ctx.settings, due())
    return note_skipped(result, getattr(entries, "skipped", 0))


# ------------------------------------------------------------------ fetch


def trace_lines(backend: Backend, settings: Settings, start: datetime, end: datetime) -> LogEntries:
    """The analytics service's trace lines within [start, end], oldest first (`.newest`: its
    newest line of any kind). Only these are kept from the logs: other lines make no trace
    event, and a night of logs can be gigabytes."""
    parser = TraceParser(settings.log_patterns)
    p = settings.log_patterns
    key = ("trace", p.level_start, p.level_complete, p.processor_start, p.processor_complete, p.dependency_failure)
    return backend.scan_logs(settings.services.analytics, start, end, lambda e: parser.parse(e) is not None, key)


def fetch(backend: Backend, ctx: CheckContext) -> CheckResult:
    start, end = ctx.log_window
    entries = trace_lines(backend, ctx.settings, start, end)
    result = judge_sequential(entries, ctx, lambda: phase3_due(backend, ctx))
    return with_data_at(result, [entries.newest] if entries.newest else [])  # the newest line


def drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    start, end = ctx.log_window
    parser = TraceParser(ctx.settings.log_patterns)
    rows = []
    for entry in trace_lines(backend, ctx.settings, start, end):
        event = parser.parse(entry)
        if event is not None:
            rows.append(
                {
                    "timestamp": entry.timestamp.isoformat(),
                    "event": event.kind,
                    "severity": entry.severity,
                    "text": entry.text,
                }
            )
    return rows


def history(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
    """Local: one read of the range's log lines, cut into each date's window. Elsewhere per
    date, as `check` reads them: a Cloud Logging listing of weeks could hit its entry cap."""
    if backend.name != "local":
        return each_date(SPEC, backend, ctxs)

    def read() -> tuple[LogEntries, list[datetime]]:
        entries = trace_lines(backend, ctxs[0].settings, ctxs[0].log_window[0], max(c.log_window[1] for c in ctxs))
        return entries, [e.timestamp for e in entries]

    def judge(fetched: tuple[LogEntries, list[datetime]], ctx: CheckContext) -> CheckResult:
        entries, stamps = fetched
        start, end = ctx.log_window  # inclusive at both ends, as read_logs is
        # The malformed entries skipped are the files' (they have no time to cut by), as in `check`.
        window = LogEntries.of(
            entries[bisect_left(stamps, start) : bisect_right(stamps, end)], getattr(entries, "skipped", 0)
        )
        return judge_sequential(window, ctx, lambda: phase3_due(backend, ctx))

    return per_date(SPEC, ctxs, read, judge)


# ------------------------------------------------------------------ render


def render(result: CheckResult, tz: ZoneInfo) -> tuple[str, Text]:
    from rich.text import Text  # rich: only when drawn (`check --json` never draws)

    v = value_as(result, TraceValue)
    body = Text()
    for lv in v.levels:
        done = f"{lv.succeeded}/{lv.total}" if lv.total is not None else "running"
        body.append(
            f"Level {lv.level}: {hhmm(lv.started_at, tz, False)} -> {hhmm(lv.completed_at, tz)} ({done})\n",
            style="bold",
        )
    for p in v.processors:
        body.append(
            f"  L{p.level or '?'} {p.name.removesuffix('Processor'):<28.28} "
            f"{hhmm(p.started_at, tz, False)}->{hhmm(p.completed_at, tz)}\n"
        )
    for bad in v.violations[:3]:
        body.append(
            f"violation: {bad.who} started {hhmm(bad.at, tz)} before Level {min(bad.pending_levels or [0])} finished\n",
            style="bold red",
        )
    for dep in v.dependency_failures[:2]:
        body.append(f"{dep.text[:80]}\n", style="bold red")
    violations = len(v.violations) + len(v.dependency_failures)
    head = "L1 -> L2" if result.status is Status.OK else f"{violations} violation(s)" if violations else v.mode
    return head, body


def headline(result: CheckResult) -> str:
    v = value_as(result, TraceValue)
    bad = len(v.violations) + len(v.dependency_failures)
    return f"{bad} viol" if bad else ("L1>L2" if result.status is Status.OK else "")


def breakdown(result: CheckResult) -> tuple[str, list[dict[str, Any]]] | None:
    levels = value_as(result, TraceValue).levels
    return ("levels", [lv.model_dump() for lv in levels]) if levels else None


def markdown(value: CheckValue | None, tz: tzinfo) -> list[str]:
    if not isinstance(value, TraceValue) or not value.processors:
        return []
    out = ["", "| Processor | Level | Started | Completed |", "|---|---:|---|---|"]
    out += [
        f"| {p.name} | {p.level} | {for_people(p.started_at, tz, missing='')} | "
        f"{for_people(p.completed_at, tz, missing='')} |"
        for p in value.processors
    ]
    return out


def suggest(result: CheckResult) -> tuple[tuple[str, ...], str]:
    """One suggestion per evidence. A race (a Level 2 processor started before Level 1
    finished) is what sequential execution prevents: enable it. A DependencyFailureError is
    sequential execution blocking Level 2: the handoff's instant rollback disables it. Both in
    one window contradict each other, and a failure without either (nothing ran, overdue) is
    not about the flag: neither is suggested, and the why says so."""
    value = result.value if isinstance(result.value, TraceValue) else None
    blocked, raced = bool(value and value.dependency_failures), bool(value and value.violations)
    if blocked and raced:
        return (), (
            "both a race and a DependencyFailureError in this window: the evidence does not say "
            "whether to enable or disable sequential execution (read the trace)"
        )
    if blocked:
        return (
            "disable-sequential-execution",
        ), "Level 2 blocked by DependencyFailureError: the handoff's instant rollback"
    if raced:
        return (
            ("enable-sequential-execution",),
            "a Level 2 processor started before Level 1 completed: sequential execution prevents that",
        )
    return (), f"{result.status.value} without a race or a DependencyFailureError: not about the sequential flag"


def notify_rows(value: TraceValue, tz: tzinfo) -> list[str]:
    def clock(iso: str | None) -> str:
        return for_people(iso, tz, "clock") if parse_timestamp(iso) else str(iso)

    rows = [
        f"{v.who} (Level {v.level}) started at {clock(v.at)} before Level {min(v.pending_levels, default='?')} finished"
        for v in value.violations
    ]
    return rows + [
        f"{clock(d.at)} DependencyFailureError in {d.processor}: {d.text[:120]}" for d in value.dependency_failures
    ]


def criteria(result: CheckResult | None, value: TraceValue | None, settings: Settings, day: date) -> list[Criterion]:
    """The handoff's second success criterion: Level 1 then Level 2."""
    met = None if result is None or result.status in (Status.UNKNOWN, Status.WARN) else result.status is Status.OK
    # The verdict's first clause ("X started 92 min before Y") is the part worth a table cell.
    detail = (
        "no data"
        if result is None
        else "in order"
        if met
        else result.summary
        if result.summary.startswith("overdue:")
        else result.summary.split(":")[0]
    )
    return [Criterion("sequential Level 1 then Level 2", met, detail, 2)]


def metrics(value: TraceValue | None, own: list[Criterion], settings: Settings, day: date) -> list[Metric]:
    return [Metric("Sequential execution", "Level 1 -> Level 2", own[0].detail, own[0].met, 5)]


def reads(ctx: CheckContext) -> str:
    return (
        f"Cloud Logging entries of {ctx.settings.services.analytics} on {ctx.processing_date} (Level / processor lines)"
    )


def live_result(status: Status, summary: str, value: TraceValue) -> CheckResult:
    """The check's result from the live log stream's trace (console/logs/live_trace.py): what
    the morning check computes from the same lines, without what a live trace never says."""
    return CheckResult(id=ID, title=TITLE, status=status, summary=summary, value=value)


SPEC = CheckSpec(
    ID,
    TITLE,
    fetch,
    drill,
    render,
    headline,
    short_title="sequence",
    # A judged result carries a SequentialValue; one from the live log stream the trace's own
    # TraceValue (its base class), which has no deadline to say: value_of reads either.
    value_model=TraceValue,
    rows_title="Level and processor log lines",
    rows_empty="no Level or processor line in the analytics service's logs of the processing date",
    source="logging",
    suggest=suggest,
    playbooks=("disable-sequential-execution", "enable-sequential-execution"),
    breakdown=breakdown,
    markdown=markdown,
    history=history,
    reads=reads,
    notify_rows=notify_rows,
    criteria=criteria,
    metrics=metrics,
    live=LogFeed(service=lambda settings: settings.services.analytics, judge=live_result),
)
