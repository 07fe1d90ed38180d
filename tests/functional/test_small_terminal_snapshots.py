"""Snapshots at 80x24 (issue 28): the main screen on the demo at 06:55 and 11:00 and on Feb 3
at 10:00 (all six statuses, the failing ones named in the header), every drill-down of Feb 3
(the rows keep half the height), history, logs, playbooks and help; and with NO_COLOR the
main screen and history, whose statuses read as words and glyphs.

Regenerate with `pytest tests/functional/test_small_terminal_snapshots.py --snapshot-update`
after a deliberate change, and look at each SVG (rsvg-convert -o x.png file.svg) first.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.core.clock import DEMO_END, FixedClock
from console.services.runner import SPECS
from console.tui.screens.help_screen import HelpScreen
from console.tui.screens.logs_screen import LogsScreen
from console.tui.screens.playbooks_screen import PlaybooksScreen
from console.tui.widgets.log_histogram import LogHistogram
from tests.functional.conftest import FEB3, FEB4, settle, settle_detail, until
from tests.functional.test_moves_snapshots import _factory, _still_cursor
from tests.helpers.history_screen import open_history
from tests.helpers.snapshots import SilentLogs

SMALL = (80, 24)
MOMENTS = {
    "demo-0655": (FEB4, DEMO_END - timedelta(hours=4, minutes=5)),
    "demo-1100": (FEB4, DEMO_END),
    "feb3-1000": (FEB3, DEMO_END - timedelta(days=1, hours=1)),
}


async def _settled(pilot) -> None:
    """Every result in, then the layout they cause (the preview's height, the plots' widths)."""
    await settle(pilot)
    await pilot.pause(0.3)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def _app(make_app, game_date, at=DEMO_END, **kwargs):
    kwargs.setdefault("log_source_factory", lambda *a, **k: SilentLogs())
    return make_app(game_date, clock=FixedClock(at), **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_main_screen_at_80x24(snap_compare, make_app, moment):
    game_date, at = MOMENTS[moment]

    async def run_before(pilot):
        await _settled(pilot)

    assert snap_compare(_app(make_app, game_date, at), terminal_size=SMALL, run_before=run_before)


@pytest.mark.slow
@pytest.mark.parametrize("check_id", [s.id for s in SPECS])
def test_drill_down_at_80x24(snap_compare, make_app, check_id):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_detail(check_id)
        await settle_detail(pilot)

    assert snap_compare(_app(make_app, FEB3), terminal_size=SMALL, run_before=run_before)


@pytest.mark.slow
def test_history_at_80x24(snap_compare, make_app):
    async def run_before(pilot):
        await open_history(pilot)
        await _settled(pilot)

    assert snap_compare(_app(make_app, FEB4), terminal_size=SMALL, run_before=run_before)


@pytest.mark.slow
def test_logs_at_80x24(snap_compare, make_app):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(pilot.app.screen, LogsScreen) and len(pilot.app.screen.buffer) > 0)
        # The volume strip (c27) charts what the list holds once its first batch is counted.
        await until(pilot, lambda: pilot.app.screen.query_one(LogHistogram).histogram is not None)
        _still_cursor(pilot.app)
        await pilot.pause()

    assert snap_compare(_app(make_app, FEB4, log_source_factory=_factory), terminal_size=SMALL, run_before=run_before)


@pytest.mark.slow
def test_playbooks_at_80x24(snap_compare, make_app):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("down")  # Sequential execution: Feb 3's race suggests enabling it again
        await pilot.press("P")
        await until(pilot, lambda: isinstance(pilot.app.screen, PlaybooksScreen))
        await until(pilot, lambda: "reading" not in str(pilot.app.screen.query_one("#flags").render()))
        _still_cursor(pilot.app)
        await pilot.pause()

    assert snap_compare(_app(make_app, FEB3), terminal_size=SMALL, run_before=run_before)


@pytest.mark.slow
def test_help_at_80x24(snap_compare, make_app):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.pause()

    assert snap_compare(_app(make_app, FEB4), terminal_size=SMALL, run_before=run_before)


@pytest.mark.slow
def test_main_screen_without_colour(snap_compare, make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    game_date, at = MOMENTS["feb3-1000"]

    async def run_before(pilot):
        await _settled(pilot)

    assert snap_compare(_app(make_app, game_date, at), terminal_size=SMALL, run_before=run_before)


@pytest.mark.slow
def test_history_without_colour(snap_compare, make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    async def run_before(pilot):
        await open_history(pilot)
        await _settled(pilot)

    assert snap_compare(_app(make_app, FEB4), terminal_size=SMALL, run_before=run_before)
