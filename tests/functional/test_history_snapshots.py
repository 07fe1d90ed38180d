"""Snapshots of the history screen on the demo at 2026-02-05 11:00 ET (fixed clock).

Regenerate with `pytest tests/functional/test_history_snapshots.py --snapshot-update` after
a deliberate change, and look at the report before committing.
"""

from __future__ import annotations

import pytest

from tests.functional.conftest import FEB4, SIZE, until
from tests.helpers.history_screen import open_history, with_silent_logs


@pytest.fixture
def make_app(make_app):
    return with_silent_logs(make_app)


def test_history_screen(snap_compare, make_app):
    async def run_before(pilot):
        await open_history(pilot)

    assert snap_compare(make_app(FEB4), terminal_size=SIZE, run_before=run_before)


def test_history_screen_earlier_range(snap_compare, make_app):
    async def run_before(pilot):
        screen = await open_history(pilot)
        await pilot.press("left_square_bracket")
        # Jan 8 .. 21 asked; the demo starts on Jan 18: four dates shown, and the head says so.
        await until(pilot, lambda: screen.loaded and screen.span.days == 4 and str(screen.span.end) == "2026-01-21")
        await pilot.pause()

    assert snap_compare(make_app(FEB4), terminal_size=SIZE, run_before=run_before)
