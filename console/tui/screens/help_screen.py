"""`?`: every key of the console, with the ids `[keys]` in the config remaps."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from console.tui.host import host_of


def binding_rows(app: App[Any]) -> list[tuple[str, str, str, str]]:
    """(where, key, description, id) for every binding, with the config's remaps applied."""
    from console.tui.screens.detail_screen import DetailScreen
    from console.tui.screens.logs_screen import EntryScreen, LogsScreen, LogView
    from console.tui.screens.main_screen import MainScreen
    from console.tui.screens.playbooks_screen import ConfirmationModal, FailureModal, PlaybooksScreen, TypedNameModal
    from console.tui.screens.sql_modal import SqlModal
    from console.tui.widgets.check_panel import CheckPanel
    from console.tui.widgets.rows_table import RowsTable

    keys = host_of(app).settings.keys
    rows = []
    owners: list[tuple[str, type[DOMNode]]] = [
        ("anywhere", type(app)),
        ("main screen", MainScreen),
        ("panel", CheckPanel),
        ("detail", DetailScreen),
        ("table", RowsTable),
        ("SQL", SqlModal),
        ("help", HelpScreen),
    ]
    owners += [
        ("logs", LogsScreen),
        ("logs", LogView),
        ("logs", EntryScreen),
        ("playbooks", PlaybooksScreen),
        ("playbooks", ConfirmationModal),
        ("playbooks", TypedNameModal),
        ("playbooks", FailureModal),
    ]
    for where, owner in owners:
        for b in owner.BINDINGS:
            if not isinstance(b, Binding) or (not b.show and not b.description):
                continue
            key = keys.get(b.id, b.key) if b.id else b.key
            key = ",".join(app.get_key_display(Binding(k, b.action)) for k in key.split(","))
            rows.append((where, key, b.description or b.action, b.id or ""))
    rows.append(("anywhere", "ctrl+p", "command palette (screens, actions, themes)", ""))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss", "Close", id="close_help")]

    def compose(self) -> ComposeResult:
        table = Table(expand=True, show_edge=False)
        for col in ("where", "key", "does", "id (for [keys])"):
            table.add_column(Text(col))  # a plain Text: as markup, "[keys]" would vanish
        for row in binding_rows(self.app):
            table.add_row(*map(Text, row))
        with VerticalScroll(id="help-box"):
            yield Static(table)

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "Keys (escape closes)"
