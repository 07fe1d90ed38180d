"""`?`: every key of the console, by screen and modal, with the ids `[keys]` in the config remaps."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from console.tui.host import host_of


def sections() -> list[tuple[str, type[DOMNode]]]:
    """Every screen, modal and widget of the console that has keys, by its HELP_SECTION:
    found by walking console.tui, so a new screen's keys are in the help without a list to
    keep (a test holds every class with bindings to having a section)."""
    import console.tui

    found: dict[type[DOMNode], tuple[int, str]] = {}
    for info in pkgutil.walk_packages(console.tui.__path__, "console.tui."):
        if info.name.endswith(("serve", "serve_guard")):  # the web server: no screen, aiohttp
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            section = cls.__dict__.get("HELP_SECTION")
            if issubclass(cls, DOMNode) and cls.__module__ == module.__name__ and section is not None:
                found[cls] = section
    return [(title, cls) for cls, (_, title) in sorted(found.items(), key=lambda item: item[1][0])]


def binding_rows(app: App[Any]) -> list[tuple[str, str, str, str]]:
    """(section, key, description, id) for every binding, with the config's remaps applied."""
    keys = host_of(app).settings.keys
    rows = []
    for title, owner in sections():
        for b in owner.__dict__.get("BINDINGS", []):
            if not isinstance(b, Binding) or (not b.show and not b.description):
                continue
            key = keys.get(b.id, b.key) if b.id else b.key
            key = ",".join(app.get_key_display(Binding(k, b.action)) for k in key.split(","))
            rows.append((title, key, b.description or b.action, b.id or ""))
        # Keys a widget handles itself, not through a binding (enter on a table's cell).
        rows += [(title, key, does, "") for key, does in owner.__dict__.get("HELP_EXTRA", ())]
        if owner is type(app):
            rows.append((title, "ctrl+p", "command palette (screens, actions, themes)", ""))
    return rows


class HelpScreen(ModalScreen[None]):
    HELP_SECTION = (150, "This help (?)")  # where `?` lists its keys
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss", "Close", id="close_help")]

    def compose(self) -> ComposeResult:
        parts: list[Text | Table] = []
        table: Table | None = None
        section = None
        for title, key, does, binding_id in binding_rows(self.app):
            if title != section or table is None:  # a table per screen or modal, titled by what it is
                section = title
                parts.append(Text(f"\n{title}", style="bold underline"))
                table = Table(expand=True, show_edge=False, show_header=False, box=None, pad_edge=False)
                table.add_column("key", no_wrap=True, min_width=8)
                table.add_column("does", ratio=1)
                table.add_column("id", no_wrap=True, style="dim")
                parts.append(table)
            table.add_row(Text(key, style="bold"), Text(does), Text(binding_id))
        with VerticalScroll(id="help-box"):
            yield Static(Group(*parts))

    def on_mount(self) -> None:
        # The dim column is each key's id, which `[keys]` in the config remaps.
        self.query_one("#help-box").border_title = "Keys, by screen; dim: the id for \\[keys] (escape closes)"
