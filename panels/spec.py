"""What a panel module declares: one `CheckSpec` with everything about its check.

A panel is a vertical slice: its id and title, the model of its value, the queries it runs
(queries/<name>.sql), the source it reads, how it fetches and judges (`run`), its
drill-down rows, how it draws (`render`, `breakdown`, `markdown`, `headline`), the playbooks
it suggests and, when it has one, its history range-runner. panels/registry.py lists the
panels in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from console.core.backend import Backend
from console.core.context import CheckContext
from console.core.models import CheckResult, CheckValue

if TYPE_CHECKING:
    from rich.console import RenderableType

    from panels.ranges import RangeReads

Rows = list[dict[str, Any]]
HistoryRunner = Callable[[Backend, list[CheckContext], "RangeReads"], dict[date, CheckResult]]
V = TypeVar("V", bound=CheckValue)


def _no_breakdown(result: CheckResult) -> tuple[str, Rows] | None:
    return None


def _no_markdown(value: CheckValue | None, tz: tzinfo) -> list[str]:
    return []


@dataclass(frozen=True)
class CheckSpec(Generic[V]):
    id: str
    title: str
    run: Callable[[Backend, CheckContext], CheckResult]  # fetch through the backend, then the pure judge
    drill: Callable[[Backend, CheckContext], Rows]  # the drill-down's fetched rows
    render: Callable[[CheckResult, ZoneInfo], tuple[str, RenderableType]]  # headline and body of the panel
    headline: Callable[[CheckResult], str]  # the number that fits a history grid cell
    short_title: str  # the history grid's row title
    # The model the judge builds the value with (panels/<name>.py): `value_of` reads it.
    value_model: type[V]
    queries: tuple[str, ...] = ()  # queries/<name>.sql the check runs
    source: str = "bigquery"  # which backend service it reads, for error messages and workers
    playbooks: tuple[str, ...] = field(default=())
    # Which of `playbooks` a failing or warning result calls for, and why: (names, why);
    # None: all of them. Asked only for warn/fail (a healthy check suggests none).
    suggest: Callable[[CheckResult], tuple[tuple[str, ...], str] | None] | None = None
    # Parameter values the result gives the suggested playbook (drift: service and commit).
    prefill: Callable[[CheckResult], dict[str, str]] | None = None
    # The table behind the number that the result already carries (the drill-down shows it
    # above the fetched rows), as (title, rows).
    breakdown: Callable[[CheckResult], tuple[str, Rows] | None] = _no_breakdown
    # `report`'s details under the check's heading; times in `tz` (core/timefmt.for_people)
    markdown: Callable[[CheckValue | None, tzinfo], list[str]] = _no_markdown
    history: HistoryRunner | None = None  # None: history reads each date as `check` does
    history_queries: tuple[str, ...] = ()  # the queries the history runner runs

    def value_of(self, result: CheckResult | None) -> V | None:
        """The result's value as this check's model; None for no result, an error result,
        or a value of another shape (a result of another check)."""
        value = result.value if result is not None else None
        return value if isinstance(value, self.value_model) else None
