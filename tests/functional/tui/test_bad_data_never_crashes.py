"""The console cannot die from data (issue 11): an entry no screen can show becomes an error
line on the log screen, and a console that does crash never exits 0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from textual.app import App

from console.core.models import LogEntry
from console.tui.app import NbaConsoleApp
from console.tui.screens.logs_screen import LogsScreen, LogView
from tests.functional.conftest import FEB4, SIZE, settle
from tests.helpers.log_screen import ListSource, wait_for

# What the validator now refuses, built directly: year 0 once in UTC, so showing it in any
# zone overflows. A source that is not the scenario loader (gcp, a hand-edited file) could
# still hand the screen something like it.
UNSHOWABLE = LogEntry(
    timestamp=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    text="from year zero",
    service="nba-phase3-analytics-processors",
)
GOOD = LogEntry(
    timestamp=datetime(2026, 2, 5, 12, tzinfo=UTC),
    text="Starting PlayerGameSummaryProcessor",
    service="nba-phase3-analytics-processors",
)


async def test_l_with_an_unshowable_entry_shows_an_error_line_and_keeps_running(make_app):
    def factory(*args, **kwargs):  # the live trace of the panel and the log screen each poll their own
        source = ListSource()
        source.queue = [GOOD, UNSHOWABLE]
        return source

    app = make_app(FEB4, log_source_factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen.batches >= 1)
        await pilot.pause()
        view = app.screen.query_one(LogView)
        rendered = [view.render_line(y).text for y in range(3)]
        assert any("entry not shown" in text for text in rendered), rendered
        assert any("Starting PlayerGameSummaryProcessor" in text for text in rendered)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and app.return_code is None


def test_a_crashed_console_exits_non_zero(monkeypatch, demo_settings, capsys):
    from console import cli

    def crash(self) -> None:
        raise RuntimeError("boom while mounting")

    monkeypatch.setattr(NbaConsoleApp, "on_mount", crash)
    monkeypatch.setattr(NbaConsoleApp, "run", lambda self: App.run(self, headless=True, size=SIZE))
    code = cli.main(["--data-dir", str(demo_settings.data_dir), "--date", "2026-02-04"])
    assert code not in (0, None)


class _Exploding(ListSource):
    def poll(self):
        raise RuntimeError("a log line nothing anticipated")


@pytest.mark.slow
async def test_a_failing_live_stream_is_an_error_on_its_panel_not_an_exit(make_app):
    from tests.functional.conftest import until

    app = make_app(FEB4, log_source_factory=lambda *a, **k: _Exploding())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        state = app.states["sequential_execution"]
        await until(pilot, lambda: state.error is not None and "live log stream" in state.error)
        assert "a log line nothing anticipated" in state.error
        assert app.is_running and app.return_code is None
