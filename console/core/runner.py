"""The morning check: one spec per panel, each fetching its inputs and judging them.

Each spec runs on its own (the TUI gives every one a worker); a failure of one source
becomes an `error` result for that check only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable

from pydantic import ValidationError

from .. import checks
from ..backends.base import Backend
from .config import Settings
from .errors import ErrorKind, SourceError, first_line, validation_line
from .timestamps import parse_timestamp
from .models import (
    CheckResult,
    DeployState,
    DnpDayRow,
    DnpPollutedRow,
    GameDateRow,
    GradingSystemRow,
    LogEntry,
    Phase3Document,
    Report,
    Status,
    UngradedPredictionRow,
    UsageGameRow,
    UsagePlayerRow,
)


@dataclass(frozen=True)
class CheckContext:
    settings: Settings
    game_date: date
    as_of: datetime

    @property
    def processing_date(self) -> date:
        return self.game_date + self.settings.processing_offset

    @property
    def log_window(self) -> tuple[datetime, datetime]:
        """The processing day in the configured zone, cut at as_of."""
        tz = self.settings.tz
        start = datetime.combine(self.processing_date, time(0), tzinfo=tz)
        return start, min(start + timedelta(days=1), self.as_of)

    @property
    def dnp_window(self) -> tuple[date, date]:
        days = self.settings.thresholds.dnp_window_days
        return self.game_date - timedelta(days=days - 1), self.game_date


def query_rows(backend: Backend, name: str, model: type, params: dict[str, Any]) -> list:
    try:
        return [model.model_validate(row) for row in backend.run_query(name, params)]
    except SourceError:
        raise
    except ValueError as exc:  # pydantic ValidationError is a ValueError
        raise SourceError(ErrorKind.MALFORMED, f"{name}: unexpected row shape: {first_line(exc)}") from exc


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    run: Callable[[Backend, CheckContext], CheckResult]
    drill: Callable[[Backend, CheckContext], list[dict[str, Any]]]
    queries: tuple[str, ...] = ()
    source: str = "bigquery"  # which backend service it reads, for error messages and workers
    playbooks: tuple[str, ...] = field(default=())


# ------------------------------------------------------------------ per-check fetch + judge


PHASE3_COLLECTION = "phase3_completion"


def deadline(ctx: CheckContext, clock: time) -> datetime:
    return datetime.combine(ctx.processing_date, clock, tzinfo=ctx.settings.tz)


def had_games(backend: Backend, ctx: CheckContext, predictions: bool | None = None) -> bool | None:
    """Whether the game date had games: predictions exist for it, or players were processed
    for it. None when that cannot be read. A yes is remembered per backend and date (the live
    listener asks on every push); a no only for the same moment judged (rows may still arrive)."""
    known = _games_known(backend)
    seen = known.get(ctx.game_date)
    if seen is not None and (seen[0] or seen[1] == ctx.as_of):
        return seen[0]
    try:
        if predictions is None:
            rows = query_rows(backend, "grading_coverage", GradingSystemRow, _grading_params(ctx))
            predictions = sum(r.predicted for r in rows) > 0
        games = predictions or bool(query_rows(backend, "usage_by_game", UsageGameRow, _usage_params(ctx)))
    except SourceError:
        return None
    known[ctx.game_date] = (games, ctx.as_of)
    return games


def note_games(backend: Backend, as_of: datetime, games: dict[date, bool]) -> None:
    """What a read over a range already established (history): whether each date had games
    as of `as_of`, so judging each date does not ask again."""
    known = _games_known(backend)
    for day, value in games.items():
        known[day] = (value, as_of)


def _games_known(backend: Backend) -> dict[date, tuple[bool, datetime]]:
    return backend.__dict__.setdefault("_had_games", {})


def phase3_due(backend: Backend | None, ctx: CheckContext) -> checks.Due:
    """The Phase 3 deadline; whether there were games is asked only once it has passed."""
    at = deadline(ctx, ctx.settings.deadlines.phase3)
    passed = ctx.as_of >= at
    games = had_games(backend, ctx) if passed and backend is not None else None
    return checks.Due(at=at, passed=passed, games=games)


def with_data_at(result: CheckResult, moments) -> CheckResult:
    """The result with the newest of `moments` (datetimes or RFC 3339 strings, Nones skipped)
    as its data time, for the panel's data age. The fetchers read only data up to the moment
    judged (`as_of`), so none is after it."""
    parsed = [m if isinstance(m, datetime) else parse_timestamp(m) for m in moments if m is not None]
    aware = [m if m.tzinfo else m.replace(tzinfo=timezone.utc) for m in parsed if m is not None]
    return result.model_copy(update={"data_at": max(aware)}) if aware else result


def _phase3(backend: Backend, ctx: CheckContext) -> CheckResult:
    fields = backend.get_document(PHASE3_COLLECTION, ctx.processing_date.isoformat())
    result = phase3_from_fields(fields, ctx, backend)
    value = result.value
    return with_data_at(result, [p.get("completed_at") for p in value.get("processors", [])] + [value.get("triggered_at")])


def phase3_from_fields(fields: dict[str, Any] | None, ctx: CheckContext, backend: Backend | None = None) -> CheckResult:
    """Judge a phase3_completion document's fields: a read, or a push from a live listener.
    With the backend, past the deadline, a missing or incomplete document is overdue."""
    doc_id = ctx.processing_date.isoformat()
    try:
        doc = Phase3Document.from_fields(doc_id, fields) if fields is not None else None
    except ValidationError as exc:  # one line on the panel, not pydantic's multi-line report
        raise SourceError(ErrorKind.MALFORMED, f"{PHASE3_COLLECTION}/{doc_id}: {validation_line(exc)}") from None
    if doc is not None:
        # --at: a processor that completed after the moment asked about is still pending.
        visible = {n: p for n, p in doc.processors.items() if p.completed_at is None or p.completed_at <= ctx.as_of}
        triggered_at = doc.metadata.get("_triggered_at")
        meta = dict(doc.metadata)
        if isinstance(triggered_at, datetime) and triggered_at > ctx.as_of:
            meta.pop("_triggered", None)
            meta.pop("_triggered_at", None)
        keep = visible or meta or doc.malformed
        doc = Phase3Document(doc_id=doc.doc_id, processors=visible, metadata=meta, malformed=doc.malformed) if keep else None
    result = checks.phase3_completion(doc, ctx.settings, ctx.processing_date)
    if result.status in (Status.OK, Status.FAIL):
        return result  # nothing a deadline could change: no need to ask about games
    return checks.phase3_completion(doc, ctx.settings, ctx.processing_date, phase3_due(backend, ctx))


def _phase3_drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    return _phase3(backend, ctx).value.get("processors", [])


def _sequential(backend: Backend, ctx: CheckContext) -> CheckResult:
    start, end = ctx.log_window
    entries = backend.read_logs(ctx.settings.services.analytics, start, end)
    result = judge_sequential(entries, ctx, lambda: phase3_due(backend, ctx))
    return with_data_at(result, [entries[-1].timestamp] if entries else [])  # oldest first


def judge_sequential(entries: list[LogEntry], ctx: CheckContext, due: Callable[[], checks.Due] | None = None) -> CheckResult:
    """`entries`: the analytics service's lines within ctx.log_window, oldest first. `due`
    gives the Phase 3 deadline; asked only when the lines alone cannot settle the verdict."""
    result = checks.sequential_execution(entries, ctx.settings)
    if result.status not in (Status.OK, Status.FAIL) and due is not None:
        result = checks.sequential_execution(entries, ctx.settings, due())
    return checks.note_skipped(result, getattr(entries, "skipped", 0))


def _sequential_drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    start, end = ctx.log_window
    from ..logs.trace import TraceParser

    parser = TraceParser(ctx.settings.log_patterns)
    rows = []
    for entry in backend.read_logs(ctx.settings.services.analytics, start, end):
        event = parser.parse(entry)
        if event is not None:
            rows.append({"timestamp": entry.timestamp.isoformat(), "event": event.kind, "severity": entry.severity, "text": entry.text})
    return rows


def _grading_params(ctx: CheckContext) -> dict[str, Any]:
    return {"game_date": ctx.game_date, "as_of": ctx.as_of}


def _grading(backend: Backend, ctx: CheckContext) -> CheckResult:
    rows = query_rows(backend, "grading_coverage", GradingSystemRow, _grading_params(ctx))
    result = judge_grading(rows, ctx, lambda: had_games(backend, ctx, predictions=False))
    return with_data_at(result, [r.last_graded_at for r in rows])


# judge_*: the fetched inputs of one game date -> its verdict. `check` and `history` (which
# fetches a range at once and splits it per date) both call these, so they cannot disagree.
def judge_grading(rows: list[GradingSystemRow], ctx: CheckContext,
                  games_without_predictions: Callable[[], bool | None] | None = None) -> CheckResult:
    """`games_without_predictions`: whether players were processed on a date with no
    predictions; asked only past the deadline when nothing was predicted."""
    at = deadline(ctx, ctx.settings.deadlines.grading)
    passed = ctx.as_of >= at
    predicted = sum(r.predicted for r in rows) > 0
    # Nothing predicted, past the deadline: a date without games, unless players were processed.
    if passed and not predicted:
        games = games_without_predictions() if games_without_predictions is not None else None
    else:
        games = predicted
    return checks.grading_coverage(rows, ctx.settings, due=checks.Due(at=at, passed=passed, games=games))


def _grading_drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    rows = query_rows(backend, "ungraded_predictions", UngradedPredictionRow, _grading_params(ctx))
    return [r.model_dump() for r in rows]


def _dnp_params(ctx: CheckContext) -> dict[str, Any]:
    start, end = ctx.dnp_window
    return {"start_date": start, "end_date": end, "as_of": ctx.as_of}


def _dnp(backend: Backend, ctx: CheckContext) -> CheckResult:
    days = query_rows(backend, "dnp_by_day", DnpDayRow, _dnp_params(ctx))
    examples = query_rows(backend, "dnp_polluted_rows", DnpPollutedRow, _dnp_params(ctx)) if any(d.dnp_rows for d in days) else []
    return with_data_at(judge_dnp(days, examples, ctx), [d.last_created_at for d in days])


def judge_dnp(days: list[DnpDayRow], examples: list[DnpPollutedRow], ctx: CheckContext) -> CheckResult:
    """`days`: cache rows per cache date of the window; `examples`: its polluted rows, worst first."""
    return checks.dnp_pollution(days, examples, ctx.settings, *ctx.dnp_window)


def _dnp_drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in query_rows(backend, "dnp_polluted_rows", DnpPollutedRow, _dnp_params(ctx))]


def _usage_params(ctx: CheckContext) -> dict[str, Any]:
    return {"game_date": ctx.game_date, "as_of": ctx.as_of, "max_usage_rate": float(ctx.settings.thresholds.usage_rate_max_pct)}


def _usage(backend: Backend, ctx: CheckContext) -> CheckResult:
    games = query_rows(backend, "usage_by_game", UsageGameRow, _usage_params(ctx))
    return with_data_at(judge_usage(games, ctx), [g.last_processed_at for g in games])


def judge_usage(games: list[UsageGameRow], ctx: CheckContext) -> CheckResult:
    return checks.usage_rate_coverage(games, ctx.settings)


def _usage_drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    rows = query_rows(backend, "usage_problem_players", UsagePlayerRow, _usage_params(ctx))
    return [{**r.model_dump(), "game": checks.format_game(r.game_id)} for r in rows]


def _drift(backend: Backend, ctx: CheckContext) -> CheckResult:
    return judge_drift(backend.deploy_state(), ctx)  # read live: no data age beyond the refresh's


def judge_drift(state: DeployState, ctx: CheckContext) -> CheckResult:
    return checks.deployment_drift(state, ctx.settings, ctx.as_of)


def _drift_drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    state = backend.deploy_state()  # read once: on gcp each read is a round of gcloud calls
    rows = checks.deployment_drift(state, ctx.settings, ctx.as_of).value.get("services", [])
    env = {s.name: s.env for s in state.services}
    return [{**r, "env": env.get(r["service"], {})} for r in rows]


SPECS: tuple[CheckSpec, ...] = (
    CheckSpec("phase3_completion", "Phase 3 completion", _phase3, _phase3_drill, source="firestore"),
    CheckSpec(
        "sequential_execution", "Sequential execution", _sequential, _sequential_drill, source="logging",
        playbooks=("disable-sequential-execution", "enable-sequential-execution"),
    ),
    CheckSpec(
        "grading_coverage", "Grading coverage", _grading, _grading_drill,
        queries=("grading_coverage", "ungraded_predictions"), playbooks=("rollback-grading-orchestration",),
    ),
    CheckSpec("dnp_pollution", "DNP pollution", _dnp, _dnp_drill, queries=("dnp_by_day", "dnp_polluted_rows"),
              playbooks=("redeploy-service",)),
    CheckSpec("usage_rate_coverage", "Usage-rate coverage", _usage, _usage_drill,
              queries=("usage_by_game", "usage_problem_players")),
    CheckSpec("deployment_drift", "Deployment drift", _drift, _drift_drill, source="deploy",
              playbooks=("redeploy-service", "rollback-prediction-services")),
)
SPEC_BY_ID = {s.id: s for s in SPECS}


# A check's sources get `gcp.query_timeout_s` in all (sources/gcp_retry bound each call by
# what is left); the check as a whole is abandoned this much later, whatever a client does.
CHECK_GRACE_S = 3.0


def guarded(spec: CheckSpec, judge: Callable[[], CheckResult]) -> CheckResult:
    """`judge()` as the check's result; a failure of its source is an `error` result instead."""
    try:
        result = judge()
    except SourceError as exc:
        result = CheckResult(id=spec.id, title=spec.title, status=Status.ERROR, summary=str(exc), error=str(exc),
                             value={"error_kind": exc.kind.value})
    except Exception as exc:  # noqa: BLE001 - a bug in one check must not take down the others
        message = f"{type(exc).__name__}: {exc}"
        result = CheckResult(id=spec.id, title=spec.title, status=Status.ERROR, summary=message, error=message)
    return result.model_copy(update={"sources": list(spec.queries)})


def run_check(spec: CheckSpec, backend: Backend, ctx: CheckContext) -> CheckResult:
    """Run one check; any failure of its source becomes an `error` result, never an exception.

    Bounded in time: the check's sources share one deadline (`gcp.query_timeout_s`), and a
    check still running `CHECK_GRACE_S` after it is reported as timed out (its daemon thread
    is left to its own socket timeouts)."""
    from .deadline import run_with_deadline

    limit = ctx.settings.gcp.query_timeout_s
    finished, result = run_with_deadline(lambda: guarded(spec, lambda: spec.run(backend, ctx)), limit,
                                         limit + CHECK_GRACE_S, name=f"check {spec.id}")
    if finished:
        return result
    message = (f"{spec.title}: no answer from {spec.source} within {limit:g} s "
               "(gcp.query_timeout_s); the source did not respond")
    return CheckResult(id=spec.id, title=spec.title, status=Status.ERROR, summary=message, error=message,
                       value={"error_kind": ErrorKind.TIMEOUT.value}, sources=list(spec.queries))


def run_all(backend: Backend, ctx: CheckContext, only: list[str] | None = None) -> Report:
    """Every check at once (each on its own thread): the whole morning ends within one
    deadline plus the grace, whatever the network does."""
    from concurrent.futures import ThreadPoolExecutor

    specs = [spec for spec in SPECS if not only or spec.id in only]
    # run_check bounds each one and never raises; the pool only runs them side by side.
    with ThreadPoolExecutor(max_workers=max(1, len(specs)), thread_name_prefix="check") as pool:
        results = list(pool.map(lambda spec: run_check(spec, backend, ctx), specs))
    return make_report(backend, ctx, results)


def make_report(backend: Backend, ctx: CheckContext, results: list[CheckResult]) -> Report:
    return Report(
        game_date=ctx.game_date,
        processing_date=ctx.processing_date,
        as_of=ctx.as_of,
        backend=backend.name,
        project=ctx.settings.project,
        status=Status.worst([r.status for r in results]),
        checks=results,
    )


def default_game_date(backend: Backend, settings: Settings, now: datetime) -> date:
    """Yesterday in the configured zone on gcp; on local, the latest game date in the data."""
    yesterday = now.astimezone(settings.tz).date() - timedelta(days=1)
    if backend.name != "local":
        return yesterday
    rows = query_rows(backend, "latest_game_date", GameDateRow,
                      {"start_date": date(2000, 1, 1), "end_date": date(2100, 1, 1)})
    return rows[0].game_date if rows and rows[0].game_date else yesterday


# --at: a date, or a date and time, with or without an offset (fromisoformat alone would
# also take week dates, basic formats and other separators).
_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?")


def parse_at(text: str | None, processing_date: date, settings: Settings, now: datetime | None = None) -> datetime:
    """`--at`: an ISO timestamp, or a clock time (`07:30`) on the processing date in the zone."""
    if not text:
        return now or datetime.now(timezone.utc)
    try:
        clock = time.fromisoformat(text)
    except ValueError:
        clock = None
    if clock is not None:
        return datetime.combine(processing_date, clock, tzinfo=settings.tz)
    moment = None
    if _AT.fullmatch(text):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            # Without an offset, a moment in the configured zone (2026-02-05T08:30 is 08:30 ET).
            moment = parse_timestamp(parsed if parsed.tzinfo else parsed.replace(tzinfo=settings.tz))
        except (ValueError, OverflowError):
            moment = None
    if moment is None:
        raise ValueError(f"--at {text!r}: expected HH:MM or an ISO timestamp like 2026-02-05T08:30-05:00 "
                         "(a real moment, years 1-9999)")
    return moment
