"""A CheckResult in, its panel's headline and body (rich Text) out: the registry's panel
draws it (panels/<name>.py `render`). No I/O, no Textual."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich.text import Text

from console.core.models import CheckResult
from panels.registry import BY_ID

if TYPE_CHECKING:  # the terminal renderer, only for type checkers here
    from rich.console import RenderableType


NO_GAMES = "no games"


def no_games(result: CheckResult) -> bool:
    """The game date had no games: the check had nothing to judge, and says so."""
    return result.value.get("no_games") is True


def render_result(result: CheckResult, tz: ZoneInfo) -> tuple[str, RenderableType]:
    panel = BY_ID.get(result.id)
    if panel is None:
        return result.status.value, Text()
    if no_games(result):  # not `0/5` or `L1 -> L2`: an order, a count that was never seen
        return NO_GAMES, Text()  # the summary line says why
    try:
        return panel.render(result, tz)
    except (KeyError, TypeError, ValueError) as exc:  # a value of an unexpected shape must not crash the screen
        return "?", Text(f"cannot draw this result: {type(exc).__name__}: {exc}", style="red")


# The table behind the number that the result already carries (the drill-down shows it
# above the fetched rows), as (title, rows).
def breakdown(result: CheckResult | None) -> tuple[str, list[dict[str, Any]]] | None:
    if result is None or result.id not in BY_ID:
        return None
    return BY_ID[result.id].breakdown(result)
