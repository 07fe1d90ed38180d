"""The log screen driven with Pilot inside a tiny host app (no timing assertions)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from textual.widgets import Input, Static

from console.backends.local_log_source import ReplaySource
from console.core.clock import FixedClock
from console.core.config import Settings
from console.core.models import LogEntry
from console.local.demo import log_entries
from console.logs.parse import entry_from_dict
from console.tui.screens.logs_screen import EntryScreen, LogsScreen, LogView
from tests.helpers.log_screen import Host, ListSource, wait_for


def demo_entries() -> list[LogEntry]:
    return [entry_from_dict(r) for r in log_entries()]


def settings(**logs) -> Settings:
    return Settings(logs={"poll_seconds": 0.01, **logs})


@pytest.mark.slow
async def test_filter_as_you_type_pause_and_enter_shows_entry():
    entries = demo_entries()
    screen = LogsScreen(settings(), ReplaySource(entries, FixedClock(datetime(2026, 2, 6, tzinfo=UTC))))
    app = Host(screen)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: len(screen.buffer) == len(entries))
        assert screen.buffer.shown_count == len(entries)

        await pilot.press("slash")
        for ch in "Level 2":
            await pilot.press("space" if ch == " " else ch)
        # Applied as typed: after "Level 2" only the two Level 2 lines remain.
        assert [e.text[-30:] for e in screen.buffer.shown_slice(0, 10)] == [
            e.text[-30:] for e in entries if "Level 2" in e.text
        ]
        assert screen.buffer.shown_count == 2

        # Enter in the filter returns to the list; enter on a line opens the whole entry.
        await pilot.press("enter")
        assert isinstance(app.focused, LogView)
        await pilot.press("home", "enter")
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.entry.text.startswith("📋 Level 2")
        assert app.screen.entry.raw["resource"]["labels"]["service_name"] == "nba-phase3-analytics-processors"
        await pilot.press("escape")
        assert app.screen is screen


async def test_pause_holds_new_lines_until_resumed():
    source = ListSource()
    screen = LogsScreen(settings(), source)
    app = Host(screen)
    entries = demo_entries()
    async with app.run_test(size=(120, 30)) as pilot:
        source.queue = entries[:5]
        await wait_for(pilot, lambda: len(screen.buffer) == 5)
        await pilot.press("space")
        assert screen.buffer.paused
        source.queue = entries[5:8]
        await wait_for(pilot, lambda: screen.buffer.pending == 3)
        assert screen.buffer.shown_count == 5
        assert "PAUSED" in screen.status_text().plain
        await pilot.press("f")
        assert not screen.buffer.paused
        assert screen.buffer.shown_count == 8
        assert screen.view.follow and screen.view.cursor == 7


async def test_bad_filter_keeps_last_good_one_and_says_why():
    source = ListSource()
    screen = LogsScreen(settings(), source)
    app = Host(screen)
    async with app.run_test(size=(120, 30)) as pilot:
        source.queue = demo_entries()
        await wait_for(pilot, lambda: len(screen.buffer) > 0)
        screen.query_one("#logs-filter", Input).value = "sev:error"
        await pilot.pause()
        assert {e.severity for e in screen.buffer.shown_slice(0, 100)} == {"ERROR"}
        screen.query_one("#logs-filter", Input).value = "sev:loud"
        await pilot.pause()
        # Said under the box it was typed in; the status line points there.
        assert "unknown severity" in str(screen.query_one("#logs-filter-error", Static).render())
        assert "filter not applied" in screen.status_text().plain
        assert {e.severity for e in screen.buffer.shown_slice(0, 100)} == {"ERROR"}


async def test_buffer_bound_shows_dropped_count():
    source = ListSource()
    screen = LogsScreen(settings(buffer_entries=10), source)
    app = Host(screen)
    async with app.run_test(size=(120, 30)) as pilot:
        source.queue = demo_entries()[:25]
        await wait_for(pilot, lambda: screen.buffer.received == 25)
        assert len(screen.buffer) == 10
        assert "15 dropped" in screen.status_text().plain


async def test_race_raises_a_notification_and_pushes_the_trace_result():
    feb4 = [e for e in demo_entries() if e.timestamp.date() == date(2026, 2, 4)]
    source = ListSource()
    screen = LogsScreen(settings(), source)
    app = Host(screen)
    async with app.run_test(size=(120, 30)) as pilot:
        source.queue = feb4
        await wait_for(pilot, lambda: screen.alerts)
        assert "PlayerGameSummaryProcessor" in screen.alerts[0]
        assert any("PlayerGameSummaryProcessor" in told for told in app.told)
        assert app.pushed and app.pushed[-1].status.value == "fail"
        await pilot.press("escape")  # leaves the screen; the source is closed
        await pilot.pause()
        assert source.closed
