"""The history screen's cells and series: a Report per date in, text and numbers out.

Pure (rich only): the grid's badge text reads without colour (`ok`, `WARN`, `FAIL`, `unk`,
`ERR`), and each plotted series carries its threshold lines from the results' own values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rich.text import Text

from console.core.models import CheckResult
from panels.dispatch import NO_GAMES, no_games
from panels.drift import worst_drift
from panels.registry import BY_ID
from panels.status_style import SHORT_LABEL, STATUS_STYLE


def headline(result: CheckResult) -> str:
    """The number that fits a grid cell (percentages without the sign, drift in commits):
    the panel's own `headline`."""
    if result.status.value == "error" or result.id not in BY_ID:
        return ""
    return BY_ID[result.id].headline(result)


def cell(result: CheckResult | None) -> Text:
    if result is None:
        return Text("…", style="dim")
    if no_games(result):
        return Text(NO_GAMES, style="dim")
    status = result.status.value
    return Text(f"{SHORT_LABEL.get(status, status)} {headline(result)}".strip(), style=STATUS_STYLE.get(status, ""))


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


def _value(day: Day, check_id: str, key: str) -> float | None:
    result = day.get(check_id)
    if result is None or result.status.value == "error" or no_games(result):
        return None
    if check_id == "deployment_drift":
        worst = worst_drift(result)
        return None if worst is None else float(worst["commits_behind"])
    value = result.value.get(key)
    return float(value) if isinstance(value, (int, float)) else None


def _line(days: list[Day], check_id: str, key: str, default: float) -> float:
    """A threshold as the results state it (the config in force), else the default."""
    for day in days:
        c = day.get(check_id)
        if c is not None and isinstance(c.value.get(key), (int, float)):
            return float(c.value[key])
    return default


def series(days: list[Day]) -> list[Series]:
    """Grading coverage (80/70 lines), DNP % (0 line), usage % (90 line), worst drift in commits."""

    def values(check_id: str, key: str) -> list[float | None]:
        return [_value(d, check_id, key) for d in days]

    return [
        Series(
            "grading coverage %",
            values("grading_coverage", "coverage_pct"),
            {
                "trigger": _line(days, "grading_coverage", "trigger_pct", 80.0),
                "monitor": _line(days, "grading_coverage", "monitor_pct", 70.0),
            },
        ),
        Series(
            "DNP rows in the game date's cache %",
            values("dnp_pollution", "game_date_pct"),
            {"max": _line(days, "dnp_pollution", "max_pct", 0.0)},
        ),
        Series(
            "usage-rate coverage %",
            values("usage_rate_coverage", "coverage_pct"),
            {"target": _line(days, "usage_rate_coverage", "target_pct", 90.0)},
        ),
        Series("commits behind (worst service)", values("deployment_drift", ""), {}),
    ]


def date_label(day: date) -> str:
    return f"{day:%m-%d}"
