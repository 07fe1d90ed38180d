"""The main screen at the three sizes an on-call engineer opens it in (issue 14): 80x24 (one
scrolling column), 120x40 (2x3), 200x50 (3x2), on the demo's finished morning of Feb 3 (the
bad one: every kind of panel content), read-only so the header carries its badges.

Regenerate with `pytest tests/functional/test_main_snapshots.py --snapshot-update` after a
deliberate change, and look at each SVG (rsvg-convert -o x.png file.svg) before committing.
"""

from __future__ import annotations

import pytest

from tests.functional.conftest import FEB3, settle
from tests.helpers.snapshots import SilentLogs


@pytest.mark.slow
@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)], ids=["80x24", "120x40", "200x50"])
def test_main_screen_at_three_sizes(snap_compare, make_app, demo_settings, size):
    read_only = demo_settings.model_copy(update={"read_only": True})
    app = make_app(FEB3, settings=read_only, log_source_factory=lambda *a, **k: SilentLogs())

    async def run_before(pilot):
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
