"""Snapshots of the screens issue 14a changed, at 80x24, 100x30 and 200x50: the playbooks
screen opened from the drift panel (the prefilled form), the log screen with a bad filter
said under its box, and a drill-down (title, sort arrow, suggestion line).

Regenerate with `pytest tests/functional/test_moves_snapshots.py --snapshot-update` after a
deliberate change, and look at the SVGs before committing."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from console.local.demo import log_entries
from console.logs.parse import entry_from_dict
from console.tui.screens.logs_screen import LogsScreen
from console.tui.screens.playbooks_screen import PlaybooksScreen
from console.tui.widgets.check_panel import CheckPanel
from tests.functional.conftest import FEB3, FEB4, settle, settle_detail, until

SIZES = [(80, 24), (100, 30), (200, 50)]


def _still_cursor(app) -> None:
    """A blinking input cursor would make the picture depend on the moment it is taken."""
    for box in app.screen.query(Input):
        box.cursor_blink = False


class _Entries:
    """The demo's log lines once (the log screen's source); the app's own live feed gets none,
    so no toast lands at a moment the snapshot cannot fix."""

    error = None

    def __init__(self, entries):
        self.queue = entries

    def poll(self):
        out, self.queue = self.queue, []
        return out

    def close(self):
        pass

    def describe(self):
        return "demo entries"


def _factory(settings, clock, query=None):
    return _Entries([] if query is not None else [entry_from_dict(r) for r in log_entries()][:60])


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_playbooks_from_drift(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.screen.query_one("#panel-deployment_drift", CheckPanel).focus()
        await pilot.press("P")
        await until(pilot, lambda: isinstance(pilot.app.screen, PlaybooksScreen))
        await until(pilot, lambda: pilot.app.focused is not None and pilot.app.focused.id == "param-service")
        _still_cursor(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(FEB4, log_source_factory=_factory), terminal_size=size, run_before=run_before)


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_logs_with_a_bad_filter(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(pilot.app.screen, LogsScreen) and len(pilot.app.screen.buffer) > 0)
        await pilot.press("slash", *"sev:bogus")
        _still_cursor(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(FEB4, log_source_factory=_factory), terminal_size=size, run_before=run_before)


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES[:2], ids=lambda s: f"{s[0]}x{s[1]}")
def test_drill_down_sorted(snap_compare, make_app, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_detail("dnp_pollution")
        await settle_detail(pilot)
        await pilot.press("right", "right", "right", "o", "o")
        await pilot.pause()

    assert snap_compare(make_app(FEB3, log_source_factory=_factory), terminal_size=size, run_before=run_before)
