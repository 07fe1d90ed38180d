"""The history screen's cells and series: a Report per date in, text and numbers out.

Pure (rich only): the grid's badge text reads without colour (`ok`, `WARN`, `FAIL`, `unk`,
`ERR`), and each plotted series carries its threshold lines from the results' own values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from rich.text import Text

from console.core.models import CheckResult, CheckValue
from panels import dispatch, dnp, drift, grading, usage
from panels.dispatch import NO_GAMES, no_games
from panels.spec import CheckSpec
from panels.status_style import SHORT_LABEL, STATUS_GLYPH, status_style

V = TypeVar("V", bound=CheckValue)


def headline(result: CheckResult) -> str:
    """The number that fits a grid cell (percentages without the sign, drift in commits):
    the panel's own `headline`."""
    return dispatch.headline(result)


def cell(result: CheckResult | None) -> Text:
    if result is None:
        return Text("…", style="dim")
    if no_games(result):
        return Text(NO_GAMES, style="dim")
    status = result.status.value
    # Glyph and word: the cell reads without its colour (and with NO_COLOR).
    text = f"{STATUS_GLYPH.get(status, '·')} {SHORT_LABEL.get(status, status)} {headline(result)}".strip()
    return Text(text, style=status_style(status))


@dataclass
class Series:
    """One plot: a number per date (None where there is nothing to judge) and its lines."""

    title: str
    values: list[float | None]
    lines: dict[str, float] = field(default_factory=dict)  # label -> y

    @property
    def points(self) -> list[tuple[int, float]]:
        return [(i, v) for i, v in enumerate(self.values) if v is not None]


Day = dict[str, CheckResult]  # one date's results by check id (what is loaded so far)


def _number(day: Day, spec: CheckSpec[V], read: Callable[[V], float | int | None]) -> float | None:
    result = day.get(spec.id)
    if result is None or result.status.value == "error" or no_games(result):
        return None
    value = spec.value_of(result)
    number = read(value) if value is not None else None
    return None if number is None else float(number)


def _line(days: list[Day], spec: CheckSpec[V], read: Callable[[V], float], default: float) -> float:
    """A threshold as the results state it (the config in force), else the default."""
    for day in days:
        value = spec.value_of(day.get(spec.id))
        if value is not None:
            return float(read(value))
    return default


def _worst_commits(value: drift.DriftValue) -> int | None:
    worst = drift.worst_known(value)
    return None if worst is None else worst.commits_behind


def series(days: list[Day]) -> list[Series]:
    """Grading coverage (80/70 lines), DNP % (0 line), usage % (90 line), worst drift in commits."""

    def values(spec: CheckSpec[V], read: Callable[[V], float | int | None]) -> list[float | None]:
        return [_number(d, spec, read) for d in days]

    return [
        Series(
            "grading coverage %",
            values(grading.SPEC, lambda v: v.coverage_pct),
            {
                "trigger": _line(days, grading.SPEC, lambda v: v.trigger_pct, 80.0),
                "monitor": _line(days, grading.SPEC, lambda v: v.monitor_pct, 70.0),
            },
        ),
        Series(
            "DNP rows in the game date's cache %",
            values(dnp.SPEC, lambda v: v.game_date_pct),
            {"max": _line(days, dnp.SPEC, lambda v: v.max_pct, 0.0)},
        ),
        Series(
            "usage-rate coverage %",
            values(usage.SPEC, lambda v: v.coverage_pct),
            {"target": _line(days, usage.SPEC, lambda v: v.target_pct, 90.0)},
        ),
        Series("commits behind (worst service)", values(drift.SPEC, _worst_commits), {}),
    ]


def date_label(day: date) -> str:
    return f"{day:%m-%d}"
