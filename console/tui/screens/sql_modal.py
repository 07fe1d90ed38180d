"""The SQL behind a check, exactly as the backend sends it (or what it reads instead)."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from console.services.runner import CheckContext, CheckSpec
from console.tui.host import host_of
from panels.dispatch import reads


class SqlModal(ModalScreen[None]):
    HELP_SECTION = (60, "Drill-down: the SQL (s)")  # where `?` lists its keys
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,s", "dismiss", "Close", id="close_sql"),
        Binding("c", "copy_sql", "Copy for bq query", id="copy_sql"),
    ]

    def __init__(self, spec: CheckSpec, ctx: CheckContext) -> None:
        super().__init__()
        self.spec, self.ctx = spec, ctx

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="sql-box"):
            yield Static(Text(f"{self.spec.title}: loading…"), id="sql-text")

    def on_mount(self) -> None:
        self.query_one("#sql-box").border_title = f"SQL · {self.spec.title} (c copies it for bq query · escape closes)"
        self.run_worker(self._texts, thread=True, name=f"sql:{self.spec.id}", exit_on_error=False)

    def _texts(self) -> list[tuple[str, str]]:
        backend = host_of(self).backend()
        return [(name, backend.query_text(name)) for name in self.spec.queries]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        target = self.query_one("#sql-text", Static)
        if event.state is WorkerState.SUCCESS:
            parts: list[RenderableType] = []
            for name, sql in event.worker.result or []:
                parts += [
                    Text(f"-- queries/{name}.sql ({self.ctx.settings.backend})", style="bold"),
                    Syntax(sql, "sql", word_wrap=True, background_color="default"),
                    Text(""),
                ]
            if not parts:
                # A check that reads no SQL table says what it reads instead (its `reads` hook).
                what = reads(self.spec.id, self.ctx) or self.spec.source
                parts = [Text(f"{self.spec.title} runs no SQL: it reads {what}.")]
            target.update(Group(*parts))
        elif event.state is WorkerState.ERROR:
            target.update(Text(f"cannot render the SQL: {event.worker.error}", style="bold red"))

    def bq_text(self) -> str:
        """Every query of the check in BigQuery's dialect with this drill-down's values bound."""
        from console.core.sql_bind import bound_bigquery, context_params

        params = context_params(self.ctx.settings, self.ctx.game_date, self.ctx.as_of)
        return "\n".join(bound_bigquery(name, self.ctx.settings, params) for name in self.spec.queries)

    def action_copy_sql(self) -> None:
        if not self.spec.queries:
            self.notify(f"{self.spec.title} runs no SQL: nothing to copy", severity="warning")
            return
        try:
            text = self.bq_text()
        except Exception as exc:  # noqa: BLE001 - a query sqlglot cannot bind: say so, keep the modal
            self.notify(f"cannot bind the SQL: {type(exc).__name__}: {exc}", severity="error")
            return
        self.app.copy_to_clipboard(text)
        self.notify(
            f"{len(self.spec.queries)} queries copied, parameters bound, BigQuery SQL (bq query --use_legacy_sql=false)"
        )
