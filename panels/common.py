"""Judge and render helpers shared by several panels: percentages, game names, the
deadline (`Due`) and its overdue rule, the malformed-entries note, clock formatting, and
reading a result's value as its check's model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.errors import skipped_note
from console.core.models import CheckResult, CheckValue, Status
from console.core.timefmt import for_people
from panels.games import deadline, had_games

V = TypeVar("V", bound=CheckValue)


def value_as(result: CheckResult, model: type[V]) -> V:
    """The result's value as its check's model. Another shape (a result from elsewhere, no
    value at all) raises TypeError, which a drawing turns into "cannot draw this result"
    (panels/dispatch.py): never a number read from the wrong place."""
    if not isinstance(result.value, model):
        raise TypeError(f"{result.id}: expected a {model.__name__}, not {type(result.value).__name__}")
    return result.value


def pct(part: int | float, whole: int | float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def format_game(game_id: str) -> str:
    """`20260203_PHX_POR` -> `PHX @ POR` (away @ home); anything else unchanged."""
    parts = game_id.split("_")
    if len(parts) == 3 and parts[0].isdigit():
        return f"{parts[1]} @ {parts[2]}"
    return game_id


# ------------------------------------------------------------------ deadlines


@dataclass(frozen=True)
class Due:
    """A morning deadline as of the moment judged. `games`: the game date had games
    (predictions exist for it); None when that could not be established."""

    at: datetime
    passed: bool
    games: bool | None = None

    def label(self, settings: Settings) -> str:
        """`09:00 ET` (the zone's usual name where it has one, else its abbreviation)."""
        zone = _ZONE_NAMES.get(settings.timezone) or self.at.astimezone(settings.tz).strftime("%Z")
        return f"{self.at.astimezone(settings.tz):%H:%M} {zone}"


_ZONE_NAMES = {
    "America/New_York": "ET",
    "America/Chicago": "CT",
    "America/Denver": "MT",
    "America/Los_Angeles": "PT",
    "UTC": "UTC",
}


def overdue(result: CheckResult, due: Due | None, settings: Settings, what: str, may_be_no_games: bool) -> CheckResult:
    """After the deadline, on a date with games, what is still missing is a failure; on a date
    without games, nothing to run is `ok` ("no games"). Before it, the verdict stands."""
    if due is None or not due.passed or result.status in (Status.OK, Status.FAIL, Status.ERROR):
        return result
    if result.value is None:
        raise TypeError(f"{result.id}: a result without a value has no deadline to say")
    at = due.at.isoformat()  # `deadline` and `overdue`: declared by the values that can be overdue
    if due.games is True:
        return result.model_copy(
            update={
                "status": Status.FAIL,
                "value": result.value.updated(deadline=at, overdue=True),
                "summary": f"overdue: {what} by {due.label(settings)}",
            }
        )
    if due.games is False and may_be_no_games:
        return result.model_copy(
            update={
                "status": Status.OK,
                # no_games: what every surface shows instead of the check's figure
                "value": result.value.updated(deadline=at, overdue=False, no_games=True),
                "summary": f"no games (no predictions for this game date); {result.summary}",
            }
        )
    if due.games is None:
        return result.model_copy(
            update={
                "value": result.value.updated(deadline=at, overdue=False),
                "summary": f"{result.summary}; past {due.label(settings)}, cannot tell whether there were games",
            }
        )
    return result


def phase3_due(backend: Backend | None, ctx: CheckContext) -> Due:
    """The Phase 3 deadline (Phase 3 and the sequential trace); whether there were games is
    asked only once it has passed."""
    at = deadline(ctx, ctx.settings.deadlines.phase3)
    passed = ctx.as_of >= at
    games = had_games(backend, ctx) if passed and backend is not None else None
    return Due(at=at, passed=passed, games=games)


def note_skipped(result: CheckResult, skipped: int) -> CheckResult:
    """Malformed entries skipped inside a readable source: counted in the value (and so in
    --json) and said in the summary, whatever the verdict."""
    if not skipped:
        return result
    if result.value is None:
        raise TypeError(f"{result.id}: a result without a value cannot count skipped entries")
    return result.model_copy(
        update={
            "value": result.value.updated(malformed_skipped=skipped),
            "summary": f"{result.summary}; {skipped_note(skipped)}",
        }
    )


# ------------------------------------------------------------------ rendering


def hhmm(iso_text: str | None, tz: ZoneInfo, zone: bool = True) -> str:
    """`07:14 EST` (a panel is one morning: the date is in the header); `zone=False` for the
    start of a range whose end carries the zone (`07:05->07:14 EST`)."""
    if not iso_text:
        return "--:--"
    text = for_people(iso_text, tz, "clock")
    return text.split(" ")[0] if not zone and " " in text else text


def pct_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
