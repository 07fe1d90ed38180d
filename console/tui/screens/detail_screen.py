"""Drill-down of one check: the rows behind its number, sortable and searchable, with the SQL on demand.

The rows reload whenever the panel behind them refreshes (every 2 s on the demo); the table
keeps its sort and cursor across reloads.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, WorkerState

from console.core.timefmt import for_people
from console.playbook.suggest import suggestion
from console.services.refresh import PanelState, age_text
from console.services.runner import CheckContext, CheckSpec
from console.tui.host import host_of
from console.tui.team_chips import team_lines
from console.tui.widgets.console_footer import ConsoleFooter
from console.tui.widgets.rows_table import RowsTable
from panels.dispatch import breakdown, rows_title
from panels.status_style import badge

KEYS_HINT = "o sorts · / searches · c copies the row · s SQL"


class DetailScreen(Screen[None]):
    HELP_SECTION = (40, "Drill-down (enter on a check)")  # where `?` lists its keys
    HELP_EXTRA = (("enter", "in the search box: the next match"), ("tab", "from the search box to the rows"))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("s", "show_sql", "SQL", id="show_sql"),
        Binding("r", "reload", "Reload", id="reload"),
        Binding("slash", "search", "Search", id="search_rows"),
        Binding("tab", "tab", show=False),  # from the search box: to the rows it searches
    ]
    # In the flow above the footer, not docked: a second bottom dock lies under the Footer.
    # (The tables' heights, rows first, are in app.tcss.)
    DEFAULT_CSS = "DetailScreen #rows-search { display: none; } DetailScreen #rows-search.-shown { display: block; }"

    def __init__(self, spec: CheckSpec, ctx: CheckContext, state: PanelState) -> None:
        super().__init__()
        self.spec, self.ctx, self.state = spec, ctx, state
        self.rows: list[dict[str, Any]] | None = None
        self._loaded_for = state.result  # the panel result the rows belong to (each refresh makes a new one)

    def compose(self) -> ComposeResult:
        yield Static(self._head(), id="detail-head")
        with Vertical(id="detail-body"):  # not a scroll: no invisible stop for Tab; each table scrolls
            part = breakdown(self.state.result)
            if part is not None:
                yield Static(Text(part[0], style="bold"), classes="table-title")
                yield RowsTable(id="breakdown", tz=self.ctx.settings.tz)
            yield Static(Text(self._rows_title()[0], style="bold"), id="rows-title", classes="table-title")
            yield RowsTable(id="rows", tz=self.ctx.settings.tz)
        yield Input(placeholder="search the rows (enter: next match, escape: done)", id="rows-search")
        yield Static(self._playbooks(), id="detail-playbooks")
        yield ConsoleFooter()

    def on_mount(self) -> None:
        part = breakdown(self.state.result)
        if part is not None:
            self.query_one("#breakdown", RowsTable).load(part[1])
        self.query_one("#rows", RowsTable).focus()  # arrows, o, / and c work at once
        self.action_reload()
        self.set_interval(1.0, self._follow_panel)

    def _rows_title(self) -> tuple[str, str]:
        # What the rows are, and what no rows means: an untitled "rows: 0" says nothing.
        return rows_title(self.spec.id)

    def _head(self) -> Text:
        status = self.state.display_status
        text = Text.assemble(
            badge(status),
            " ",
            (self.spec.title, "bold"),
            f"  games {self.ctx.game_date}  as of {for_people(self.ctx.as_of, self.ctx.settings.tz)}"
            f"  refreshed {age_text(self.state.age_seconds(self.ctx.as_of))}\n",
        )
        if self.state.result is not None:
            text.append(self.state.result.summary)
        if self.state.error:
            text.append(f"\n⚠ {self.state.error}", style="bold red")
        return text + team_lines(host_of(self).team.snapshot, self.ctx, self.spec.id)

    def _playbooks(self) -> Text:
        """What the check's state calls for (a healthy check suggests nothing), and why."""
        hint = suggestion(self.spec, self.state.result, self.ctx.settings)  # the watch's rule too
        if hint.playbook:
            params = "".join(f" {k}={v}" for k, v in hint.params.items())
            opens = "P opens it prefilled" if params else "P opens it"
            return Text.assemble(
                ("suggested playbook: ", "bold"), hint.playbook, params, (f"  ({hint.why}; {opens})", "dim")
            )
        return Text(f"no playbook suggested ({hint.why})", style="dim")

    # ------------------------------------------------------------------ loading

    def _follow_panel(self) -> None:
        """Reload when the panel behind this drill-down refreshed (a live date only)."""
        host = host_of(self)
        if self.state.result is self._loaded_for or host.states.get(self.spec.id) is not self.state:
            return
        self._loaded_for = self.state.result
        self.ctx = host.context()
        self.query_one("#detail-head", Static).update(self._head())
        self.query_one("#detail-playbooks", Static).update(self._playbooks())
        self.action_reload()

    def action_reload(self) -> None:
        if self.rows is None:
            self.query_one("#rows-title", Static).update(Text(f"{self._rows_title()[0]}: loading…", style="bold"))
        self.run_worker(
            self._fetch, thread=True, name=f"drill:{self.spec.id}", group="drill", exclusive=True, exit_on_error=False
        )

    def _fetch(self) -> list[dict[str, Any]]:
        return self.spec.drill(host_of(self).backend(), self.ctx)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "drill":
            return
        title = self.query_one("#rows-title", Static)
        what, empty = self._rows_title()
        if event.state is WorkerState.SUCCESS:
            self.rows = rows = event.worker.result if isinstance(event.worker.result, list) else []
            if rows:
                title.update(Text.assemble((f"{what}: {len(rows)}", "bold"), (f"  ({KEYS_HINT})", "dim")))
            else:
                title.update(Text.assemble((f"{what}: none", "bold"), f" — {self._why_none(empty)}"))
            self.query_one("#rows", RowsTable).load(rows)
        elif event.state is WorkerState.ERROR:
            # Drill-downs raise SourceError like any query: show it, keep the screen usable.
            title.update(Text(f"{what}: could not load: {event.worker.error}", style="bold red"))

    def _why_none(self, empty: str) -> str:
        """Why there are no rows. A check that could not judge (`unknown`: no active players,
        no games) says its own reason; "every player who played has a usage rate" would
        contradict a panel that says nobody played."""
        result = self.state.result
        if result is not None and result.status.value == "unknown":
            return result.summary
        return empty

    # ------------------------------------------------------------------ keys

    def action_show_sql(self) -> None:
        from console.tui.screens.sql_modal import SqlModal

        self.app.push_screen(SqlModal(self.spec, self.ctx))

    def action_search(self) -> None:
        box = self.query_one("#rows-search", Input)
        box.value = ""  # a new search; n/N in the table still repeat the last one
        box.add_class("-shown")
        # Now, not after the queued keys (Widget.focus defers): `/Davis` typed ahead must
        # land in the box, never run `s` (SQL) on the table.
        self.set_focus(box)

    def action_tab(self) -> None:
        """Tab from the search box lands on the rows, where n/N, o and c act on what was found
        (issue 28: it landed on a stop where they did nothing); elsewhere Tab as everywhere."""
        if self.query_one("#rows-search", Input).has_focus:
            self.query_one("#rows", RowsTable).focus()
        else:
            self.focus_next()

    def action_back(self) -> None:
        box = self.query_one("#rows-search", Input)
        if box.has_focus:  # escape ends the search, a second one leaves
            box.remove_class("-shown")
            self.query_one("#rows", RowsTable).focus()
        else:
            self.app.pop_screen()

    @on(Input.Changed, "#rows-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._search(event.value, include_current=True)

    @on(Input.Submitted, "#rows-search")
    def _search_next(self, event: Input.Submitted) -> None:
        self._search(event.value, include_current=False)

    def _search(self, text: str, *, include_current: bool) -> None:
        table = self.query_one("#rows", RowsTable)
        if table.search(text, include_current=include_current) is None and text:
            self.query_one("#rows-title", Static).update(
                Text.assemble((f"{self._rows_title()[0]}: ", "bold"), (f"no row holds {text!r}", "bold yellow"))
            )
        else:
            self._show_rows_title(table)

    def _show_rows_title(self, table: RowsTable) -> None:
        """`Ungraded predictions: 16  (row 3; …)` while a search is on: the row follows the
        cursor, whether enter in the box or `n`/`N` in the table moved it."""
        if not self.rows:
            return
        searching = bool(table.search_text)
        self.query_one("#rows-title", Static).update(
            Text.assemble(
                (f"{self._rows_title()[0]}: {len(self.rows)}", "bold"),
                (
                    f"  (row {table.cursor_row + 1}; enter: next match, n/N in the table)"
                    if searching
                    else f"  ({KEYS_HINT})",
                    "dim",
                ),
            )
        )

    @on(DataTable.RowHighlighted, "#rows")
    @on(DataTable.CellHighlighted, "#rows")
    def _row_moved(self, event: DataTable.RowHighlighted | DataTable.CellHighlighted) -> None:
        table = self.query_one("#rows", RowsTable)
        if table.search_text:
            self._show_rows_title(table)
