"""The console: a Textual app that keeps the six morning checks live.

The app composes plain objects, each with its own state (no mixins):
- RefreshScheduler (console/services/refresh.py): when each check runs, through one Textual
  one-shot timer per check: a refresh period after each run, a capped backoff after errors,
  held while paused or under a modal, rerun when asked during a run; a generation per date.
- DateNavigator (date_navigation.py): the game date shown and where `[` `]` `g` `t` may go.
- LiveFeeds (live_feeds.py): the log stream and the document listener between refreshes.
- Notices (notices.py) and ThemeMemory (theme_memory.py).
Each check runs in a thread worker; results land in PanelState, which keeps the last good
value when a source fails. Nothing blocks the event loop: the backend is opened, the default
game date found and every query run inside workers. The 1 s interval only moves the clock
(the header's time, the ages, the replay's end); it starts nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import log
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from console.backends import Backend, open_backend
from console.backends.log_stream import open_log_source
from console.core.clock import Clock, ReplayClock, SystemClock
from console.core.config import Settings
from console.core.models import STALE, CheckResult, Status
from console.services.refresh import PanelState, RefreshScheduler, SetTimer
from console.services.runner import SPEC_BY_ID, SPECS, CheckContext, CheckSpec
from console.tui import themes
from console.tui.check_workers import CheckWorkers
from console.tui.date_navigation import DateNavigator
from console.tui.gc_tuning import freeze_startup_heap
from console.tui.landing import Landing
from console.tui.live_feeds import LiveFeeds, LogSourceFactory
from console.tui.messages import LiveTraceUpdated, PlaybookFinished, ResultPushed
from console.tui.notices import Notices
from console.tui.palette import ConsoleCommands
from console.tui.team_view import TeamView
from console.tui.theme_memory import ThemeMemory

if TYPE_CHECKING:
    from console.tui.host import ConsoleHost

BackendFactory = Callable[[Settings], Backend]


def _status_of(state: PanelState) -> str | None:
    """The status a panel stands for: its source's error, else its result's; None before any."""
    if state.error is not None:
        return Status.ERROR.value
    return state.result.status.value if state.result is not None else None


class NbaConsoleApp(App[None]):
    HELP_SECTION = (0, "Anywhere")  # where `?` lists its keys
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: a subclass elsewhere (tests) finds it too
    TITLE = "nba-console"
    COMMANDS = App.COMMANDS | {ConsoleCommands}

    # Ids make them remappable: `[keys]` in the config maps id -> key (App.set_keymap).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("p", "toggle_pause", "Pause refresh", id="pause"),
        Binding("question_mark", "help", "Keys", id="help"),
        Binding("P", "playbooks", "Playbooks", id="playbooks"),
        Binding("l", "logs", "Logs", id="logs"),
        Binding("h", "history", "History", id="history"),  # issue 16
        Binding("e", "replay_end", "End of replay", id="replay_end"),  # only while replaying
    ]

    # The log screen leaves notifications and panel updates to the app's own stream.
    owns_live_trace = True

    def __init__(
        self,
        settings: Settings,
        backend_factory: BackendFactory = open_backend,
        clock: Clock | None = None,
        game_date: date | None = None,
        log_source_factory: LogSourceFactory = open_log_source,
        timers: SetTimer | None = None,
        land_check: str | None = None,
        land_drill: bool = False,
    ) -> None:
        """`timers`: what arms the checks' refresh timers (Textual's `set_timer`; a test
        passes timers it fires by hand, as it passes a clock it moves by hand). `land_check`
        (and `land_drill`): where an alert's link lands, `--check ID [--drill]` (issue 26)."""
        freeze_startup_heap()
        super().__init__()
        self.settings = settings
        self.backend_factory = backend_factory
        self.log_source_factory = log_source_factory
        self.clock: Clock = clock or SystemClock()
        self.paused = False
        # What the terminal must be told once the screen is gone (an interrupted playbook run:
        # its id and how to resume it); `nba-console` prints these after the app exits.
        self.exit_notes: list[str] = []
        self._backend: Backend | None = None
        self._backend_lock = threading.Lock()
        self._replay_ended = False
        self.dates = DateNavigator(settings, self.clock, game_date)
        self.check_workers = CheckWorkers(self, settings, self.backend, self.report_worker_error)
        self.scheduler = RefreshScheduler(SPECS, settings, self._start, timers or self.set_timer, self._blocked)
        self.live_feeds = LiveFeeds(self, settings, self.clock, log_source_factory, self.backend)
        self.notices = Notices(self, ring=settings.tui.bell)
        self.theme_memory = ThemeMemory(self, settings)
        self.landing = Landing(self, self.open_detail, land_check if land_check in SPEC_BY_ID else None, land_drill)
        self.team = TeamView(self, settings, self.clock, lambda: self.game_date, lambda: self.backend().deploy_state())

    # ------------------------------------------------------------------ setup

    def get_default_screen(self) -> Screen[Any]:
        from console.tui.screens.main_screen import MainScreen

        return MainScreen()

    def on_mount(self) -> None:
        if self.settings.keys:
            self.set_keymap(self.settings.keys)
        themes.register(self)  # before the saved theme is restored: it may be this one
        self.theme_memory.restore()
        # A modal closing (or any screen change) lets the checks held under it run.
        self.screen_change_signal.subscribe(self, lambda _screen: self.scheduler.release())
        self.set_interval(1.0, self.clock_tick)
        self.team.start()
        self.run_worker(
            partial(self.dates.first_date, self.backend), thread=True, name="bootstrap", exit_on_error=False
        )

    def on_unmount(self) -> None:
        self.scheduler.stop()
        self.team.stop()
        self.live_feeds.stop()
        if self._backend is not None:
            try:
                self._backend.close()
            except Exception:  # noqa: BLE001, S110 - closing must not mask the exit
                pass

    def backend(self) -> Backend:
        """The shared backend, opened on first use; call from a worker thread only."""
        with self._backend_lock:
            if self._backend is None:
                self._backend = self.backend_factory(self.settings)
            return self._backend

    @property
    def game_date(self) -> date | None:
        return self.dates.game_date

    @property
    def processing_date(self) -> date | None:
        return self.dates.processing_date

    @property
    def states(self) -> Mapping[str, PanelState]:
        return self.scheduler.states

    @property
    def results(self) -> dict[str, CheckResult]:
        """The results on screen (the last good ones, stale or not), for the timeline."""
        return {cid: s.result for cid, s in self.states.items() if s.result is not None}

    def context(self) -> CheckContext:
        assert self.game_date is not None
        return CheckContext(settings=self.settings, game_date=self.game_date, as_of=self.clock.now())

    def mode_labels(self) -> list[str]:
        """Badges for the header: WEB when served to a browser (`nba-console serve`), READ-ONLY when
        the safety gate is closed, so a viewer on a call can tell what this console may do."""
        labels = ["WEB"] if self.is_web else []
        if self.settings.read_only:
            labels.append("READ-ONLY")
        return labels

    # ------------------------------------------------------------------ checks

    def _start(self, spec: CheckSpec) -> None:  # the scheduler's: the state is marked running
        self.check_workers.start(spec, self.context(), self.scheduler.generation)

    def _blocked(self) -> bool:
        # A modal (help, SQL, a playbook confirmation) has the user's attention: hold refreshes.
        return self.paused or isinstance(self.screen, ModalScreen) or self.game_date is None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name == "bootstrap":
            if event.state is WorkerState.SUCCESS and isinstance(worker.result, date):
                self.dates.game_date = self.dates.default_date = worker.result
                self._new_date()
                self.landing.land()
                self.run_worker(
                    partial(self.dates.find_range, self.backend),
                    thread=True,
                    name="date range",
                    group="date-range",
                    exit_on_error=False,
                )
            elif event.state is WorkerState.ERROR:
                self.report_worker_error(worker)
        elif worker.group == "date-range" and event.state is WorkerState.SUCCESS:
            self.dates.range_found(worker.result)
        elif (ended := self.check_workers.ended(event)) is not None:
            if ended.generation != self.scheduler.generation:
                return  # a result for a game date no longer shown
            self.apply_result(ended.check_id, ended.result)
            self.scheduler.finished(ended.check_id, ended.generation)
            self.redraw()
            if not self.scheduler.running:
                self.landing.round_done()

    def report_worker_error(self, worker: Worker[Any]) -> None:
        """The one place an unexpected worker failure surfaces: a log line and a notification."""
        log.error(f"worker {worker.name} failed: {worker.error!r}")
        self.notify(
            f"{worker.name}: {type(worker.error).__name__}: {worker.error}",
            title="internal error",
            severity="error",
            timeout=10,
        )

    # ------------------------------------------------------------------ results

    def apply_result(self, check_id: str, result: CheckResult, announce: bool = True) -> None:
        """Every result reaches its panel here; a change of status raises one notification
        (and the bell with `tui.bell`). The first result of a date is not a change."""
        state = self.states[check_id]
        before = _status_of(state)
        state.apply(result, self.clock.now())
        if announce:
            self.notices.status_changed(state.title, before, _status_of(state))

    def update_result(self, check_id: str, result: CheckResult, game_date: date | None = None) -> None:
        """Feed a fresher result to a panel (from any thread), e.g. from a live log stream."""
        self.post_message(ResultPushed(check_id, result, game_date))

    def push_check_result(self, result: CheckResult) -> None:
        self.update_result(result.id, result, self.game_date)

    def on_result_pushed(self, message: ResultPushed) -> None:
        if message.check_id not in self.states or (message.game_date and message.game_date != self.game_date):
            return
        self.apply_result(message.check_id, message.result)
        self.redraw()

    def on_live_trace_updated(self, message: LiveTraceUpdated) -> None:
        update = message.update
        if message.generation != self.scheduler.generation:
            return  # the user moved to another date meanwhile
        for alert in update.alerts:  # not again when the user comes back to the date
            self.notices.alert(self.game_date, alert.message, title=message.title)
        if message.result is not None:
            # A violation was just announced above: the status change is not told twice.
            self.apply_result(message.result.id, message.result, announce=not update.alerts)
            self.redraw()

    def on_playbook_finished(self, message: PlaybookFinished) -> None:
        self.refresh_now(message.affected_check_ids)

    # ------------------------------------------------------------------ drawing

    def clock_tick(self) -> None:
        """Every second: the header's clock and the ages move; the replay may have ended."""
        ended = isinstance(self.clock, ReplayClock) and self.clock.finished
        if ended != self._replay_ended:  # `e` leaves the footer, the header says ENDED
            self._replay_ended = ended
            self.refresh_bindings()
        self.redraw()

    def redraw(self) -> None:
        from console.tui.screens.main_screen import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.redraw()

    # ------------------------------------------------------------------ dates

    def _new_date(self) -> None:
        """The first date, or another: every check now (paused or not), and the live feeds."""
        assert self.game_date is not None
        self.scheduler.start_round()
        self.live_feeds.start(self.game_date, self.scheduler.generation)
        self.team.refresh()  # the new date's notes
        self.redraw()

    def show_date(self, target: date) -> None:
        """Show another game date (the one place `[` `]` `g` `t` change it)."""
        if self.dates.move_to(target):
            self._new_date()

    def change_date(self, days: int) -> None:
        if self.game_date is None:
            return
        target = self.game_date + timedelta(days=days)
        if refusal := self.dates.refusal(target):  # `[` `]` stop at the data's edges
            self.notify(refusal, severity="warning")
            return
        self.show_date(target)

    def goto_date(self) -> None:
        if self.game_date is None:
            return
        from console.tui.screens.goto_modal import GotoDateModal

        def chosen(day: date | None) -> None:
            if day is not None:
                self.show_date(day)

        today = self.clock.now().astimezone(self.settings.tz).date()
        self.push_screen(GotoDateModal(self.game_date, today, self.dates.range), chosen)

    def show_default_date(self) -> None:
        if self.dates.default_date is not None:
            self.show_date(self.dates.default_date)

    # ------------------------------------------------------------------ actions

    def refresh_now(self, check_ids: tuple[str, ...] | list[str]) -> None:
        """Run these checks now, paused or not (one already running runs again when it ends)."""
        if self.game_date is None:
            return
        self.scheduler.run_now(check_ids)
        self.redraw()

    def action_refresh(self) -> None:
        # Once, paused or not (as in k9s and htop); pausing holds only the automatic refresh.
        self.refresh_now([spec.id for spec in SPECS])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "replay_end":  # shown and usable only on the demo's replay clock
            return isinstance(self.clock, ReplayClock) and not self.clock.finished
        return True

    def action_replay_end(self) -> None:
        """Jump the demo's replay to 11:00 ET: every panel shows the finished morning."""
        if isinstance(self.clock, ReplayClock):
            self.clock.jump_to_end()
            self.refresh_bindings()
            self.action_refresh()

    def moment_keys(self) -> tuple[str, ...]:
        """The keys that matter now, which the footer never cuts (issue 28): `e` while the
        demo replays (its 4 minutes can be skipped), `r` when a panel is stale or refresh paused."""
        keys = []
        if isinstance(self.clock, ReplayClock) and not self.clock.finished:
            keys.append("replay_end")
        if self.paused or any(state.display_status == STALE for state in self.states.values()):
            keys.append("refresh")
        return tuple(keys)

    def describe_binding(self, binding: Binding) -> str | None:
        """A key's description as it stands now: `p` resumes while paused."""
        if binding.id == "pause" and self.paused:
            return "Resume refresh"
        return None

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.refresh_bindings()  # the footer says "Resume refresh" now, and puts `r` first
        self.notify("auto-refresh paused" if self.paused else "auto-refresh resumed")
        if not self.paused:
            self.scheduler.release()  # what fell due while paused runs now
        self.redraw()

    def action_help(self) -> None:
        from console.tui.screens.help_screen import HelpScreen

        self._open(HelpScreen, "help", HelpScreen)

    def open_detail(self, check_id: str) -> None:
        from console.tui.screens.detail_screen import DetailScreen

        if self.game_date is None:
            return
        self.push_screen(DetailScreen(SPEC_BY_ID[check_id], self.context(), self.states[check_id]))

    def _open(self, kind: type[Screen[Any]], what: str, make: Callable[[], Screen[Any]]) -> None:
        """A top-level screen (help, history, logs, playbooks): it replaces whatever is above
        the main screen, so one escape always leads home (issue 28: `h` `l` `h` `P` `h` took
        five)."""
        if isinstance(self.screen, kind):  # `l` on the log screen: already there, never a second one
            return
        if busy := self._running_playbook():
            busy.notify("a playbook run is in progress: answer or decline its step first", severity="warning")
            return
        try:
            screen = make()
        except Exception as exc:  # noqa: BLE001 - a screen that cannot be built: say so, keep running
            self.notify(f"cannot open {what}: {exc}", severity="error")
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen)

    def _running_playbook(self) -> Screen[Any] | None:
        """The playbooks screen whose run waits for answers: it must not be popped from under it."""
        from console.tui.screens.playbooks_screen import PlaybooksScreen

        return next((s for s in self.screen_stack if isinstance(s, PlaybooksScreen) and s.running), None)

    def _looked_at(self) -> tuple[CheckSpec, PanelState] | None:
        """The check being looked at: the drill-down on screen, else the focused panel."""
        from console.tui.screens.detail_screen import DetailScreen
        from console.tui.widgets.check_panel import CheckPanel

        if isinstance(self.screen, DetailScreen):
            return self.screen.spec, self.screen.state
        if isinstance(self.focused, CheckPanel) and self.focused.check_id in self.states:
            return SPEC_BY_ID[self.focused.check_id], self.states[self.focused.check_id]
        return None

    def action_playbooks(self) -> None:
        """The playbooks, opened on what the check being looked at calls for (the watch's and
        the drill-down's rule), with its parameters prefilled from that check's state. The
        screen gets the backend provider: the backend is opened in its workers, never here."""
        from console.playbook.suggest import suggestion
        from console.tui.screens.playbooks_screen import PlaybooksScreen

        looked_at = self._looked_at()
        suggested, prefill, why = None, {}, None
        if looked_at is not None:
            spec, state = looked_at
            hint = suggestion(spec, state.result, self.settings)
            suggested, prefill = hint.playbook, hint.params
            why = (
                f"{spec.title}: suggests {suggested} ({hint.why})"
                if suggested
                else f"{spec.title}: no playbook suggested ({hint.why})"
            )
        self._open(
            PlaybooksScreen,
            "playbooks",
            lambda: PlaybooksScreen(self.settings, self.backend, suggested=suggested, prefill=prefill, why=why),
        )

    def action_logs(self) -> None:
        """The live log screen; its source is opened in the screen's worker (on gcp that finds
        credentials and opens a stream), which says "opening…" meanwhile."""
        from console.tui.screens.logs_screen import LogsScreen

        opener = partial(self.log_source_factory, self.settings, self.clock)
        self._open(
            LogsScreen,  # already there: no second screen, no second stream
            "live logs",
            lambda: LogsScreen(self.settings, open_source=opener, clock=self.clock, trace_day=self.processing_date),
        )

    def action_history(self) -> None:
        """Every check over the last game dates, ending at the one shown (issue 16)."""
        if self.game_date is None:
            return
        from console.tui.screens.history_screen import HistoryScreen

        end = self.game_date
        self._open(HistoryScreen, "history", lambda: HistoryScreen(end=end))


if TYPE_CHECKING:

    def _is_a_console_host(app: NbaConsoleApp) -> ConsoleHost:
        return app  # mypy proves the app offers everything screens use (console/tui/host.py)
