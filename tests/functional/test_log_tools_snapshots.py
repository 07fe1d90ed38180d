"""Snapshots of the log screen's tools at 80x24 and 200x50, on the demo's entries opened as a
gcloud export (`logs open`): the volume strip with a bucket selected (`i`, left), the cursor on
the error `e` found, the toast `c` leaves, the SQL prompt with a sorted result (`;`), and the
saved filters' list (`F`).

Regenerate with `pytest tests/functional/test_log_tools_snapshots.py --snapshot-update` after a
deliberate change, and look at the SVGs before committing."""

from __future__ import annotations

from types import SimpleNamespace

import orjson
import pytest
from textual.widgets import Input

from console.core.config import Settings
from console.local import sql_sandbox
from console.local.demo import log_entries
from console.logs.export_view import ExportView
from console.tui.log_files import LogFilesApp
from console.tui.screens.log_filters_modal import SavedFiltersModal
from console.tui.screens.log_sql_modal import LogSqlModal
from tests.helpers.log_screen import wait_for

SIZES = [(80, 24), (200, 50)]
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")]


def app_on_the_demo(tmp_path) -> LogFilesApp:
    raws = sorted(log_entries(), key=lambda r: r["timestamp"], reverse=True)  # gcloud: newest first
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(raws, option=orjson.OPT_INDENT_2))
    return LogFilesApp(Settings(state_dir=tmp_path / "state"), ExportView([path]))


async def loaded(pilot) -> None:
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.export.loaded and screen.export.in_order, tries=1000)
    screen.tools.sync_histogram()
    await pilot.pause()


def still_cursors(app) -> None:
    """A blinking input cursor would make the picture depend on the moment it is taken."""
    for box in app.screen.query(Input):
        box.cursor_blink = False


def test_histogram_bucket_selected(snap_compare, tmp_path, size):
    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("end", "i", "left")
        await pilot.pause()

    assert snap_compare(app_on_the_demo(tmp_path), terminal_size=size, run_before=run_before)


def test_e_on_the_error_and_c_copied(snap_compare, tmp_path, size):
    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("home", "e", "c")
        await pilot.pause()

    assert snap_compare(app_on_the_demo(tmp_path), terminal_size=size, run_before=run_before)


def test_sql_prompt_with_a_result(snap_compare, tmp_path, size, monkeypatch):
    # The status says how long the query took: a still clock for a picture that does not move.
    monkeypatch.setattr(sql_sandbox, "time", SimpleNamespace(monotonic=lambda: 0.0))

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("semicolon")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LogSqlModal))
        modal = pilot.app.screen
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n", "enter")  # entries per severity
        await wait_for(pilot, lambda: modal.result is not None or modal.error is not None, tries=1000)
        still_cursors(pilot.app)
        await pilot.pause()

    assert snap_compare(app_on_the_demo(tmp_path), terminal_size=size, run_before=run_before)


def test_saved_filters_list(snap_compare, tmp_path, size):
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (state / "log-filters.json").write_bytes(
        orjson.dumps({"errors": "sev:error", "level lines": "svc:phase3 Level [12]", "last 2h": "since:2h"})
    )

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SavedFiltersModal))
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(app_on_the_demo(tmp_path), terminal_size=size, run_before=run_before)
