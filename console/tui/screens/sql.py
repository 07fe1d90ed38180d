"""The SQL behind a check, exactly as the backend sends it (or what it reads instead)."""

from __future__ import annotations

from rich.console import Group
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from ...core.runner import CheckContext, CheckSpec

# Checks that read no SQL table say what they read instead.
_SOURCES = {
    "firestore": "Firestore document phase3_completion/{processing_date}",
    "logging": "Cloud Logging entries of {analytics} on {processing_date} (Level / processor lines)",
    "deploy": "deploy state of the services and the platform repo's commit history",
}


class SqlModal(ModalScreen):
    BINDINGS = [Binding("escape,q,s", "dismiss", "Close", id="close_sql")]

    def __init__(self, spec: CheckSpec, ctx: CheckContext) -> None:
        super().__init__()
        self.spec, self.ctx = spec, ctx

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="sql-box"):
            yield Static(Text(f"{self.spec.title}: loading…"), id="sql-text")

    def on_mount(self) -> None:
        self.query_one("#sql-box").border_title = f"SQL · {self.spec.title} (escape closes)"
        self.run_worker(self._texts, thread=True, name=f"sql:{self.spec.id}", exit_on_error=False)

    def _texts(self) -> list[tuple[str, str]]:
        backend = self.app.backend()
        return [(name, backend.query_text(name)) for name in self.spec.queries]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        target = self.query_one("#sql-text", Static)
        if event.state is WorkerState.SUCCESS:
            parts = []
            for name, sql in event.worker.result:
                parts += [Text(f"-- queries/{name}.sql ({self.app.settings.backend})", style="bold"),
                          Syntax(sql, "sql", word_wrap=True, background_color="default"), Text("")]
            if not parts:
                what = _SOURCES.get(self.spec.source, self.spec.source).format(
                    processing_date=self.ctx.processing_date, analytics=self.ctx.settings.services.analytics)
                parts = [Text(f"{self.spec.title} runs no SQL: it reads {what}.")]
            target.update(Group(*parts))
        elif event.state is WorkerState.ERROR:
            target.update(Text(f"cannot render the SQL: {event.worker.error}", style="bold red"))

    def action_dismiss(self) -> None:
        self.dismiss()
