"""What every panel needs from the check runner: the moment judged (CheckContext), a
validated query read, the guard that turns a failure into an `error` result, and the
deadline / "were there games" questions the overdue rules of several panels ask.

Nothing here knows a particular panel; panels/registry.py lists them and core/runner.py
runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from console.core.backend import Backend
from console.core.config import Settings
from console.core.errors import ErrorKind, SourceError, first_line
from console.core.models import CheckResult, GradingSystemRow, Status, UsageGameRow


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


class _Named(Protocol):  # read-only members: a frozen CheckSpec is one
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def queries(self) -> tuple[str, ...]: ...


def guarded(spec: _Named, judge: Callable[[], CheckResult]) -> CheckResult:
    """`judge()` as the check's result; a failure of its source is an `error` result instead."""
    try:
        result = judge()
    except SourceError as exc:
        result = CheckResult(
            id=spec.id,
            title=spec.title,
            status=Status.ERROR,
            summary=str(exc),
            error=str(exc),
            value={"error_kind": exc.kind.value},
        )
    except Exception as exc:  # noqa: BLE001 - a bug in one check must not take down the others
        message = f"{type(exc).__name__}: {exc}"
        result = CheckResult(id=spec.id, title=spec.title, status=Status.ERROR, summary=message, error=message)
    return result.model_copy(update={"sources": list(spec.queries)})


# ------------------------------------------------------------------ deadlines and games


def deadline(ctx: CheckContext, clock: time) -> datetime:
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
    return backend.__dict__.setdefault("_had_games", {})
