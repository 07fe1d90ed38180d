"""A CheckResult in, what its panel draws out: headline and body (rich), the history cell's
number, the breakdown table, `report`'s details, a notification's rows, the timeline's
criteria and metrics, the history plots, the live feeds. The one place a consumer looks a
panel up by a result's id and calls its hooks (panels/spec.py). No I/O, no Textual.

Every drawing is guarded the same way: a value of an unexpected shape (a result of another
check, a value the judge never builds) shows "cannot draw this result", never a crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from rich.text import Text

from console.core.config import Settings
from console.core.context import CheckContext
from console.core.models import CheckResult, Status
from panels.registry import BY_ID, PANELS
from panels.spec import CheckSpec, Criterion, DocumentFeed, LogFeed, Metric, Plot

if TYPE_CHECKING:  # the terminal renderer, only for type checkers here
    from rich.console import RenderableType

    from console.logs.live_trace import TraceVerdict


T = TypeVar("T")
NO_GAMES = "no games"
# What a drawing raises on a value it cannot read (panels/common.value_as: TypeError).
_SHAPE_ERRORS = (AttributeError, KeyError, TypeError, ValueError)


def no_games(result: CheckResult) -> bool:
    """The game date had no games: the check had nothing to judge, and says so."""
    return result.says_no_games()


def render_result(result: CheckResult, tz: ZoneInfo) -> tuple[str, RenderableType]:
    panel = BY_ID.get(result.id)
    if panel is None:
        return result.status.value, Text()
    if no_games(result):  # not `0/5` or `L1 -> L2`: an order, a count that was never seen
        return NO_GAMES, Text()  # the summary line says why
    try:
        return panel.render(result, tz)
    except _SHAPE_ERRORS as exc:  # a value of an unexpected shape must not crash the screen
        return "?", Text(f"cannot draw this result: {type(exc).__name__}: {exc}", style="red")


def headline(result: CheckResult) -> str:
    """The number that fits a history grid cell (the panel's own `headline`); `?` for a value
    it cannot read, "" for an error or an unknown check."""
    panel = BY_ID.get(result.id)
    if panel is None or result.status is Status.ERROR:
        return ""
    try:
        return panel.headline(result)
    except _SHAPE_ERRORS:
        return "?"


# The table behind the number that the result already carries (the drill-down shows it
# above the fetched rows), as (title, rows).
def breakdown(result: CheckResult | None) -> tuple[str, list[dict[str, Any]]] | None:
    if result is None or result.id not in BY_ID:
        return None
    try:
        return BY_ID[result.id].breakdown(result)
    except _SHAPE_ERRORS:
        return None


def markdown(result: CheckResult, tz: tzinfo) -> list[str]:
    """`report`'s details under the check's heading (the panel's own `markdown`)."""
    panel = BY_ID.get(result.id)
    return panel.markdown(result.value, tz) if panel is not None else []


# ------------------------------------------------------------------ the hooks beside the judges


def rows_title(check_id: str) -> tuple[str, str]:
    """What the drill-down's rows are, and what no rows means."""
    panel = BY_ID.get(check_id)
    return (panel.rows_title, panel.rows_empty) if panel is not None else ("rows", "no rows")


def reads(check_id: str, ctx: CheckContext) -> str | None:
    """What a check without SQL reads instead, in words; None for a check that has no such hook."""
    panel = BY_ID.get(check_id)
    return panel.reads(ctx) if panel is not None and panel.reads is not None else None


def notify_rows(result: CheckResult, tz: tzinfo, limit: int) -> list[str]:
    """The few rows behind a verdict in a `watch` message (the check's `notify_rows`)."""
    panel = BY_ID.get(result.id)
    value = panel.value_of(result) if panel is not None else None
    if panel is None or panel.notify_rows is None or value is None:
        return []
    try:
        return panel.notify_rows(value, tz)[:limit]
    except _SHAPE_ERRORS:
        return []


def _usable(panel: CheckSpec[Any], results: Mapping[str, CheckResult]) -> tuple[CheckResult | None, Any]:
    result = results.get(panel.id)
    if result is None or result.status is Status.ERROR:
        return None, None
    return result, panel.value_of(result)


def _own_criteria(
    panel: CheckSpec[Any], results: Mapping[str, CheckResult], settings: Settings, game_date: date
) -> list[Criterion]:
    if panel.criteria is None:
        return []
    result, value = _usable(panel, results)
    try:
        return panel.criteria(result, value, settings, game_date)
    except _SHAPE_ERRORS:  # a value it cannot read: its lines are left out, the screen stays up
        return []


def _ranked(items: list[tuple[int, int, T]]) -> list[T]:
    return [item for _, _, item in sorted(items, key=lambda t: (t[0], t[1]))]


def criteria(results: Mapping[str, CheckResult], settings: Settings, game_date: date) -> list[Criterion]:
    """The handoff's success criteria from every check that has some, in the checklist's order."""
    found = [
        (c.rank, order, c)
        for order, panel in enumerate(PANELS)
        for c in _own_criteria(panel, results, settings, game_date)
    ]
    return _ranked(found)


def metrics(results: Mapping[str, CheckResult], settings: Settings, game_date: date) -> list[Metric]:
    """The handoff's expected metrics, each from its own check (and that check's criteria)."""
    found = []
    for order, panel in enumerate(PANELS):
        if panel.metrics is None:
            continue
        _, value = _usable(panel, results)
        own = _own_criteria(panel, results, settings, game_date)
        try:
            found += [(m.rank, order, m) for m in panel.metrics(value, own, settings, game_date)]
        except (*_SHAPE_ERRORS, IndexError):  # as above; IndexError: its own criteria were left out
            continue
    return _ranked(found)


def plots() -> list[tuple[str, Plot[Any]]]:
    """(check id, plot) of every check plotted on the history screen, in registry order."""
    return [(panel.id, panel.plot) for panel in PANELS if panel.plot is not None]


def plot_number(plot: Plot[Any], check_id: str, result: CheckResult | None) -> float | None:
    """A plot's number for one date's result: None where there is nothing to judge (no result,
    an error, no games, a value it cannot read)."""
    panel = BY_ID.get(check_id)
    if panel is None or result is None or result.status is Status.ERROR or no_games(result):
        return None
    value = panel.value_of(result)
    try:
        number = plot.number(value) if value is not None else None
    except _SHAPE_ERRORS:
        return None
    return None if number is None else float(number)


def live_feeds() -> list[tuple[CheckSpec[Any], LogFeed | DocumentFeed]]:
    """The checks that follow a source between refreshes, with their feed."""
    return [(panel, panel.live) for panel in PANELS if panel.live is not None]


def log_feed() -> tuple[CheckSpec[Any], LogFeed] | None:
    """The check fed by a live log stream (the log screen's trace), if any."""
    return next(((p, f) for p, f in live_feeds() if isinstance(f, LogFeed)), None)


def help_texts(settings: Settings) -> list[str]:
    """The rules checks state under `check --help`."""
    return [panel.help_text(settings) for panel in PANELS if panel.help_text is not None]


def worsen_by(check_id: str, settings: Settings) -> float | None:
    """How far a check's headline may move under an acknowledgement: the config's, else its own."""
    if check_id in settings.team.worsen_by:
        return settings.team.worsen_by[check_id]
    spec = BY_ID.get(check_id)
    return spec.worsen_by if spec is not None else None


def history_notes(check_ids: Iterable[str], settings: Settings, *, compact: bool = False) -> list[str]:
    """What `history`'s table means for the checks shown that say something about it (`compact`:
    the narrow table, whose figures are shortened)."""
    shown = set(check_ids)
    return [p.history_note(settings, compact) for p in PANELS if p.id in shown and p.history_note is not None]


def live_trace_result(verdict: TraceVerdict | None) -> CheckResult | None:
    """The result of the check a live log stream feeds, from the trace's verdict (None: no
    verdict, or no check follows a log stream)."""
    found = log_feed()
    if verdict is None or found is None:
        return None
    return found[1].judge(verdict.status, verdict.summary, verdict.value)
