"""The morning timeline of the main screen: the handoff's windows, the current one
highlighted, and the success criteria ticked, drawn from console.services.timeline rows."""

from __future__ import annotations

from datetime import date, datetime

from rich.table import Table
from rich.text import Text

from console.core.config import Settings
from console.core.models import CheckResult
from console.services.timeline import WINDOWS, criteria, current_window, window_note
from console.tui.widgets.auto_height import AutoHeight
from console.tui.widgets.metrics_view import tick


class TimelineView(AutoHeight):
    _drawn: tuple | None = None

    def show(self, results: dict[str, CheckResult], settings: Settings, game_date: date, as_of: datetime) -> None:
        # Time enters only through the current window and the "now HH:MM" note: redrawn when
        # a result or the minute changes, not on every 1 s tick.
        key = (tuple(results.items()), game_date, as_of.replace(second=0, microsecond=0))
        if key == self._drawn:
            return
        self._drawn = key
        processing = game_date + settings.processing_offset
        now = current_window(as_of, processing, settings)
        table = Table.grid(padding=(0, 1))
        table.add_column(width=13)
        table.add_column()
        for i, window in enumerate(WINDOWS):
            style = "bold reverse" if i == now else "" if now is None or i > now else "dim"
            # One line per window (cropped with … when narrow): the criteria below must stay in the box.
            table.add_row(
                Text(("▶ " if i == now else "  ") + window.label, style=style),
                Text(window.tasks, style=style, no_wrap=True, overflow="ellipsis"),
            )
        table.add_row("", Text(window_note(as_of, processing, settings), style="italic dim"))
        for c in criteria(results, settings, game_date):
            table.add_row(tick(c.met), Text.assemble((c.label, "bold"), ("  " + c.detail, "dim")))
        self._update_sized(table)
