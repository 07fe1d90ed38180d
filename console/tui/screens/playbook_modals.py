"""The playbooks screen's modals: the exact-command confirmation, the typed name a dangerous
step asks for, and what to do after a failed step. Each answers the engine's question and
nothing else (the screen passes the answer back to the worker thread)."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from console.playbook.actions import RenderedStep

# Leaving is always possible, from any modal too: the run is cancelled on the way out
# (PlaybooksScreen.on_unmount), so quitting never waits on an unanswered question.
QUIT_KEYS = [
    Binding("ctrl+q", "app.quit", "Quit", priority=True, show=False),
    Binding("ctrl+c", "app.quit", "Quit", priority=True, show=False),
]


class ConfirmationModal(ModalScreen[bool]):
    """Shows the exact command of a step; y runs it, n or escape does not."""

    HELP_SECTION = (120, "Playbook run: confirming a step's command")  # where `?` lists its keys

    BINDINGS = [
        Binding("y", "answer(True)", "Yes, run it", id="confirm_yes"),
        Binding("n", "answer(False)", "No", id="confirm_no"),
        Binding("escape", "answer(False)", "Cancel"),
        Binding("q", "app.quit", "Quit (cancels the run)"),
        *QUIT_KEYS,
    ]
    DEFAULT_CSS = (
        "ConfirmationModal { align: center middle; } "
        "#box { width: 90%; height: auto; border: thick $warning; padding: 1 2; background: $surface; }"
    )

    def __init__(self, step: RenderedStep):
        super().__init__()
        self.step = step

    def compose(self) -> ComposeResult:
        s = self.step
        with Vertical(id="box"):
            yield Label(f"Step {s.index + 1}: {escape(s.title)}" + ("  [b red]DANGEROUS[/]" if s.dangerous else ""))
            yield Static(escape(s.why))
            yield Static(f"[b]$ {escape(s.display())}[/]", id="command")
            yield Label("Run this command? [b]y[/] yes · [b]n[/] / esc no")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class TypedNameModal(ModalScreen[str | None]):
    """A dangerous step: the operator types the target's name; escape cancels."""

    HELP_SECTION = (130, "Playbook run: typing a dangerous step's target")  # where `?` lists its keys

    BINDINGS = [Binding("escape", "cancel", "Cancel"), *QUIT_KEYS]
    DEFAULT_CSS = (
        "TypedNameModal { align: center middle; } "
        "#box { width: 80%; height: auto; border: thick $error; padding: 1 2; background: $surface; }"
    )

    def __init__(self, step: RenderedStep, note: str = ""):
        super().__init__()
        self.step, self.note = step, note

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            if self.note:
                yield Label(f"[yellow]{escape(self.note)}[/]", id="note")
            yield Label(f"[b red]Dangerous:[/] type [b]{escape(self.step.target)}[/] to run")
            yield Static(f"$ {escape(self.step.display())}")
            yield Input(placeholder=self.step.target, id="typed")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class FailureModal(ModalScreen[str]):
    HELP_SECTION = (140, "Playbook run: after a step failed")  # where `?` lists its keys
    BINDINGS = [
        Binding("r", "pick('retry')", "Retry"),
        Binding("s", "pick('skip')", "Skip"),
        Binding("a", "pick('abort')", "Abort"),
        Binding("escape", "pick('abort')", "Abort"),
        Binding("q", "app.quit", "Quit (cancels the run)"),
        *QUIT_KEYS,
    ]
    DEFAULT_CSS = (
        "FailureModal { align: center middle; } "
        "#box { width: 80%; height: auto; border: thick $error; padding: 1 2; background: $surface; }"
    )

    def __init__(self, step: RenderedStep, why: str):
        super().__init__()
        self.step, self.why = step, why

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label(f"[b red]Step {self.step.index + 1} failed:[/] {escape(self.why)}")
            yield Label("[b]r[/] retry · [b]s[/] skip · [b]a[/] abort")

    def action_pick(self, value: str) -> None:
        self.dismiss(value)
