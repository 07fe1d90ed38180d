"""What the panels' history range-runners share: a range read split per game date, one
fetch judged per date, and the grading/usage rows read once per history (RangeReads).

A range-runner reads the range with one query (queries/history_*.sql) and hands each
date's rows to the very judge `check` uses, so `history` and `check` cannot disagree.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any, Protocol, TypeVar, cast

from pydantic import BaseModel

from console.core.backend import Backend
from console.core.context import CheckContext, guarded
from console.core.errors import ErrorKind, SourceError, first_line
from console.core.models import CheckResult, GradingSystemRow, Row, UsageGameRow
from panels.games import note_games


class _Check(Protocol):
    """A CheckSpec as a range-runner uses it (panels/spec.py imports this module: no circle)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def queries(self) -> tuple[str, ...]: ...
    @property
    def run(self) -> Callable[[Backend, CheckContext], CheckResult]: ...


RowT = TypeVar("RowT", bound=BaseModel)
F = TypeVar("F")  # what a range-runner fetched once for the whole range


class _GameDate(Row):
    game_date: date


def split_by_date(backend: Backend, name: str, model: type[RowT], params: dict[str, Any]) -> dict[date, list[RowT]]:
    """Rows of a range query grouped by game_date, each validated as the per-date `model`
    (which ignores the extra game_date column, so the judge sees what `check` would)."""
    out: dict[date, list[RowT]] = defaultdict(list)
    try:
        for row in backend.run_query(name, params):
            out[_GameDate.model_validate(row).game_date].append(model.model_validate(row))
    except SourceError:
        raise
    except ValueError as exc:
        raise SourceError(ErrorKind.MALFORMED, f"{name}: unexpected row shape: {first_line(exc)}") from exc
    return out


def per_date(
    spec: _Check,
    ctxs: list[CheckContext],
    fetch: Callable[[], F],
    judge: Callable[[F, CheckContext], CheckResult],
) -> dict[date, CheckResult]:
    """Fetch once for the range, judge each date; a failed fetch is an `error` on every date."""
    try:
        fetched = fetch()
    except Exception as exc:  # noqa: BLE001 - turned into each date's error result by guarded()
        return {c.game_date: guarded(spec, partial(_raise, exc)) for c in ctxs}
    return {c.game_date: guarded(spec, partial(judge, fetched, c)) for c in ctxs}


def _raise(exc: BaseException) -> CheckResult:
    raise exc


def each_date(spec: _Check, backend: Backend, ctxs: list[CheckContext]) -> dict[date, CheckResult]:
    """Documents and logs are kept per processing date: read each date as `check` does."""
    return {c.game_date: guarded(spec, partial(spec.run, backend, c)) for c in ctxs}


def range_params(ctxs: list[CheckContext], **extra: Any) -> dict[str, Any]:
    return {"start_date": ctxs[0].game_date, "end_date": ctxs[-1].game_date, "as_of": ctxs[0].as_of, **extra}


class RangeReads:
    """The grading and usage rows of one range, read once per history: their runners judge
    from them, and they tell which dates had games (the overdue rules ask), so judging a
    date does not query again. A failed read is re-raised to each runner that uses it."""

    def __init__(self, backend: Backend, ctxs: list[CheckContext]):
        self.backend, self.ctxs = backend, ctxs
        self._lock = threading.RLock()  # re-entered: the games read uses the grading and usage reads
        self._done: dict[str, tuple[object, BaseException | None]] = {}

    def _once(self, name: str, read: Callable[[], F]) -> F:
        with self._lock:
            if name not in self._done:
                try:
                    self._done[name] = (read(), None)
                except Exception as exc:  # noqa: BLE001 - handed to each runner, which turns it into errors
                    self._done[name] = (None, exc)
        value, failure = self._done[name]
        if failure is not None:
            raise failure
        return cast(F, value)  # what `read` returned for this name

    def grading(self) -> dict[date, list[GradingSystemRow]]:
        return self._once(
            "history_grading",
            lambda: split_by_date(self.backend, "history_grading", GradingSystemRow, range_params(self.ctxs)),
        )

    def usage(self) -> dict[date, list[UsageGameRow]]:
        max_rate = float(self.ctxs[0].settings.thresholds.usage_rate_max_pct)
        return self._once(
            "history_usage",
            lambda: split_by_date(
                self.backend, "history_usage", UsageGameRow, range_params(self.ctxs, max_usage_rate=max_rate)
            ),
        )

    def note_games(self) -> bool:
        """A date had games when it has predictions or processed players (as `had_games`).
        Read once (whoever asks first; the others wait); False when it could not be read."""
        return self._once("games", self._read_games)

    def _read_games(self) -> bool:
        games: dict[date, bool] = {}
        for read, has in ((self.grading, lambda rows: sum(r.predicted for r in rows) > 0), (self.usage, bool)):
            try:
                by_date = read()
            except Exception:  # noqa: BLE001 - the runner reports it; nothing is established
                return False
            for ctx in self.ctxs:
                games[ctx.game_date] = games.get(ctx.game_date, False) or has(by_date.get(ctx.game_date, []))
        note_games(self.backend, self.ctxs[0].as_of, games)
        return True
