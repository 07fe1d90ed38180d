"""Which game date the console shows, and where it may go: `[` `]` stop at the data's edges,
`g` goes to a date, `t` back to the default one. Frozen at a moment (`--at`), the moment
moves with the date.

Reads happen only in `first_date` and `find_range`, which the app runs in its workers; the
rest runs on the UI thread and does no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from textual import log

from console.core.backend import Backend
from console.core.clock import Clock, FixedClock
from console.core.config import Settings
from console.core.game_dates import DateRange, date_range, query_params
from console.services.runner import default_game_date


class DateNavigator:
    def __init__(self, settings: Settings, clock: Clock, game_date: date | None = None) -> None:
        self.settings, self.clock = settings, clock
        self.game_date = game_date  # None until the first date is known (the bootstrap worker)
        self.default_date = game_date  # `t` goes back here
        self.range: DateRange | None = None  # None: unknown (no data, or the query failed): walk freely

    @property
    def processing_date(self) -> date | None:
        return self.game_date + self.settings.processing_offset if self.game_date else None

    # ------------------------------------------------------------------ in a worker

    def first_date(self, backend: Callable[[], Backend]) -> date:
        """The date to open on: the one asked for, else the latest with data (local) or
        yesterday (gcp); yesterday when even that cannot be read (the panels say why)."""
        if self.game_date is not None:
            return self.game_date
        now = self.clock.now()
        try:
            return default_game_date(backend(), self.settings, now)
        except Exception as exc:  # noqa: BLE001 - no data yet: yesterday, and the panels say why
            log.warning(f"default game date: {exc}")
            return now.astimezone(self.settings.tz).date() - timedelta(days=1)

    def find_range(self, backend: Callable[[], Backend]) -> tuple[date, DateRange | None] | None:
        """The default date (for `t`) and the data's first and last game dates (for `[` `]`
        `g`); None when they cannot be read (the keys then walk freely, as before)."""
        now = self.clock.now()
        try:
            source = backend()
            default = default_game_date(source, self.settings, now)
            rows = source.run_query("game_date_range", query_params(now.astimezone(self.settings.tz)))
            return default, date_range(rows, default)
        except Exception as exc:  # noqa: BLE001 - no range: the keys walk freely
            log.warning(f"game date range: {exc!r}")
            return None

    # ------------------------------------------------------------------ on the UI thread

    def range_found(self, found: tuple[date, DateRange | None] | None) -> None:
        if found is not None:
            self.default_date, self.range = found

    def refusal(self, target: date) -> str | None:
        """Why `target` cannot be shown (outside the data), or None."""
        return self.range.refusal(target) if self.range is not None else None

    def move_to(self, target: date) -> bool:
        """Show `target`; False when it is already shown (or nothing is yet). Frozen at a
        moment, the moment moves too: the same time of day on the new date's processing
        date, never the old date's moment (before its processing: all `unknown`)."""
        if self.game_date is None or target == self.game_date:
            return False
        if isinstance(self.clock, FixedClock):
            self.clock.move_to(target + self.settings.processing_offset, self.settings.tz)
        self.game_date = target
        return True
