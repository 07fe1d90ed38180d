"""Whether a game date had games, and the deadlines the overdue rules measure against.

Past a deadline, what is still missing is a failure only on a date with games: Phase 3,
the sequential trace and grading ask `had_games`. The answer is read from the grading and
usage queries (predictions exist, or players were processed), remembered per backend and
date, and noted in bulk by a history's one read over its range (`games_read_by`).

Domain questions about two checks' queries: they live beside the checks, not in core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any

from console.core.backend import Backend
from console.core.context import CheckContext, query_rows
from console.core.errors import SourceError
from console.core.models import GradingSystemRow, UsageGameRow


def deadline(ctx: CheckContext, clock: time) -> datetime:
    """`clock` (a deadline of the config) on the processing date, in the configured zone."""
    return datetime.combine(ctx.processing_date, clock, tzinfo=ctx.settings.tz)


def grading_params(ctx: CheckContext) -> dict[str, Any]:
    return {"game_date": ctx.game_date, "as_of": ctx.as_of}


def usage_params(ctx: CheckContext) -> dict[str, Any]:
    return {
        "game_date": ctx.game_date,
        "as_of": ctx.as_of,
        "max_usage_rate": float(ctx.settings.thresholds.usage_rate_max_pct),
    }


def had_games(backend: Backend, ctx: CheckContext, predictions: bool | None = None) -> bool | None:
    """Whether the game date had games: predictions exist for it, or players were processed
    for it. None when that cannot be read. A yes is remembered per backend and date (the live
    listener asks on every push); a no only for the same moment judged (rows may still arrive)."""
    known = _games_known(backend)
    seen = known.get(ctx.game_date)
    if seen is None and (range_read := backend.__dict__.get("_games_range_read")) is not None:
        if not range_read():  # a history's one read over the range (read once; the others wait)
            return None  # it failed: nothing is established, and asking per date would fail too
        seen = known.get(ctx.game_date)
    if seen is not None and (seen[0] or seen[1] == ctx.as_of):
        return seen[0]
    try:
        if predictions is None:
            rows = query_rows(backend, "grading_coverage", GradingSystemRow, grading_params(ctx))
            predictions = sum(r.predicted for r in rows) > 0
        games = predictions or bool(query_rows(backend, "usage_by_game", UsageGameRow, usage_params(ctx)))
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


@contextmanager
def games_read_by(backend: Backend, range_read: Callable[[], bool]) -> Iterator[None]:
    """While a history runs, `had_games` first asks `range_read` (which notes every date of
    the range, once, and says whether it could): the checks start side by side under one
    deadline, and only those that ask whether a date had games wait for that read."""
    backend.__dict__["_games_range_read"] = range_read
    try:
        yield
    finally:
        backend.__dict__.pop("_games_range_read", None)


def _games_known(backend: Backend) -> dict[date, tuple[bool, datetime]]:
    known: dict[date, tuple[bool, datetime]] = backend.__dict__.setdefault("_had_games", {})
    return known
