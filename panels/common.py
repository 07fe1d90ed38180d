"""Judge and render helpers shared by several panels: percentages, game names, the
deadline (`Due`) and its overdue rule, the malformed-entries note, clock formatting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.errors import skipped_note
from console.core.models import CheckResult, Status
from console.core.timefmt import for_people
from panels.games import deadline, had_games


def pct(part: int | float, whole: int | float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def format_game(game_id: str) -> str:
    """`20260203_PHX_POR` -> `PHX @ POR` (away @ home); anything else unchanged."""
    parts = game_id.split("_")
    if len(parts) == 3 and parts[0].isdigit():
        return f"{parts[1]} @ {parts[2]}"
    return game_id


def iso(value: object) -> object:
    return value.isoformat() if isinstance(value, (datetime, date)) else value


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
    value = {**result.value, "deadline": due.at.isoformat(), "overdue": False}
    if due.games is True:
        value["overdue"] = True
        return result.model_copy(
            update={"status": Status.FAIL, "value": value, "summary": f"overdue: {what} by {due.label(settings)}"}
        )
    if due.games is False and may_be_no_games:
        value["no_games"] = True  # what every surface shows instead of the check's figure
        return result.model_copy(
            update={
                "status": Status.OK,
                "value": value,
                "summary": f"no games (no predictions for this game date); {result.summary}",
            }
        )
    if due.games is None:
        return result.model_copy(
            update={
                "value": value,
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
    value = {**result.value, "malformed_skipped": skipped}
    return result.model_copy(update={"value": value, "summary": f"{result.summary}; {skipped_note(skipped)}"})


# ------------------------------------------------------------------ rendering


def hhmm(iso_text: str | None, tz: ZoneInfo, zone: bool = True) -> str:
    """`07:14 EST` (a panel is one morning: the date is in the header); `zone=False` for the
    start of a range whose end carries the zone (`07:05->07:14 EST`)."""
    if not iso_text:
        return "--:--"
    text = for_people(iso_text, tz, "clock")
    return text.split(" ")[0] if not zone and " " in text else text


def pct_text(value: Any) -> str:
    return "-" if value is None else f"{value:.1f}%"


def num(value: Any, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
