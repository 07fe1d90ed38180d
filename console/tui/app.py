"""The console: a Textual app that keeps the six morning checks live.

Refresh model (dolphie style): one thread worker per check, started by a 1-second tick only
when its previous run has finished and its delay has passed (the refresh period, or a capped
exponential backoff after errors). Results land in PanelState (console/services/refresh.py), which
keeps the last good value when a source fails. Nothing here blocks the event loop: the
backend is opened, the default game date found and every query run inside workers.
"""

from __future__ import annotations

import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from textual import log
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from console.backends import Backend, open_backend
from console.backends.log_stream import open_log_source
from console.core.clock import Clock, ReplayClock, SystemClock
from console.core.config import Settings
from console.core.models import CheckResult, Status
from console.services.refresh import PanelState
from console.services.runner import SPEC_BY_ID, SPECS, CheckContext, CheckSpec, default_game_date, run_check
from console.services.watch import is_quiet, status_change_text
from console.tui.gc_tuning import freeze_startup_heap
from console.tui.live_feeds import LiveFeeds
from console.tui.palette import ConsoleCommands
from console.tui.shell import ConsoleShell

BackendFactory = Callable[[Settings], Backend]
LogSourceFactory = Callable[..., object]


def _status_of(state: PanelState) -> str | None:
    """The status a panel stands for: its source's error, else its result's; None before any."""
    if state.error is not None:
        return Status.ERROR.value
    return state.result.status.value if state.result is not None else None


@dataclass(frozen=True)
class _Job:
    check_id: str
    generation: int


class NbaConsoleApp(ConsoleShell, LiveFeeds, App):
    CSS_PATH = "app.tcss"
    TITLE = "nba-console"
    COMMANDS = App.COMMANDS | {ConsoleCommands}

    # Ids make them remappable: `[keys]` in the config maps id -> key (App.set_keymap).
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("p", "toggle_pause", "Pause refresh", id="pause"),
        Binding("question_mark", "help", "Keys", id="help"),
        Binding("P", "playbooks", "Playbooks", id="playbooks"),
        Binding("l", "logs", "Logs", id="logs"),
        Binding("h", "history", "History", id="history"),  # issue 16
        Binding("e", "replay_end", "End of replay", id="replay_end"),  # only while replaying
    ]

    class ResultPushed(Message):
        """A fresher result from elsewhere (e.g. a live log stream); safe to post from a thread."""

        def __init__(self, check_id: str, result: CheckResult, game_date: date | None = None) -> None:
            super().__init__()
            self.check_id, self.result, self.game_date = check_id, result, game_date

    def __init__(
        self,
        settings: Settings,
        backend_factory: BackendFactory = open_backend,
        clock: Clock | None = None,
        game_date: date | None = None,
        log_source_factory: LogSourceFactory = open_log_source,
    ) -> None:
        freeze_startup_heap()
        super().__init__()
        self.settings = settings
        self.backend_factory = backend_factory
        self.log_source_factory = log_source_factory
        self.clock: Clock = clock or SystemClock()
        self.game_date: date | None = game_date
        self.paused = False
        self.generation = 0
        self.states: dict[str, PanelState] = {}
        self._due: dict[str, float] = {}
        self._jobs: dict[Worker, _Job] = {}
        self._backend: Backend | None = None
        self._backend_lock = threading.Lock()
        self._init_live_feeds()
        self._reset_states()
        self._init_shell()

    # ------------------------------------------------------------------ setup

    def get_default_screen(self) -> Screen:
        from console.tui.screens.main_screen import MainScreen

        return MainScreen()

    def on_mount(self) -> None:
        if self.settings.keys:
            self.set_keymap(self.settings.keys)
        if self.settings.tui.theme in self.available_themes:
            self.theme = self.settings.tui.theme
        self.restore_theme()
        self.set_interval(1.0, self.tick)
        self.run_worker(self._bootstrap, thread=True, name="bootstrap", exit_on_error=False)

    def on_unmount(self) -> None:
        self.stop_live_feeds()
        if self._backend is not None:
            try:
                self._backend.close()
            except Exception:  # noqa: BLE001 - closing must not mask the exit
                pass

    def backend(self) -> Backend:
        """The shared backend, opened on first use; call from a worker thread only."""
        with self._backend_lock:
            if self._backend is None:
                self._backend = self.backend_factory(self.settings)
            return self._backend

    def _bootstrap(self) -> date:
        if self.game_date is not None:
            return self.game_date
        now = self.clock.now()
        try:
            return default_game_date(self.backend(), self.settings, now)
        except Exception as exc:  # noqa: BLE001 - no data yet: yesterday, and the panels say why
            log.warning(f"default game date: {exc}")
            return now.astimezone(self.settings.tz).date() - timedelta(days=1)

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

    @property
    def processing_date(self) -> date | None:
        return self.game_date + self.settings.processing_offset if self.game_date else None

    # ------------------------------------------------------------------ refresh loop

    def _reset_states(self) -> None:
        self.states = {s.id: PanelState(s.id, s.title) for s in SPECS}
        self._due = {s.id: 0.0 for s in SPECS}

    @property
    def refresh_blocked(self) -> bool:
        # A modal (help, SQL, a playbook confirmation) has the user's attention: hold refreshes.
        return self.paused or isinstance(self.screen, ModalScreen) or self.game_date is None

    def tick(self) -> None:
        """Start every check that is due and idle; redraw ages from the injected clock."""
        if not self.refresh_blocked:
            now = _time.monotonic()
            for spec in SPECS:
                state = self.states[spec.id]
                if not state.running and now >= self._due[spec.id]:
                    self._start(spec)
        self.check_replay_end()
        self.redraw()

    def _start(self, spec: CheckSpec) -> None:
        self.states[spec.id].running = True
        worker = self.run_worker(
            partial(self._check_job, spec, self.context()),
            thread=True,
            name=f"check:{spec.id}",
            group="checks",
            exit_on_error=False,
        )
        self._jobs[worker] = _Job(spec.id, self.generation)

    def _check_job(self, spec: CheckSpec, ctx: CheckContext) -> CheckResult:
        try:
            backend = self.backend()
        except Exception as exc:  # noqa: BLE001 - cannot even open the source: an error result
            message = f"cannot open the {self.settings.backend} backend: {exc}"
            return CheckResult(id=spec.id, title=spec.title, status=Status.ERROR, summary=message, error=message)
        with backend.holding():  # the checks running at once share one DuckDB connection
            return run_check(spec, backend, ctx)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name == "bootstrap":
            if event.state is WorkerState.SUCCESS:
                self.game_date = worker.result
                self.tick()
                self.start_live_feeds()
                self.start_date_range()
            elif event.state is WorkerState.ERROR:
                self.report_worker_error(worker)
            return
        job = self._jobs.get(worker)
        if job is None or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        del self._jobs[worker]
        if job.generation != self.generation:
            return  # a result for a game date no longer shown
        if event.state is WorkerState.SUCCESS:
            result = worker.result
        else:
            # run_check never raises, so this is a bug in the app itself; keep it on the panel.
            message = f"{type(worker.error).__name__}: {worker.error}" if worker.error else "cancelled"
            result = CheckResult(
                id=job.check_id,
                title=SPEC_BY_ID[job.check_id].title,
                status=Status.ERROR,
                summary=message,
                error=message,
            )
            if event.state is WorkerState.ERROR:
                self.report_worker_error(worker)
        self._finish(job.check_id, result)

    def _finish(self, check_id: str, result: CheckResult) -> None:
        state = self.states[check_id]
        state.running = False
        self.apply_result(check_id, result)
        tui = self.settings.tui
        delay = state.next_delay(self.settings.refresh_seconds, tui.retry_base_seconds, tui.retry_max_seconds)
        self._due[check_id] = _time.monotonic() + delay
        self.rerun_if_asked(check_id)
        self.redraw()

    def report_worker_error(self, worker: Worker) -> None:
        """The one place an unexpected worker failure surfaces: a log line and a notification."""
        log.error(f"worker {worker.name} failed: {worker.error!r}")
        self.notify(
            f"{worker.name}: {type(worker.error).__name__}: {worker.error}",
            title="internal error",
            severity="error",
            timeout=10,
        )

    def update_result(self, check_id: str, result: CheckResult, game_date: date | None = None) -> None:
        """Feed a fresher result to a panel (from any thread), e.g. from a live log stream."""
        self.post_message(self.ResultPushed(check_id, result, game_date))

    def on_nba_console_app_result_pushed(self, message: ResultPushed) -> None:
        if message.check_id not in self.states or (message.game_date and message.game_date != self.game_date):
            return
        self.apply_result(message.check_id, message.result)
        self.redraw()

    def apply_result(self, check_id: str, result: CheckResult, announce: bool = True) -> None:
        """Every result reaches its panel here; a change of status raises one notification
        (and the bell with `tui.bell`). The first result of a date is not a change."""
        state = self.states[check_id]
        before = _status_of(state)
        state.apply(result, self.clock.now())
        text = status_change_text(state.title, before, _status_of(state)) if announce else None
        if text:
            after = _status_of(state)
            severity = "information" if is_quiet(after) else "warning" if after == Status.WARN.value else "error"
            self.notify(text, title="Status change", severity=severity, timeout=15)
            if self.settings.tui.bell:
                self.bell()

    def push_check_result(self, result: CheckResult) -> None:
        self.update_result(result.id, result, self.game_date)

    def redraw(self) -> None:
        from console.tui.screens.main_screen import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.redraw()

    @property
    def results(self) -> dict[str, CheckResult]:
        """The results on screen (the last good ones, stale or not), for the timeline."""
        return {cid: s.result for cid, s in self.states.items() if s.result is not None}

    # ------------------------------------------------------------------ actions

    def action_refresh(self) -> None:
        # Once, paused or not (as in k9s and htop); pausing holds only the automatic refresh.
        self.refresh_once(list(self._due))

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

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.notify("auto-refresh paused" if self.paused else "auto-refresh resumed")
        self.redraw()

    def change_date(self, days: int) -> None:
        if self.game_date is None:
            return
        target = self.game_date + timedelta(days=days)
        if refusal := self.date_refusal(target):  # `[` `]` stop at the data's edges
            self.notify(refusal, severity="warning")
            return
        self.show_date(target)

    def action_help(self) -> None:
        from console.tui.screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def open_detail(self, check_id: str) -> None:
        from console.tui.screens.detail_screen import DetailScreen

        if self.game_date is None:
            return
        self.push_screen(DetailScreen(SPEC_BY_ID[check_id], self.context(), self.states[check_id]))

    def _open(self, screen: type[Screen], what: str, *args, **kwargs) -> None:
        if isinstance(self.screen, screen):  # `l` on the log screen: already there, never a second one
            return
        try:
            self.push_screen(screen(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - e.g. the backend cannot be opened: say so, keep running
            self.notify(f"cannot open {what}: {exc}", severity="error")

    def action_playbooks(self) -> None:
        # Suggest what the state of the check being looked at (detail screen or focused panel)
        # calls for, with its parameters prefilled from that state.
        from console.playbook.suggest import suggestion

        spec_id = getattr(getattr(self.screen, "spec", None), "id", None) or getattr(self.focused, "check_id", None)
        spec = SPEC_BY_ID.get(spec_id) if spec_id else None
        state = getattr(self.screen, "state", None) or (self.states.get(spec.id) if spec else None)
        result = getattr(state, "result", None)
        hint = suggestion(spec, result, self.settings) if spec else None  # the watch's and drill-down's rule
        suggested = hint.playbook if hint else None
        why = (
            f"{spec.title}: suggests {suggested} ({hint.why})"
            if hint and suggested
            else (f"{spec.title}: no playbook suggested ({hint.why})" if hint else None)
        )
        # Opening the local backend does no I/O; a gcp client is created lazily by its calls.
        from console.tui.screens.playbooks_screen import PlaybooksScreen

        self._open(
            PlaybooksScreen,
            "playbooks",
            self.settings,
            self.backend(),
            suggested=suggested,
            prefill=hint.params if hint else {},
            why=why,
        )

    def action_logs(self) -> None:
        from console.tui.screens.logs_screen import LogsScreen

        if isinstance(self.screen, LogsScreen):  # already here: no second screen, no second stream
            return
        try:
            source = self.log_source_factory(self.settings, self.clock)
        except Exception as exc:  # noqa: BLE001 - a source that cannot be opened: say so, keep running
            self.notify(f"cannot open live logs: {exc}", severity="error")
            return
        self._open(LogsScreen, "live logs", self.settings, source, clock=self.clock, trace_day=self.processing_date)

    def action_history(self) -> None:
        """Every check over the last game dates, ending at the one shown (issue 16)."""
        if self.game_date is None:
            return
        from console.tui.screens.history_screen import HistoryScreen

        self._open(HistoryScreen, "history", end=self.game_date)
