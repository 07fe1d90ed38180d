"""The history screen's cells and series: a Report per date in, text and numbers out.

Pure (rich only): the grid's badge text reads without colour (`ok`, `WARN`, `FAIL`, `unk`,
`ERR`), and each plotted series (a check's `plot` hook) carries its threshold lines from the
settings in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rich.text import Text

from console.core.config import Settings
from console.core.models import CheckResult
from panels import dispatch
from panels.dispatch import NO_GAMES, no_games
from panels.status_style import SHORT_LABEL, STATUS_GLYPH, status_style


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


def series(days: list[Day], settings: Settings) -> list[Series]:
    """One series per check with a `plot` hook, in registry order: its number per date (None
    where there is nothing to judge) and its threshold lines from the settings in force."""
    return [
        Series(
            plot.title, [dispatch.plot_number(plot, check_id, day.get(check_id)) for day in days], plot.lines(settings)
        )
        for check_id, plot in dispatch.plots()
    ]


def date_label(day: date) -> str:
    return f"{day:%m-%d}"
