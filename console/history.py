"""History: every check over a range of game dates, so a slow decay shows before it is an outage.

The tables are read with one query per check over the whole range (queries/history_*.sql,
partition-filtered on @start_date..@end_date, so the cost grows with the days asked, not
the table), split per game date in Python, and each date's rows go to the very judges
`check` uses (morning.judge_*): `history` and `check` cannot disagree on a date. Phase 3
documents and the sequential trace are read per processing date, exactly as `check` reads
them, which is why a history is bounded by `history.max_days`.
"""

from __future__ import annotations

import threading

from bisect import bisect_left, bisect_right
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable

from .backends.base import Backend
from .core.config import Settings
from .core.errors import ErrorKind, SourceError, first_line
from .core.models import (
    CheckResult,
    DnpDayRow,
    DnpPollutedRow,
    GradingSystemRow,
    LogEntries,
    Report,
    Row,
    UsageGameRow,
)
from .core.runner import (
    SPEC_BY_ID,
    SPECS,
    CheckContext,
    CheckSpec,
    guarded,
    had_games,
    judge_dnp,
    judge_drift,
    judge_grading,
    judge_sequential,
    judge_usage,
    make_report,
    note_games,
    phase3_due,
    query_rows,
)

# The queries a history runs per check (for "show SQL" and the gcp dry-run bytes).
HISTORY_QUERIES: dict[str, tuple[str, ...]] = {
    "grading_coverage": ("history_grading",),
    "dnp_pollution": ("dnp_by_day", "history_dnp_examples"),
    "usage_rate_coverage": ("history_usage",),
}
# Column titles for a row of dates (the table and the screen's grid).
SHORT_TITLES = {
    "phase3_completion": "phase3", "sequential_execution": "sequence", "grading_coverage": "grading",
    "dnp_pollution": "dnp", "usage_rate_coverage": "usage", "deployment_drift": "drift",
}
# A window's examples are its worst rows; the judge keeps 10, so 10 a day rebuild any window's.
EXAMPLES_PER_DAY = 10


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

    def shifted(self, days: int) -> "HistoryRange":
        return HistoryRange(self.end + timedelta(days=days), self.days)


def history_range(end: date, days: int, settings: Settings) -> HistoryRange:
    limit = settings.history.max_days
    if not 1 <= days <= limit:
        raise ValueError(f"--days {days}: between 1 and history.max_days ({limit})")
    return HistoryRange(end, days)


def contexts(settings: Settings, span: HistoryRange, as_of: datetime) -> list[CheckContext]:
    return [CheckContext(settings=settings, game_date=d, as_of=as_of) for d in span.dates]


class _GameDate(Row):
    game_date: date


def _split(backend: Backend, name: str, model: type, params: dict[str, Any]) -> dict[date, list]:
    """Rows of a range query grouped by game_date, each validated as the per-date `model`
    (which ignores the extra game_date column, so the judge sees what `check` would)."""
    out: dict[date, list] = defaultdict(list)
    try:
        for row in backend.run_query(name, params):
            out[_GameDate.model_validate(row).game_date].append(model.model_validate(row))
    except SourceError:
        raise
    except ValueError as exc:
        raise SourceError(ErrorKind.MALFORMED, f"{name}: unexpected row shape: {first_line(exc)}") from exc
    return out


def _per_date(spec: CheckSpec, ctxs: list[CheckContext], fetch: Callable[[], Any],
              judge: Callable[[Any, CheckContext], CheckResult]) -> dict[date, CheckResult]:
    """Fetch once for the range, judge each date; a failed fetch is an `error` on every date."""
    try:
        fetched, failure = fetch(), None
    except Exception as exc:  # noqa: BLE001 - turned into each date's error result by guarded()
        fetched, failure = None, exc

    def one(ctx: CheckContext) -> CheckResult:
        if failure is not None:
            raise failure
        return judge(fetched, ctx)

    return {c.game_date: guarded(spec, lambda c=c: one(c)) for c in ctxs}


def _range_params(ctxs: list[CheckContext], **extra: Any) -> dict[str, Any]:
    return {"start_date": ctxs[0].game_date, "end_date": ctxs[-1].game_date, "as_of": ctxs[0].as_of, **extra}


class RangeReads:
    """The grading and usage rows of one range, read once per history: their runners judge
    from them, and they tell which dates had games (the overdue rules ask), so judging a
    date does not query again. A failed read is re-raised to each runner that uses it."""

    def __init__(self, backend: Backend, ctxs: list[CheckContext]):
        self.backend, self.ctxs = backend, ctxs
        self._lock = threading.Lock()
        self._done: dict[str, tuple[Any, BaseException | None]] = {}

    def _once(self, name: str, read: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._done:
                try:
                    self._done[name] = (read(), None)
                except Exception as exc:  # noqa: BLE001 - handed to each runner, which turns it into errors
                    self._done[name] = (None, exc)
        value, failure = self._done[name]
        if failure is not None:
            raise failure
        return value

    def grading(self) -> dict[date, list[GradingSystemRow]]:
        return self._once("history_grading", lambda: _split(
            self.backend, "history_grading", GradingSystemRow, _range_params(self.ctxs)))

    def usage(self) -> dict[date, list[UsageGameRow]]:
        max_rate = float(self.ctxs[0].settings.thresholds.usage_rate_max_pct)
        return self._once("history_usage", lambda: _split(
            self.backend, "history_usage", UsageGameRow, _range_params(self.ctxs, max_usage_rate=max_rate)))

    def note_games(self) -> None:
        """A date had games when it has predictions or processed players (as `had_games`)."""
        games: dict[date, bool] = {}
        for read, has in ((self.grading, lambda rows: sum(r.predicted for r in rows) > 0), (self.usage, bool)):
            try:
                by_date = read()
            except Exception:  # noqa: BLE001 - the runner reports it; nothing is established
                return
            for ctx in self.ctxs:
                games[ctx.game_date] = games.get(ctx.game_date, False) or has(by_date.get(ctx.game_date, []))
        note_games(self.backend, self.ctxs[0].as_of, games)


def _grading(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
    return _per_date(
        SPEC_BY_ID["grading_coverage"], ctxs, reads.grading,
        lambda by_date, ctx: judge_grading(by_date.get(ctx.game_date, []), ctx,
                                           lambda: had_games(backend, ctx, predictions=False)),
    )


def _usage(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
    return _per_date(
        SPEC_BY_ID["usage_rate_coverage"], ctxs, reads.usage,
        lambda by_date, ctx: judge_usage(by_date.get(ctx.game_date, []), ctx),
    )


def _examples_order(row: DnpPollutedRow) -> tuple:
    # dnp_polluted_rows.sql: ORDER BY points_avg_last_10 DESC (NULLs last), cache_date, player_lookup
    avg = row.points_avg_last_10
    return (avg is None, -(avg or 0.0), row.cache_date, row.player_lookup)


def _dnp(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
    def fetch() -> tuple[list[DnpDayRow], list[DnpPollutedRow]]:
        # The first date's window reaches back dnp_window_days - 1 before the range.
        params = {**_range_params(ctxs), "start_date": ctxs[0].dnp_window[0]}
        days = query_rows(backend, "dnp_by_day", DnpDayRow, params)
        examples = (query_rows(backend, "history_dnp_examples", DnpPollutedRow, {**params, "per_day": EXAMPLES_PER_DAY})
                    if any(d.dnp_rows for d in days) else [])
        return days, examples

    def judge(fetched: tuple[list[DnpDayRow], list[DnpPollutedRow]], ctx: CheckContext) -> CheckResult:
        start, end = ctx.dnp_window
        days = [d for d in fetched[0] if start <= d.cache_date <= end]
        examples = sorted((e for e in fetched[1] if start <= e.cache_date <= end), key=_examples_order)
        return judge_dnp(days, examples, ctx)

    return _per_date(SPEC_BY_ID["dnp_pollution"], ctxs, fetch, judge)


def _drift(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
    # One read of the deploy state (on gcp, a round of gcloud calls), judged as of each date's moment.
    return _per_date(SPEC_BY_ID["deployment_drift"], ctxs, backend.deploy_state, judge_drift)


def _each_date(spec_id: str) -> Callable[[Backend, list[CheckContext], RangeReads], dict[date, CheckResult]]:
    """Documents and logs are kept per processing date: read each date as `check` does."""
    spec = SPEC_BY_ID[spec_id]

    def run(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
        return {c.game_date: guarded(spec, lambda c=c: spec.run(backend, c)) for c in ctxs}

    return run


def _sequential(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
    """Local: one read of the range's log lines, cut into each date's window. Elsewhere per
    date, as `check` reads them: a Cloud Logging listing of weeks could hit its entry cap."""
    if backend.name != "local":
        return _each_date("sequential_execution")(backend, ctxs, reads)
    service = ctxs[0].settings.services.analytics

    def fetch() -> tuple[list, list]:
        entries = backend.read_logs(service, ctxs[0].log_window[0], max(c.log_window[1] for c in ctxs))
        return entries, [e.timestamp for e in entries]

    def judge(fetched: tuple[list, list], ctx: CheckContext) -> CheckResult:
        entries, stamps = fetched
        start, end = ctx.log_window  # inclusive at both ends, as read_logs is
        # The malformed entries skipped are the files' (they have no time to cut by), as in `check`.
        window = LogEntries.of(entries[bisect_left(stamps, start):bisect_right(stamps, end)], getattr(entries, "skipped", 0))
        return judge_sequential(window, ctx, lambda: phase3_due(backend, ctx))

    return _per_date(SPEC_BY_ID["sequential_execution"], ctxs, fetch, judge)


RUNNERS: dict[str, Callable[[Backend, list[CheckContext], RangeReads], dict[date, CheckResult]]] = {
    "phase3_completion": _each_date("phase3_completion"),
    "sequential_execution": _sequential,
    "grading_coverage": _grading,
    "dnp_pollution": _dnp,
    "usage_rate_coverage": _usage,
    "deployment_drift": _drift,
}


def run_history_check(spec: CheckSpec, backend: Backend, ctxs: list[CheckContext],
                      reads: RangeReads | None = None) -> dict[date, CheckResult]:
    """One check over the range; never raises (a failure is each date's `error` result)."""
    try:
        return RUNNERS[spec.id](backend, ctxs, reads or RangeReads(backend, ctxs))
    except Exception as exc:  # noqa: BLE001 - e.g. a bug in a runner: every date says so
        return {c.game_date: guarded(spec, lambda: _raise(exc)) for c in ctxs}


def _raise(exc: BaseException) -> CheckResult:
    raise exc


def run_history(backend: Backend, ctxs: list[CheckContext], only: list[str] | None = None) -> list[Report]:
    """Every check over the range, as one `check` report per date (oldest first)."""
    specs = [s for s in SPECS if not only or s.id in only]
    # One thread per check, as the console runs them: the sources wait on I/O, not on each other.
    reads = RangeReads(backend, ctxs)
    reads.note_games()  # before the checks that ask whether a date had games
    with ThreadPoolExecutor(max_workers=max(1, len(specs)), thread_name_prefix="history") as pool:
        futures = {s.id: pool.submit(run_history_check, s, backend, ctxs, reads) for s in specs}
        results = {cid: f.result() for cid, f in futures.items()}
    return [make_report(backend, c, [results[s.id][c.game_date] for s in specs]) for c in ctxs]


def bytes_labels(backend: Backend, only: list[str] | None = None) -> dict[str, str]:
    """On gcp, what the dry run of each history query said it would scan."""
    label = getattr(backend, "bytes_label", None)
    if label is None:
        return {}
    names = [q for cid, qs in HISTORY_QUERIES.items() if not only or cid in only for q in qs]
    return {name: label(name) for name in names}
