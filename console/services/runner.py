"""The check runner: runs the panels (panels/registry.py) under one deadline each and makes
the report. It knows no particular check: each panel module holds its spec, fetch, judge,
render and drill-down.

Each spec runs on its own (the TUI gives every one a worker); a failure of one source
becomes an `error` result for that check only.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext, guarded, query_rows
from console.core.deadline import run_with_deadline
from console.core.errors import ErrorKind
from console.core.models import CheckResult, ErrorValue, GameDateRow, Report, Status
from console.core.timefmt import parse_clock_time
from console.core.timestamps import parse_timestamp
from panels.games import had_games, note_games
from panels.registry import BY_ID, PANELS
from panels.spec import CheckSpec

__all__ = [
    "CHECK_GRACE_S",
    "SPECS",
    "SPEC_BY_ID",
    "CheckContext",
    "CheckSpec",
    "default_game_date",
    "guarded",
    "had_games",
    "make_report",
    "note_games",
    "parse_at",
    "query_rows",
    "run_all",
    "run_check",
]

# The panels, in order (the registry is the one list; these names are what callers import).
SPECS: tuple[CheckSpec[Any], ...] = PANELS
SPEC_BY_ID = BY_ID


# A check's sources get `gcp.query_timeout_s` in all (sources/gcp_retry bound each call by
# what is left); the check as a whole is abandoned this much later, whatever a client does.
CHECK_GRACE_S = 3.0


def run_check(spec: CheckSpec[Any], backend: Backend, ctx: CheckContext) -> CheckResult:
    """Run one check; any failure of its source becomes an `error` result, never an exception.

    Bounded in time: the check's sources share one deadline (`gcp.query_timeout_s`), and a
    check still running `CHECK_GRACE_S` after it is reported as timed out (its daemon thread
    is left to its own socket timeouts)."""
    limit = ctx.settings.gcp.query_timeout_s
    finished, result = run_with_deadline(
        lambda: guarded(spec, lambda: spec.run(backend, ctx)), limit, limit + CHECK_GRACE_S, name=f"check {spec.id}"
    )
    if finished:
        return cast("CheckResult", result)  # guarded()'s own result (run_with_deadline passes it as Any)
    return timed_out(
        spec,
        f"{spec.title}: no answer from {spec.source} within {limit:g} s "
        "(gcp.query_timeout_s); the source did not respond",
    )


def timed_out(spec: CheckSpec[Any], message: str) -> CheckResult:
    """The `error` result of a check whose sources did not answer within the deadline."""
    return CheckResult(
        id=spec.id,
        title=spec.title,
        status=Status.ERROR,
        summary=message,
        error=message,
        value=ErrorValue(error_kind=ErrorKind.TIMEOUT.value),
        sources=list(spec.queries),
    )


def run_all(backend: Backend, ctx: CheckContext, only: list[str] | None = None) -> Report:
    """Every check at once (each on its own thread): the whole morning ends within one
    deadline plus the grace, whatever the network does."""
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
    rows = query_rows(
        backend, "latest_game_date", GameDateRow, {"start_date": date(2000, 1, 1), "end_date": date(2100, 1, 1)}
    )
    return rows[0].game_date if rows and rows[0].game_date else yesterday


# --at: a date, or a date and time, with or without an offset (fromisoformat alone would
# also take week dates, basic formats and other separators).
_AT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


def parse_at(text: str | None, processing_date: date, settings: Settings, now: datetime | None = None) -> datetime:
    """`--at`: an ISO timestamp, or a clock time (`7:30`, `07:30`, `7:30am`) on the processing
    date in the zone."""
    if not text:
        return now or datetime.now(UTC)
    try:
        clock = parse_clock_time(text)
    except ValueError as exc:
        raise ValueError(f"--at {exc}") from None
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
        raise ValueError(
            f"--at {text[:60]!r}: expected a time of day (7:30, 07:30, 7:30am) or an ISO timestamp "
            "like 2026-02-05T08:30-05:00 (a real moment, years 1-9999)"
        )
    return moment
