"""History: every check over a range of game dates, so a slow decay shows before it is an outage.

A panel with a history range-runner (its spec's `history`, in panels/<name>.py) reads its
tables with one query over the whole range (queries/history_*.sql, partition-filtered on
@start_date..@end_date, so the cost grows with the days asked, not the table), splits the
rows per game date and hands each date's rows to the very judge `check` uses: `history`
and `check` cannot disagree on a date. A panel without one (Phase 3 documents) is read per
processing date, exactly as `check` reads it, which is why a history is bounded by
`history.max_days`.

Bounded in time as a whole: one history (every check, every date) shares one deadline of
`gcp.query_timeout_s`, as one `check` does, and a check still running `CHECK_GRACE_S` after
it is an `error` on each of its dates; so `history --days 28` ends as soon as `check` does
whatever the network does.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext, guarded
from console.core.deadline import Deadline, run_with_deadline
from console.core.game_dates import DateRange, date_range, query_params
from console.core.models import CheckResult, Report
from console.services.runner import CHECK_GRACE_S, default_game_date, make_report, timed_out
from panels.games import games_read_by
from panels.ranges import RangeReads, each_date
from panels.registry import PANELS
from panels.spec import CheckSpec

# The queries a history runs per check (for "show SQL" and the gcp dry-run bytes).
HISTORY_QUERIES: dict[str, tuple[str, ...]] = {p.id: p.history_queries for p in PANELS if p.history_queries}
# Row titles for a row of dates (the table and the screen's grid).
SHORT_TITLES = {p.id: p.short_title for p in PANELS}


@dataclass(frozen=True)
class HistoryRange:
    """`days` consecutive game dates ending at `end` (oldest first)."""

    end: date
    days: int

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days - 1)

    @property
    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def shifted(self, days: int) -> HistoryRange:
        return HistoryRange(self.end + timedelta(days=days), self.days)


@dataclass(frozen=True)
class Shown:
    """What a history shows of the range asked: only the dates with data (`span`, None when
    none of them has any), and why the rest is left out (`note`)."""

    asked: HistoryRange
    span: HistoryRange | None
    data: DateRange | None

    @property
    def note(self) -> str | None:
        if self.data is None or self.span == self.asked:
            return None
        first, last = self.data.first.isoformat(), self.data.last.isoformat()
        if self.span is None:
            return f"no data in {self.asked.start} .. {self.asked.end} (the data: {first} .. {last})"
        parts = []
        if self.span.start > self.asked.start:
            parts.append(f"no data before {first}")
        if self.span.end < self.asked.end:
            parts.append(f"no data after {last}")
        left = self.asked.days - self.span.days
        return f"{' and '.join(parts)}: {left} of {self.asked.days} dates left out"


def cut_to_data(span: HistoryRange, data: DateRange | None) -> Shown:
    """The dates of `span` within the data (`data` None: unknown, nothing is cut)."""
    if data is None:
        return Shown(span, span, None)
    start, end = max(span.start, data.first), min(span.end, data.last)
    if start > end:
        return Shown(span, None, data)
    return Shown(span, HistoryRange(end, (end - start).days + 1), data)


def data_range(backend: Backend, settings: Settings, now: datetime) -> DateRange | None:
    """The game dates with data, as the main screen's `[` `]` know them; None when it cannot
    be read (the history then shows every date asked, and its checks say what failed)."""
    try:
        default = default_game_date(backend, settings, now)
        return date_range(backend.run_query("game_date_range", query_params(now.astimezone(settings.tz))), default)
    except Exception:  # noqa: BLE001 - no range: nothing is cut, as the screen walks freely
        return None


def history_range(end: date, days: int, settings: Settings) -> HistoryRange:
    limit = settings.history.max_days
    if not 1 <= days <= limit:
        raise ValueError(f"--days {days}: between 1 and history.max_days ({limit})")
    return HistoryRange(end, days)


def contexts(settings: Settings, span: HistoryRange, as_of: datetime) -> list[CheckContext]:
    return [CheckContext(settings=settings, game_date=d, as_of=as_of) for d in span.dates]


def run_history_check(
    spec: CheckSpec[Any],
    backend: Backend,
    ctxs: list[CheckContext],
    reads: RangeReads | None = None,
    deadline: Deadline | None = None,
) -> dict[date, CheckResult]:
    """One check over the range; never raises (a failure is each date's `error` result).
    Bounded by `deadline` (default: a fresh one of gcp.query_timeout_s) plus the grace."""
    deadline = deadline or _deadline(ctxs)

    def run() -> dict[date, CheckResult]:
        if spec.history is None:
            return each_date(spec, backend, ctxs)
        return spec.history(backend, ctxs, reads or RangeReads(backend, ctxs))

    try:
        finished, results = run_with_deadline(
            run,
            deadline.remaining(),
            deadline.remaining() + CHECK_GRACE_S,
            name=f"history {spec.id}",
            deadline=deadline,
        )
    except Exception as exc:  # noqa: BLE001 - e.g. a bug in a runner: every date says so
        error = exc  # a name the lambda can close over: `exc` is unbound once the except block ends
        return {c.game_date: guarded(spec, lambda: _raise(error)) for c in ctxs}
    if finished:
        return cast("dict[date, CheckResult]", results)  # run()'s own value (run_with_deadline passes it as Any)
    limit = ctxs[0].settings.gcp.query_timeout_s if ctxs else deadline.seconds
    message = (
        f"{spec.title}: no answer from {spec.source} within {limit:g} s "
        "(gcp.query_timeout_s, for the whole range); the source did not respond"
    )
    return {c.game_date: timed_out(spec, message) for c in ctxs}


def _deadline(ctxs: list[CheckContext]) -> Deadline:
    return Deadline(ctxs[0].settings.gcp.query_timeout_s if ctxs else 60.0)


def _raise(exc: BaseException) -> CheckResult:
    raise exc


def run_history(backend: Backend, ctxs: list[CheckContext], only: list[str] | None = None) -> list[Report]:
    """Every check over the range, as one `check` report per date (oldest first)."""
    specs = [s for s in PANELS if not only or s.id in only]
    # One thread per check, as the console runs them: the sources wait on I/O, not on each other.
    reads = RangeReads(backend, ctxs)
    deadline = _deadline(ctxs)  # one for the whole range: its reads and every check
    # Which dates had games is read once over the range, by the first check that asks.
    with (
        games_read_by(backend, reads.note_games),
        ThreadPoolExecutor(max_workers=max(1, len(specs)), thread_name_prefix="history") as pool,
    ):
        futures = {s.id: pool.submit(run_history_check, s, backend, ctxs, reads, deadline) for s in specs}
        results = {cid: f.result() for cid, f in futures.items()}
    return [make_report(backend, c, [results[s.id][c.game_date] for s in specs]) for c in ctxs]


def bytes_labels(backend: Backend, only: list[str] | None = None) -> dict[str, str]:
    """On gcp, what the dry run of each history query said it would scan."""
    label = getattr(backend, "bytes_label", None)
    if label is None:
        return {}
    names = [q for cid, qs in HISTORY_QUERIES.items() if not only or cid in only for q in qs]
    return {name: label(name) for name in names}
