"""Snapshots of the main screen and every detail screen on the demo at 2026-02-05 11:00 ET.

The clock is fixed, so the ET clock and every "refreshed ... ago" are deterministic.
Regenerate with `pytest tests/functional/test_snapshots.py --snapshot-update` after a
deliberate change to the screens, and look at the report before committing.
"""

from __future__ import annotations

import pytest

from console.services.runner import SPECS
from tests.functional.conftest import FEB3, FEB4, SIZE, settle, settle_detail
from tests.helpers.snapshots import SilentLogs


@pytest.fixture
def make_app(make_app):
    def make(game_date=None, **kwargs):
        kwargs.setdefault("log_source_factory", lambda *a, **k: SilentLogs())
        return make_app(game_date, **kwargs)

    return make


@pytest.mark.parametrize("game_date", [FEB4, FEB3], ids=["feb4", "feb3"])
def test_main_screen(snap_compare, make_app, game_date):
    async def run_before(pilot):
        await settle(pilot)

    assert snap_compare(make_app(game_date), terminal_size=SIZE, run_before=run_before)


@pytest.mark.slow
@pytest.mark.parametrize("check_id", [s.id for s in SPECS])
def test_detail_screen(snap_compare, make_app, check_id):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_detail(check_id)
        await settle_detail(pilot)

    assert snap_compare(make_app(FEB3), terminal_size=SIZE, run_before=run_before)
