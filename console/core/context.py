"""What every panel needs from the check runner: the moment judged (CheckContext), a
validated query read, and the guard that turns a failure into an `error` result.

Nothing here knows a particular panel; panels/registry.py lists them and
services/runner.py runs them. The deadline / "were there games" questions of the overdue
rules are the checks' own: panels/games.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from console.core.backend import Backend
from console.core.config import Settings
from console.core.errors import ErrorKind, SourceError, first_line
from console.core.models import CheckResult, ErrorValue, Status


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


RowT = TypeVar("RowT", bound=BaseModel)


def query_rows(backend: Backend, name: str, model: type[RowT], params: dict[str, Any]) -> list[RowT]:
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
            value=ErrorValue(error_kind=exc.kind.value),
        )
    except Exception as exc:  # noqa: BLE001 - a bug in one check must not take down the others
        message = f"{type(exc).__name__}: {exc}"
        result = CheckResult(id=spec.id, title=spec.title, status=Status.ERROR, summary=message, error=message)
    return result.model_copy(update={"sources": list(spec.queries)})
