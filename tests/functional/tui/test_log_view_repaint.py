"""The log list repaints only what changed (issue 13): a cursor move within the page repaints
its two lines, an arrival that shows nothing new repaints nothing. What the screen shows must
be what a full repaint would show, after every such step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.core.config import Settings
from console.core.models import LogEntry
from console.tui.screens.logs_screen import LogsScreen
from console.tui.widgets.log_view import BAR_REPAINT_SECONDS
from tests.helpers.log_screen import Host, ListSource, wait_for

T0 = datetime(2026, 2, 5, 12, tzinfo=UTC)


def entries(start: int, n: int) -> list[LogEntry]:
    return [
        LogEntry(
            timestamp=T0 + timedelta(seconds=i),
            insert_id=str(i),
            service="prediction-worker",
            severity="ERROR" if i % 7 == 0 else "INFO",
            text=f"line {i}",
        )
        for i in range(start, start + n)
    ]


def screen_text(pilot) -> str:
    return pilot.app.export_screenshot().replace("&#160;", " ")


async def assert_same_as_full_repaint(pilot, screen: LogsScreen, delay: float | None = None) -> None:
    # The list alone: the volume strip above it redraws on its own clock (tested elsewhere).
    screen.histogram.display = False
    await pilot.pause(delay)
    shown = pilot.app.export_screenshot()
    screen.view.refresh()  # the whole list drawn again from the buffer, and its scrollbar
    if screen.view.show_vertical_scrollbar:
        screen.view.vertical_scrollbar.refresh()
    await pilot.pause()
    assert pilot.app.export_screenshot() == shown


@pytest.mark.slow
async def test_partial_repaints_show_what_a_full_repaint_shows():
    source = ListSource()
    screen = LogsScreen(Settings(logs={"poll_seconds": 0.01}), source)
    async with Host(screen).run_test(size=(100, 20)) as pilot:
        source.queue = entries(0, 100)
        await wait_for(pilot, lambda: len(screen.buffer) == 100)
        await assert_same_as_full_repaint(pilot, screen)
        for key in ["up", "up", "down", "pageup", "up", "down", "home", "down"]:
            await pilot.press(key)
            await assert_same_as_full_repaint(pilot, screen)
        cursor = screen.view.cursor
        source.queue = entries(100, 400)  # scrolled back: these change no visible row
        await wait_for(pilot, lambda: len(screen.buffer) == 500)
        assert screen.view.cursor == cursor and not screen.view.follow
        # The bar's thumb is repainted within BAR_REPAINT_SECONDS, not per batch.
        await assert_same_as_full_repaint(pilot, screen, delay=BAR_REPAINT_SECONDS + 0.2)
        assert "500 held" in str(screen.status_text())
        await pilot.press("f")  # following again: new rows scroll in
        source.queue = entries(500, 3)
        await wait_for(pilot, lambda: len(screen.buffer) == 503)
        await assert_same_as_full_repaint(pilot, screen)
        assert "line 502" in screen_text(pilot)


async def test_arrivals_below_a_short_list_are_drawn():
    source = ListSource()
    screen = LogsScreen(Settings(logs={"poll_seconds": 0.01}), source)
    async with Host(screen).run_test(size=(100, 30)) as pilot:
        source.queue = entries(0, 5)
        await wait_for(pilot, lambda: len(screen.buffer) == 5)
        await pilot.press("up", "up")  # not following, the page not full
        source.queue = entries(5, 3)
        await wait_for(pilot, lambda: len(screen.buffer) == 8)
        await assert_same_as_full_repaint(pilot, screen)
        assert "line 7" in screen_text(pilot)
