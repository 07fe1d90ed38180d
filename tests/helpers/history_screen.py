"""The history screen opened on the demo."""

from __future__ import annotations

from console.tui.screens.history_screen import HistoryScreen
from tests.functional.conftest import settle, until
from tests.helpers.snapshots import SilentLogs


async def open_history(pilot) -> HistoryScreen:
    await settle(pilot)
    await pilot.press("h")
    await until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen) and pilot.app.screen.loaded)
    await pilot.pause()
    return pilot.app.screen


def with_silent_logs(make_app):
    """The functional tests' `make_app` with no log stream (no live toasts during the screen)."""

    def make(game_date=None, **kwargs):
        kwargs.setdefault("log_source_factory", lambda *a, **k: SilentLogs())
        return make_app(game_date, **kwargs)

    return make
