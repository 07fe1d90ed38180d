"""The theme chosen last time (ctrl+p, then a theme) wins over the config's `tui.theme`: it is
written to the console's state file (console/services/ui_state.py) and read at start. A
served console, or one whose state cannot be written, keeps it for the session and says so
once."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.theme import Theme

from console.core.config import Settings
from console.services import ui_state


class ThemeMemory:
    def __init__(self, app: App[Any], settings: Settings) -> None:
        self.app, self.settings = app, settings
        self._known: str | None = None  # the theme shown, chosen or not
        self._memory_only_told = False

    def restore(self) -> None:
        """On mount: the remembered theme if it still exists; then follow the user's choices."""
        app = self.app
        if self.settings.tui.theme in app.available_themes:
            app.theme = self.settings.tui.theme
        loaded = ui_state.load(self.settings)
        if loaded.note:
            app.notify(loaded.note, title="console state", severity="warning", timeout=20)
        if loaded.theme and loaded.theme in app.available_themes:
            app.theme = loaded.theme
        self._known = app.theme  # the startup theme is not a choice: nothing written
        app.theme_changed_signal.subscribe(app, self._remember)

    def _remember(self, theme: Theme) -> None:
        if theme.name == self._known:
            return
        self._known = theme.name
        why_not = ui_state.memory_only(self.settings, served=self.app.is_web)
        if why_not:  # in memory only: said once, nothing written
            if not self._memory_only_told:
                self._memory_only_told = True
                self.app.notify(why_not, title="theme")
            return
        if error := ui_state.save_theme(self.settings, theme.name):
            self.app.notify(error, severity="warning")
