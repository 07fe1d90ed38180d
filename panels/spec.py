"""What a panel module declares: one `CheckSpec` with everything about its check.

A panel is a vertical slice: its id and title, the model of its value, the queries it runs
(queries/<name>.sql), the source it reads, how it fetches and judges (`run`), its
drill-down rows and what they are, how it draws (`render`, `breakdown`, `markdown`,
`headline`), what a notification lists, its lines of the morning timeline and metrics, its
history plot, its live feed, the playbooks it suggests and, when it has one, its history
range-runner. panels/registry.py lists the panels in order; panels/dispatch.py is the one
place a consumer looks a spec up and calls its hooks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.models import CheckResult, CheckValue, Status
from console.logs.trace import TraceValue

if TYPE_CHECKING:
    from rich.console import RenderableType

    from panels.ranges import RangeReads

Rows = list[dict[str, Any]]
HistoryRunner = Callable[[Backend, list[CheckContext], "RangeReads"], dict[date, CheckResult]]
V = TypeVar("V", bound=CheckValue)


@dataclass(frozen=True)
class Criterion:
    """A line of the handoff's success criteria (the timeline box); `met` None: cannot tell yet.
    `rank` is the checklist's order across checks (lower first; unranked after, in registry order)."""

    label: str
    met: bool | None
    detail: str
    rank: int = 1000


@dataclass(frozen=True)
class Metric:
    """A line of the handoff's "Expected Metrics" table, with the live value beside it."""

    name: str
    expected: str
    actual: str
    met: bool | None
    rank: int = 1000


@dataclass(frozen=True)
class Plot(Generic[V]):
    """The check's series on the history screen: one number per date, and its threshold lines
    (label -> y, read from the settings in force)."""

    title: str
    number: Callable[[V], float | int | None]
    lines: Callable[[Settings], dict[str, float]] = field(default=lambda settings: {})


@dataclass(frozen=True)
class LogFeed:
    """The check follows a log stream between refreshes (console/logs/live_trace.py): the
    service whose lines feed the trace, and the check's result from the trace's verdict."""

    service: Callable[[Settings], str]
    judge: Callable[[Status, str, TraceValue], CheckResult]


@dataclass(frozen=True)
class DocumentFeed:
    """The check follows a pushed document (Firestore on_snapshot on gcp) between refreshes:
    the collection, the document id for a context, and the check's result from its fields
    (None: no document), judged with the backend as the refresh judges it."""

    collection: str
    document: Callable[[CheckContext], str]
    judge: Callable[[dict[str, Any] | None, CheckContext, Backend], CheckResult]


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
    # What the drill-down's fetched rows are, and what no rows means: "rows: 0" says nothing.
    rows_title: str
    rows_empty: str
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
    # A check without SQL says what it reads instead (the SQL modal), for a context.
    reads: Callable[[CheckContext], str] | None = None
    # The few rows behind a verdict in a `watch` message, from the value (no extra query).
    notify_rows: Callable[[V, tzinfo], list[str]] | None = None
    # Its lines of the success criteria: (result, value, settings, game date); result and value
    # are None when there is no usable result (loading, not run, an error).
    criteria: Callable[[CheckResult | None, V | None, Settings, date], list[Criterion]] | None = None
    # Its lines of the expected metrics: (value, its own criteria, settings, game date).
    metrics: Callable[[V | None, list[Criterion], Settings, date], list[Metric]] | None = None
    plot: Plot[V] | None = None  # its series on the history screen
    live: LogFeed | DocumentFeed | None = None  # what it follows between refreshes in the console
    help_text: Callable[[Settings], str] | None = None  # its rule, under `check --help`
    # What `history`'s table of it means: (settings, compact: the narrow table, whose figures are
    # shortened).
    history_note: Callable[[Settings, bool], str] | None = None
    # How far its headline number may move while acknowledged before the watch breaks through
    # (-5: a drop of 5 points; +1: a rise of 1); None: only a worse status does. `team.worsen_by`
    # overrides it per check.
    worsen_by: float | None = None

    def value_of(self, result: CheckResult | None) -> V | None:
        """The result's value as this check's model; None for no result, an error result,
        or a value of another shape (a result of another check)."""
        value = result.value if result is not None else None
        return value if isinstance(value, self.value_model) else None
