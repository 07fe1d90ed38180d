"""`nba-console logs open FILE…`: the log screen on an export, in an app of its own (no
panels, no backend, no local data needed): the keys of the log screen, `q` quits.

Only in a terminal: with stdout not a terminal it says to use `logs search` and exits 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from console.core.config import Settings


class LogFilesApp(App):
    TITLE = "nba-console logs"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit")]

    def __init__(self, settings: Settings, export) -> None:
        super().__init__()
        self.settings = settings
        self.export = export

    def get_default_screen(self) -> Screen:
        from console.tui.screens.logs_screen import LogsScreen

        return LogsScreen(self.settings, export=self.export)

    def on_mount(self) -> None:
        if self.settings.keys:
            self.set_keymap(self.settings.keys)
        if self.settings.tui.theme in self.available_themes:
            self.theme = self.settings.tui.theme


def open_in_log_screen(settings: Settings, paths: list[Path], newest_first: bool = False) -> int:
    from console.logs.export_view import ExportView

    if not sys.stdout.isatty():
        raise ValueError("logs open needs a terminal; `nba-console logs search FILE` prints the entries")
    export = ExportView(paths, newest_first=newest_first)  # SearchError (a ValueError): one line, exit 2
    app = LogFilesApp(settings, export)
    app.run()
    return app.return_code or 0
