"""The playbooks screen hosted alone."""

from __future__ import annotations

from textual.app import App

from console.tui.screens.playbooks_screen import PlaybooksScreen


class Host(App):
    def __init__(self, settings, backend, suggested=None):
        super().__init__()
        self.args = (settings, backend, suggested)

    def on_mount(self) -> None:
        self.push_screen(PlaybooksScreen(*self.args))
