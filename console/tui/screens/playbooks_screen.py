"""The playbooks screen: list, steps with exact commands, run with confirmations, live output.

Thin: the engine (console.playbook) does the work in a worker thread; this screen only
answers its callbacks with modals and shows what it reports. Read-only shows, never runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from functools import partial
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, RichLog, Static
from textual.widgets.option_list import Option

from console.core import safety
from console.core.backend import Backend
from console.core.clock import ReplayClock
from console.core.config import Settings
from console.playbook import model
from console.playbook.engine import Callbacks, Cancelled, Decision, Runner, dry_run
from console.playbook.executors import make_executor
from console.playbook.lock import LockHeld, StepStillRunning
from console.playbook.suggest import current_flags, flag_targets
from console.tui.messages import PlaybookFinished
from console.tui.screens.playbook_modals import ConfirmationModal, FailureModal, TypedNameModal
from console.tui.widgets.console_footer import ConsoleFooter


def deploy_clock(app):
    """When a local deploy happens: in the demo's replayed morning (its panels judge as of
    that clock, so a redeploy shows there); otherwise the wall clock (a console frozen with
    `--at` looks at the past: a deploy now must not rewrite it)."""
    clock = getattr(app, "clock", None)
    return clock.now if isinstance(clock, ReplayClock) else None


class PlaybooksScreen(Screen):
    HELP_SECTION = (110, "Playbooks (P): the list and the form")  # where `?` lists its keys
    BINDINGS = [
        Binding("r", "run", "Run", id="playbook_run"),
        Binding("d", "dry_run", "Dry run", id="playbook_dry_run"),
        Binding("escape", "back", "Back"),
        Binding("ctrl+c", "app.quit", "Quit", priority=True, show=False),
    ]
    DEFAULT_CSS = """
    PlaybooksScreen #banner { background: $warning; color: $text; padding: 0 1; }
    PlaybooksScreen #books { width: 34; }
    PlaybooksScreen #why { height: auto; padding: 0 1; color: $text-muted; }
    PlaybooksScreen #form { height: auto; padding: 0 1; }
    PlaybooksScreen .param-row { height: 1; }
    PlaybooksScreen .param-label { width: auto; min-width: 9; padding-right: 1; text-style: bold; }
    PlaybooksScreen .param-field { width: 1fr; }
    PlaybooksScreen .param-note { height: auto; padding-left: 10; }
    PlaybooksScreen #flags { height: auto; padding: 0 1; }
    PlaybooksScreen #detail { height: 2fr; }
    PlaybooksScreen #output { height: 1fr; min-height: 4; max-height: 12; border: round $primary; }
    """

    def __init__(
        self,
        settings: Settings,
        backend: Callable[[], Backend] | None,
        suggested: str | None = None,
        prefill: dict[str, str] | None = None,
        why: str | None = None,
    ):
        """`backend`: what gives the backend (the console's shared one, opened on first use);
        called in this screen's workers only, so opening it (gcp clients, credentials) never
        holds the UI. `suggested`: the playbook to open on; `prefill`: parameter values the
        focused panel's state gives (drift: the worst service, the head commit); `why`: the reason."""
        super().__init__()
        self.settings, self.backend_provider, self.suggested = settings, backend, suggested
        self.values: dict[str, str] = dict(prefill or {})  # typed values, kept across playbooks
        self.why = why
        self.flag_lines: dict[str, list[str] | str] = {}  # playbook -> current values (or why unknown)
        self.books: dict[str, model.Playbook] = {}
        self.load_error: str | None = None
        try:
            self.books = model.load_all()
        except model.PlaybookError as exc:  # a broken file must not take the console down
            self.load_error = str(exc)
        # Only what the evidence suggests is preselected: with no suggestion nothing is (issue
        # 28: `P` on a healthy panel had the dangerous first playbook of the list ready to run).
        self.current: str | None = suggested if suggested in self.books else None
        self.step_status: dict[int, str] = {}
        self.running = False
        self.runner: Runner | None = None
        self.last_run_id: str | None = None
        self._worker_done = threading.Event()
        self._worker_done.set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def compose(self) -> ComposeResult:
        if not safety.is_writable(self.settings):
            yield Static("READ-ONLY: playbooks can be shown but not run", id="banner")
        # Eye order is Tab order: the list, the parameters, the plan, Run, the output.
        with Horizontal():
            yield OptionList(*[Option(f"{n}", id=n) for n in self.books], id="books")
            with Vertical():
                if self.why:  # why this playbook (or none) was suggested, from the panel's state
                    yield Static(Text(self.why, style="italic"), id="why")
                yield Vertical(id="form")
                yield Static(id="flags")
                with VerticalScroll(id="detail"):
                    yield Static(id="plan")
                writable = safety.is_writable(self.settings)
                # Read-only: the button says so in words and is not drawn as one that acts
                # (issue 28: a disabled warning button still looked ready to press).
                yield Button(
                    "Run (r)" if writable else "Run: not in read-only mode",
                    id="run",
                    variant="warning" if writable else "default",
                    compact=True,
                    disabled=not writable,
                )
                yield RichLog(id="output", markup=True, wrap=True)
        yield ConsoleFooter()

    async def on_mount(self) -> None:
        books = self.query_one("#books", OptionList)
        # OptionList highlights its first option when built: nothing is, unless suggested.
        books.highlighted = list(self.books).index(self.current) if self.current else None
        if self.load_error:
            self.query_one("#output", RichLog).write(f"[red]{escape(self.load_error)}[/]")
        await self._build_form()
        self._render_plan()
        self.call_after_refresh(self._focus_first)

    def _focus_first(self) -> None:
        """Where the user types or moves first: the first field to fill, else the list."""
        fields = list(self.query(".param-field").results(Input))
        empty = [f for f in fields if not f.value]
        first: Widget = (empty or fields)[0] if fields else self.query_one("#books", OptionList)
        first.focus()

    @on(OptionList.OptionHighlighted, "#books")
    async def _pick(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.highlighted != event.option_index:
            return  # the list's own first highlight, taken back in on_mount
        if not self.running and event.option.id != self.current:
            self.current = event.option.id
            self.step_status = {}
            await self._build_form()
        self._render_plan()

    # ---------------------------------------------------------------- the parameter form

    async def _build_form(self) -> None:
        """One labelled field per parameter of the current playbook, checked as typed."""
        form = self.query_one("#form", Vertical)
        await form.remove_children()
        book = self.books.get(self.current or "")
        rows: list[Widget] = []
        for name, spec in (book.params if book else {}).items():
            value = self.values.get(name, spec.default or "")
            rows.append(
                Horizontal(
                    Label(f"{name}", classes="param-label"),
                    Input(
                        value=value,
                        placeholder=spec.description or spec.type,
                        compact=True,
                        id=f"param-{name}",
                        classes="param-field",
                    ),
                    classes="param-row",
                )
            )
            rows.append(Static(self._note(name, value), id=f"note-{name}", classes="param-note"))
        if rows:
            await form.mount_all(rows)
        form.display = bool(rows)
        self._show_flags()

    def _note(self, name: str, value: str) -> Text:
        book = self.books.get(self.current or "")
        spec = book.params.get(name) if book else None
        if spec is None:
            return Text("")
        if not value.strip():
            return Text(f"required: {spec.description or spec.type}", style="yellow")
        try:
            spec.validate_value(self.settings, value.strip())  # the engine's own validators
        except ValueError as exc:
            return Text(f"✘ {exc}", style="bold red")
        return Text("✔", style="green")

    @on(Input.Changed, ".param-field")
    def _param_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("param-")
        self.values[name] = event.value.strip()
        self.query_one(f"#note-{name}", Static).update(self._note(name, event.value))
        self._render_plan()

    @on(Input.Submitted, ".param-field")
    def _param_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one, to Run (a second enter runs)."""
        fields = list(self.query(".param-field").results(Input))
        at = fields.index(event.input)
        (fields[at + 1] if at + 1 < len(fields) else self.query_one("#run", Button)).focus()

    def _params(self) -> dict[str, str]:
        book = self.books.get(self.current or "")
        return {k: v for k, v in self.values.items() if book and k in book.params and v}

    def _show_flags(self) -> None:
        """Beside an enable/disable playbook: the flag's current value, read from the deploy state."""
        book = self.books.get(self.current or "")
        target = self.query_one("#flags", Static)
        if book is None or not flag_targets(book):
            target.display = False
            return
        target.display = True
        known = self.flag_lines.get(book.name)
        if known is None:
            target.update(Text("current value: reading the deploy state…", style="dim"))
            self._read_flags(book.name)
        elif isinstance(known, str):
            target.update(Text(f"current value unknown: {known}", style="yellow"))
        else:
            target.update(Text("\n".join(known), style="bold"))

    @work(thread=True, group="flags", exit_on_error=False)
    def _read_flags(self, name: str) -> None:
        book = self.books[name]
        try:
            backend = self._backend()
            if backend is None:
                raise RuntimeError("no backend")
            lines: list[str] | str = current_flags(book, backend.deploy_state())
        except Exception as exc:  # noqa: BLE001 - an unreadable deploy state is said, never a guess
            lines = f"cannot read the deploy state: {type(exc).__name__}: {exc}"
        self.app.call_from_thread(self._flags_read, name, lines)

    def _backend(self) -> Backend | None:
        """In a worker: the backend (None: the screen was given none)."""
        return self.backend_provider() if self.backend_provider is not None else None

    def _flags_read(self, name: str, lines: list[str] | str) -> None:
        self.flag_lines[name] = lines
        if self.is_attached and name == self.current:
            self._show_flags()

    def _render_plan(self) -> None:
        plan_widget = self.query_one("#plan", Static)
        book = self.books.get(self.current or "")
        if book is None:
            plan_widget.update("pick a playbook in the list (↑ ↓)" if self.books else "no playbooks")
            return
        lines = [f"[b]{escape(book.title)}[/]", escape(book.why), ""]
        try:
            plan = book.render(self.settings, self._params())
        except model.PlaybookError as exc:
            lines.append(f"[yellow]{escape(str(exc))}[/]")
            for i, step in enumerate(book.steps):
                lines.append(f"{i + 1}. {escape(step.title)}")
        else:
            marks = {"ok": "[green]✔[/]", "failed": "[red]✘[/]", "running": "[yellow]…[/]", "skipped": "[dim]↷[/]"}
            for s in plan:
                mark = marks.get(self.step_status.get(s.index, ""), " ")
                lines.append(
                    f"{mark} {s.index + 1}. {escape(s.title)}" + ("  [b red]dangerous[/]" if s.dangerous else "")
                )
                lines.append(f"     [b]$ {escape(s.display())}[/]")
                lines.append(f"     [dim]verify: {escape(s.verification)}[/]")
        plan_widget.update("\n".join(lines))

    # ---------------------------------------------------------------- running

    @on(Button.Pressed, "#run")
    def _run_pressed(self) -> None:
        self.action_run()

    def action_run(self) -> None:
        log = self.query_one("#output", RichLog)
        if not safety.is_writable(self.settings):
            log.write("[yellow]read-only mode: playbooks cannot be run[/]")
            self.notify("read-only mode: playbooks cannot be run", severity="warning")
            return
        if self.running or not self.current:
            return
        self.running = True
        self.step_status = {}
        self.query_one("#run", Button).disabled = True
        self._loop = asyncio.get_running_loop()
        self._app_context = contextvars.copy_context()  # the app's context (active_app), for _ui
        self._worker_done.clear()
        self.runner = None
        for sig in (signal.SIGTERM, signal.SIGHUP):  # end the run cleanly, then the app
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                self._loop.add_signal_handler(sig, self._quit_on_signal)
        self._run_worker(self.current, self._params() if self.books[self.current].params else {})

    def action_dry_run(self) -> None:
        """The real run's read-only pre-flight, without lock or audit (read-only mode too):
        what the run would refuse is refused here, with the same message."""
        if not self.running and self.current in self.books:
            book = self.books[self.current]
            self._dry_run_worker(book.name, self._params() if book.params else {})

    @work(thread=True, exclusive=True, group="playbook-dry-run", exit_on_error=False)
    def _dry_run_worker(self, name: str, params: dict[str, str]) -> None:
        lines = [f"[b]dry run of {escape(name)}[/]: nothing is changed"]
        try:
            dry = dry_run(self.books[name], self.settings, params, backend=self._backend())
        except model.PlaybookError as exc:
            lines.append(f"[red]refused: {escape(str(exc))}[/]")
        except Exception as exc:  # noqa: BLE001 - nothing from outside may crash the app
            lines.append(f"[red]dry run failed: {type(exc).__name__}: {escape(str(exc))}[/]")
        else:
            lines += [_preflight_line(c) for c in dry.checks]
            lines.append(
                f"[red]refused: {escape(dry.refusal)}[/]"
                if dry.refusal
                else f"[green]pre-flight holds: the run would start ({len(dry.plan)} step(s), each confirmed)[/]"
            )
        self.app.call_from_thread(self._write_lines, lines)

    def _write_lines(self, lines: list[str]) -> None:
        if self.is_attached:
            log = self.query_one("#output", RichLog)
            for line in lines:
                log.write(line)

    def action_back(self) -> None:
        if self.running:  # leaving the screen would leave the run's questions nowhere to go
            self.notify(
                "a playbook run is in progress: answer or decline its step (quitting cancels it)", severity="warning"
            )
            return
        self.app.pop_screen()

    def _quit_on_signal(self) -> None:
        if self.runner is not None:
            self.runner.cancel()
        self.app.exit()

    def on_unmount(self) -> None:
        """Leaving (quit, a signal, the app closing) cancels the run: the worker terminates
        the step's group, audits `interrupted` and releases the lock before the process ends."""
        if self.runner is not None:
            self.runner.cancel()
        self._worker_done.wait(timeout=1.8)

    def _ask(self, modal: ModalScreen) -> Any:
        """From the worker thread: show a modal and wait for its answer, or for a cancel."""
        answer: Future = Future()
        self._ui(self.app.push_screen, modal, answer.set_result)
        while True:
            if self.runner is not None and self.runner.cancelled.is_set():
                raise Cancelled("the console is closing")
            try:
                return answer.result(timeout=0.1)
            except FutureTimeout:
                continue

    def _ui(self, fn, *args) -> None:
        """From the worker thread, without waiting: a closing app must never block the run's clean-up."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return

        def call() -> None:
            if self.is_attached:  # after an unmount (quitting) there is nothing left to update
                fn(*args)

        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(call, context=self._app_context.copy())

    @work(thread=True, exclusive=True, group="playbook-run")
    def _run_worker(self, name: str, params: dict[str, str]) -> None:
        log = self.query_one("#output", RichLog)

        def on_event(event: str, data: dict) -> None:
            if event == "preflight":
                for c in data["checks"]:
                    self._ui(log.write, _preflight_line(c))
            elif event == "step_start":
                self.step_status[data["step"].index] = "running"
                self._ui(log.write, f"[b]$ {escape(data['step'].display())}[/]")
                self._ui(self._render_plan)
            elif event == "step_end":
                self.step_status[data["step"].index] = "ok" if data["ok"] else "failed"
                colour = "green" if data["verified"] else "red"
                self._ui(log.write, f"[{colour}]verify: {escape(data['verification'])}[/] (exit {data['exit_code']})")
                self._ui(self._render_plan)
            elif event == "run_end":
                self.post_message(PlaybookFinished.for_playbook(name))  # the affected panels refresh at once
                self.last_run_id = data["run_id"]
                colour = {"completed": "green", "audit_failed": "b red", "preflight_failed": "red"}.get(
                    data["status"], "yellow"
                )
                self._ui(
                    log.write, f"[{colour}]run {escape(data['run_id'])}: {data['status']}[/]: {escape(data['message'])}"
                )
                if data["status"] not in ("completed", "preflight_failed"):
                    self._ui(
                        log.write, f"resume with: [b]nba-console playbook run --resume {escape(data['run_id'])}[/]"
                    )
                if data["status"] == "interrupted":
                    # Quitting (ctrl+q at a confirmation) cancels the run: the screen goes with
                    # the app, so the terminal is told after it (console/cli cmd_tui).
                    notes = getattr(self.app, "exit_notes", None)
                    if isinstance(notes, list):
                        notes.append(
                            f"playbook run {data['run_id']} interrupted: {data['message']}\n"
                            f"  resume with: nba-console playbook run --resume {data['run_id']}"
                        )
                if data["status"] == "audit_failed":
                    # _ui passes no keywords: bound first (as keywords they raised TypeError in the run).
                    told = partial(self.notify, f"AUDIT WRITE FAILED: {data['message']}", severity="error", timeout=30)
                    self._ui(told)
            elif event == "confirm_mismatch":
                self._ui(
                    log.write,
                    f"[yellow]typed {escape(data['typed'])!r}, not {escape(data['step'].target)}; "
                    f"{data['left']} tries left[/]",
                )
            elif event in ("step_reverified", "step_rerun", "notice"):
                text = data.get("message") or f"step {data['step'].index + 1}: {data['verification']}"
                self._ui(log.write, f"[dim]{escape(event)}[/] {escape(text)}")

        def on_failure(step, result, why) -> Decision:
            decision = Decision(self._ask(FailureModal(step, why)))
            if decision is Decision.SKIP:
                self.step_status[step.index] = "skipped"
            return decision

        tries: dict[int, int] = {}

        def type_target(step):
            tries[step.index] = tries.get(step.index, 0) + 1
            note = "" if tries[step.index] == 1 else f"That was not {step.target}: try again"
            return self._ask(TypedNameModal(step, note))

        callbacks = Callbacks(
            confirm=lambda step: bool(self._ask(ConfirmationModal(step))),
            type_target=type_target,
            on_failure=on_failure,
            on_line=lambda step, stream, line: self._ui(
                log.write, ("[red]! [/]" if stream == "stderr" else "  ") + escape(line)
            ),
            on_event=on_event,
        )
        try:
            backend = self._backend()
            self.runner = Runner(
                self.settings,
                backend=backend,
                callbacks=callbacks,
                executor=make_executor(self.settings, backend, deploy_clock(self.app)),
            )
            self.runner.run(name, params)
        except StepStillRunning as exc:
            self._ui(log.write, f"[red]{escape(str(exc))}[/]")
            self._ui(
                log.write,
                "wait for it with [b]nba-console playbook run --resume RUN_ID --wait[/], or run that "
                "without --wait in a terminal to terminate its process group",
            )
        except (safety.ReadOnlyError, model.PlaybookError, LockHeld) as exc:
            self._ui(log.write, f"[red]{escape(str(exc))}[/]")
        except Cancelled:
            self._ui(log.write, "[yellow]cancelled before the run started; nothing was run[/]")
        except Exception as exc:  # noqa: BLE001 - nothing from outside may crash the app
            self._ui(log.write, f"[red]run failed: {type(exc).__name__}: {escape(str(exc))}[/]")
        finally:
            self._worker_done.set()
            self._ui(self._finished)

    def _finished(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                if self._loop is not None:
                    self._loop.remove_signal_handler(sig)
        self.running = False
        self.query_one("#run", Button).disabled = not safety.is_writable(self.settings)
        self.flag_lines.clear()  # the run may have flipped a flag: read it again
        self._show_flags()
        self._render_plan()


def _preflight_line(check) -> str:
    return f"pre-flight {'[green]ok[/]' if check.ok else '[red]FAIL[/]'} {escape(check.name)}: {escape(check.detail)}"
