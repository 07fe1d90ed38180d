"""The expected-metrics table of the main screen, drawn from console.services.timeline rows."""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text

from console.core.config import Settings
from console.core.models import CheckResult
from console.services.timeline import expected_metrics
from console.tui.widgets.auto_height import AutoHeight


def tick(met: bool | None) -> Text:
    """`[✓]`, `[✗]`, or `[ ]` while it cannot be told yet (the timeline's criteria use it too)."""
    if met is None:
        return Text("[ ]", style="dim")
    return Text("[✓]", style="bold green") if met else Text("[✗]", style="bold red")


class MetricsView(AutoHeight):
    _drawn: tuple | None = None

    def show(self, results: dict[str, CheckResult], settings: Settings, game_date: date) -> None:
        key = (tuple(results.items()), game_date)
        if key == self._drawn:  # nothing it shows depends on the time
            return
        self._drawn = key
        table = Table(expand=True, show_edge=False, box=None, header_style="bold underline", pad_edge=False)
        metrics = expected_metrics(results, settings, game_date)
        # The tick and the label keep their width (a narrow table crops the values with …,
        # never the label to "process…"); the drill-downs and the timeline have the long texts.
        table.add_column("", width=3, no_wrap=True)
        table.add_column("metric", no_wrap=True, min_width=max((len(m.name) for m in metrics), default=6))
        table.add_column("expected", no_wrap=True, overflow="ellipsis", ratio=1)
        table.add_column("actual", no_wrap=True, overflow="ellipsis", ratio=1)
        for m in metrics:
            table.add_row(tick(m.met), m.name, m.expected, Text(m.actual, style="red" if m.met is False else ""))
        # A header and one line per metric (every column no_wrap), whatever the width.
        newline = any("\n" in m.name + m.expected + m.actual for m in metrics)
        self._update_sized(table, None if newline else 1 + len(metrics))
