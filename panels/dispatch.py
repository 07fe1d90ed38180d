"""A CheckResult in, what its panel draws out: headline and body (rich), the history cell's
number, the breakdown table, `report`'s details. The one place a consumer looks a panel up
by a result's id. No I/O, no Textual.

Every drawing is guarded the same way: a value of an unexpected shape (a result of another
check, a value the judge never builds) shows "cannot draw this result", never a crash.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich.text import Text

from console.core.models import CheckResult, Status
from panels.registry import BY_ID

if TYPE_CHECKING:  # the terminal renderer, only for type checkers here
    from rich.console import RenderableType


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
