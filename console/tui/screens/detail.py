"""Drill-down of one check: the rows behind its number, sortable, with the SQL on demand."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from panels.badges import badge
from panels.render import breakdown

from ...core.runner import CheckContext, CheckSpec
from ...refresh import PanelState, format_age
from ..widgets.table import RowsTable


class DetailScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("s", "show_sql", "SQL", id="show_sql"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    def __init__(self, spec: CheckSpec, ctx: CheckContext, state: PanelState) -> None:
        super().__init__()
        self.spec, self.ctx, self.state = spec, ctx, state
        self.rows: list[dict[str, Any]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._head(), id="detail-head")
        with VerticalScroll(id="detail-body"):
            part = breakdown(self.state.result)
            if part is not None:
                yield Static(Text(part[0], style="bold"), classes="table-title")
                yield RowsTable(id="breakdown")
            yield Static(Text("rows", style="bold"), id="rows-title", classes="table-title")
            yield RowsTable(id="rows")
        yield Static(self._playbooks(), id="detail-playbooks")
        yield Footer()

    def on_mount(self) -> None:
        part = breakdown(self.state.result)
        if part is not None:
            self.query_one("#breakdown", RowsTable).load(part[1])
        self.action_reload()

    def _head(self) -> Text:
        status = self.state.display_status
        text = Text.assemble(badge(status), " ", (self.spec.title, "bold"),
                             f"  games {self.ctx.game_date}  as of {self.ctx.as_of.astimezone(self.ctx.settings.tz):%Y-%m-%d %H:%M %Z}"
                             f"  refreshed {format_age(self.state.age_seconds(self.ctx.as_of))}\n")
        if self.state.result is not None:
            text.append(self.state.result.summary)
        if self.state.error:
            text.append(f"\n⚠ {self.state.error}", style="bold red")
        return text

    def _playbooks(self) -> Text:
        if not self.spec.playbooks:
            return Text("no playbook suggested for this check", style="dim")
        return Text.assemble(("suggested playbooks: ", "bold"), ", ".join(self.spec.playbooks),
                             ("  (P opens the playbooks)", "dim"))

    def action_reload(self) -> None:
        self.query_one("#rows-title", Static).update(Text("rows: loading…", style="bold"))
        self.run_worker(self._fetch, thread=True, name=f"drill:{self.spec.id}", group="drill",
                        exclusive=True, exit_on_error=False)

    def _fetch(self) -> list[dict[str, Any]]:
        return self.spec.drill(self.app.backend(), self.ctx)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "drill":
            return
        title = self.query_one("#rows-title", Static)
        if event.state is WorkerState.SUCCESS:
            self.rows = event.worker.result
            title.update(Text(f"rows: {len(self.rows)}  (o sorts by the cursor's column; click a header)", style="bold"))
            self.query_one("#rows", RowsTable).load(self.rows)
        elif event.state is WorkerState.ERROR:
            # Drill-downs raise SourceError like any query: show it, keep the screen usable.
            title.update(Text(f"rows: could not load: {event.worker.error}", style="bold red"))

    def action_show_sql(self) -> None:
        from .sql import SqlModal

        self.app.push_screen(SqlModal(self.spec, self.ctx))
