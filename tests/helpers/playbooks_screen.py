"""The playbooks screen hosted alone."""

from __future__ import annotations

from textual.app import App

from console.tui.screens.playbooks_screen import PlaybooksScreen


class Host(App):
    def __init__(self, settings, backend, suggested=None):
        super().__init__()
        # The screen takes a provider (it opens the backend in its workers).
        self.args = (settings, (lambda: backend) if backend is not None else None, suggested)

    def on_mount(self) -> None:
        self.push_screen(PlaybooksScreen(*self.args))
