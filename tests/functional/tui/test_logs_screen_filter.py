"""The log screen at 7 AM: the status line and filter errors are on screen at every size, a
bad filter says why right under the box, `svc:` finds by part of the name, smart case, and
`l` on the log screen does not stack a second one."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from console.tui.screens.logs_screen import LogsScreen
from console.tui.widgets.console_footer import ConsoleFooter
from tests.functional.conftest import FEB4, settle, until


def _visible(screen, widget) -> bool:
    """On screen, whole, and not under the footer."""
    footer = screen.query_one(ConsoleFooter).region
    region = widget.region
    return widget.display and region.height > 0 and region.bottom <= footer.y and screen.region.contains_region(region)


async def _logs(pilot) -> LogsScreen:
    app = pilot.app
    await settle(pilot)
    await pilot.press("l")
    await until(pilot, lambda: isinstance(app.screen, LogsScreen))
    screen = app.screen
    await until(pilot, lambda: len(screen.buffer) > 0)
    return screen


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (200, 50)])
@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Level (", "bad regular expression 'Level ('"),
        ("sev:bogus", "unknown severity 'bogus'"),
        ("since:abc", "bad duration 'abc'"),
    ],
)
@pytest.mark.slow
async def test_bad_filter_is_said_under_the_box_at_every_size(make_app, size, text, said):
    app = make_app(FEB4)
    async with app.run_test(size=size) as pilot:
        screen = await _logs(pilot)
        status = screen.query_one("#logs-status", Static)
        assert _visible(screen, status) and "following" in str(status.render())
        shown = screen.buffer.shown_count
        await pilot.press("slash", *text)
        error = screen.query_one("#logs-filter-error", Static)
        assert _visible(screen, error) and said in str(error.render())
        box = screen.query_one("#logs-filter", Input)
        assert error.region.y == box.region.bottom  # right under where it was typed
        assert box.has_class("-invalid")
        assert screen.buffer.shown_count >= shown or "Level" in text  # the last good filter still applies
        assert _visible(screen, status) and "filter not applied" in str(status.render())
        await pilot.press(*["backspace"] * len(text))
        assert not error.display and not box.has_class("-invalid")


async def test_svc_finds_by_part_of_the_name_and_lowercase_finds_any_case(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _logs(pilot)
        box = screen.query_one("#logs-filter", Input)
        box.value = "svc:nba-phase3"
        await pilot.pause()
        rows = screen.buffer.shown_slice(0, screen.buffer.shown_count)
        assert rows and {e.service for e in rows} == {"nba-phase3-analytics-processors"}
        box.value = "level 1"
        await pilot.pause()
        rows = screen.buffer.shown_slice(0, screen.buffer.shown_count)
        assert rows and all("level 1" in e.text.lower() for e in rows)
        assert any("Level 1" in e.text for e in rows)
        box.value = "LEVEL 1"  # an uppercase letter: exact case, and the demo writes "Level"
        await pilot.pause()
        assert screen.buffer.shown_count == 0 and screen.filter_error is None


async def test_l_on_the_log_screen_does_not_stack_a_second_one(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _logs(pilot)
        depth = len(app.screen_stack)
        await pilot.press("l", "l")
        await pilot.pause()
        assert app.screen is screen and len(app.screen_stack) == depth
        await pilot.press("escape")
        assert not isinstance(app.screen, LogsScreen)
