"""The app shell's moves around the refresh loop (a mixin of NbaConsoleApp, as LiveFeeds is):
dates (`[` `]` stop at the data's edges, `g` go to a date, `t` back to the default date; a
frozen moment moves with them),
one-off refreshes (`r` while paused, a playbook's completion), the end of the demo's replay,
notifications told once per change of state, and the theme remembered between runs.

It uses the app's settings, clock, states, _due, backend and refresh loop.
"""

from __future__ import annotations

from datetime import date

from textual import log

from console.core.clock import FixedClock, ReplayClock
from console.core.game_dates import DateRange, date_range, query_params
from console.services import ui_state
from console.services.runner import SPEC_BY_ID, default_game_date
from console.tui.messages import PlaybookFinished


class ConsoleShell:
    def _init_shell(self) -> None:
        self.date_range: DateRange | None = None  # None: unknown (no data, or the query failed): walk freely
        self.default_date: date | None = self.game_date
        self._told: set[tuple[str, str]] = set()  # (game date, message) already notified this session
        self._rerun: set[str] = set()  # checks to run again as soon as their running refresh ends
        self._replay_ended = False

    # ------------------------------------------------------------------ dates

    def start_date_range(self) -> None:
        self.run_worker(self._date_range_job, thread=True, name="date range", group="date-range", exit_on_error=False)

    def _date_range_job(self) -> None:
        """The default date (for `t`) and the data's first and last game dates (for `[` `]` `g`)."""
        now = self.clock.now()
        try:
            backend = self.backend()
            default = default_game_date(backend, self.settings, now)
            rows = backend.run_query("game_date_range", query_params(now.astimezone(self.settings.tz)))
            found = date_range(rows, default)
        except Exception as exc:  # noqa: BLE001 - no range: the keys walk freely, as before
            log.warning(f"game date range: {exc!r}")
            return
        self.default_date, self.date_range = default, found

    def date_refusal(self, target: date) -> str | None:
        return self.date_range.refusal(target) if self.date_range is not None else None

    def show_date(self, target: date) -> None:
        """Show another game date (the one place `[` `]` `g` `t` change it). Frozen at a
        moment (`--at`), the moment moves with it: the same time of day on the new date's
        processing date, never the old date's moment (before its processing: all `unknown`)."""
        if self.game_date is None or target == self.game_date:
            return
        if isinstance(self.clock, FixedClock):
            self.clock.move_to(target + self.settings.processing_offset, self.settings.tz)
        self.game_date = target
        self.generation += 1
        self._reset_states()
        self.refresh_once(list(self._due))  # the new date loads even while paused
        self.start_live_feeds()

    def goto_date(self) -> None:
        if self.game_date is None:
            return
        from console.tui.screens.goto_modal import GotoDateModal

        today = self.clock.now().astimezone(self.settings.tz).date()
        self.push_screen(
            GotoDateModal(self.game_date, today, self.date_range),
            lambda chosen: chosen is not None and self.show_date(chosen),
        )

    def show_default_date(self) -> None:
        if self.default_date is not None:
            self.show_date(self.default_date)

    # ------------------------------------------------------------------ one-off refreshes

    def refresh_once(self, check_ids) -> None:
        """Run these checks now, paused or not (a check already running runs again when it ends)."""
        if self.game_date is None:
            return
        for check_id in check_ids:
            state = self.states.get(check_id)
            if state is None:
                continue
            self._due[check_id] = 0.0
            if state.running:
                self._rerun.add(check_id)
            else:
                self._start(SPEC_BY_ID[check_id])
        self.redraw()

    def rerun_if_asked(self, check_id: str) -> None:
        """Called when a refresh ends: a one-off asked for while it ran starts now."""
        if check_id in self._rerun:
            self._rerun.discard(check_id)
            self._due[check_id] = 0.0
            if self.paused:
                self._start(SPEC_BY_ID[check_id])

    def on_playbook_finished(self, message: PlaybookFinished) -> None:
        self.refresh_once(message.affected_check_ids)

    # ------------------------------------------------------------------ the demo's replay

    def check_replay_end(self) -> None:
        """The replay reached its end (11:00 ET): `e` leaves the footer, the header says ENDED."""
        clock = self.clock
        ended = isinstance(clock, ReplayClock) and clock.finished
        if ended != self._replay_ended:
            self._replay_ended = ended
            self.refresh_bindings()

    # ------------------------------------------------------------------ notifications

    def first_telling(self, message: str) -> bool:
        """True the first time this message is told for the shown game date: browsing back to
        a date does not raise its alerts again."""
        key = (self.game_date.isoformat() if self.game_date else "", message)
        if key in self._told:
            return False
        self._told.add(key)
        return True

    # ------------------------------------------------------------------ theme

    def restore_theme(self) -> None:
        """The theme chosen last time wins over the config's `tui.theme`."""
        loaded = ui_state.load(self.settings)
        if loaded.note:
            self.notify(loaded.note, title="console state", severity="warning", timeout=20)
        if loaded.theme and loaded.theme in self.available_themes:
            self.theme = loaded.theme
        self._theme_known = self.theme  # the startup theme is not a choice: nothing written
        self._theme_memory_told = False
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme) -> None:
        name = getattr(theme, "name", str(theme))
        if name == self._theme_known:
            return
        self._theme_known = name
        why_not = ui_state.memory_only(self.settings, served=self.is_web)
        if why_not:  # in memory only: said once, nothing written
            if not self._theme_memory_told:
                self._theme_memory_told = True
                self.notify(why_not, title="theme")
            return
        error = ui_state.save_theme(self.settings, name)
        if error:
            self.notify(error, severity="warning")
