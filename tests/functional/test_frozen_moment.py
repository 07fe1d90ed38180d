"""Issue 23 item 6: frozen with `--at`, the moment moves with the date. `[` `]` `g` `t` keep
the time of day on the new date's processing date, and the header shows the new moment."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from textual.widgets import Input

from console.core.clock import FixedClock
from console.services.runner import CheckContext, run_all
from console.tui.screens.goto_modal import GotoDateModal
from tests.functional.conftest import FEB3, FEB4, SIZE, settle

ET = ZoneInfo("America/New_York")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ET)


def header(app) -> str:
    return str(app.screen.query_one("#header").render())


def statuses(app) -> dict[str, str]:
    return {k: s.display_status for k, s in app.states.items()}


async def test_brackets_keep_the_time_of_day_on_the_new_processing_date(make_app, demo_backend, demo_settings):
    """`--date 2026-02-03 --at 10:00`, then `]`: Feb 4 is judged as of Feb 5 10:00, not as
    of Feb 4 10:00 (before its processing date: every check `unknown`)."""
    clock = FixedClock(at(date(2026, 2, 4), 10))
    app = make_app(FEB3, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "FROZEN AT 10:00" in header(app) and "Wed Feb 04" in header(app)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.game_date == FEB4 and clock.now() == at(date(2026, 2, 5), 10)
        assert "FROZEN AT 10:00" in header(app) and "10:00:00 EST Thu Feb 05" in header(app)
        want = run_all(demo_backend, CheckContext(demo_settings, FEB4, at(date(2026, 2, 5), 10)))
        assert statuses(app) == {c.id: c.status.value for c in want.checks}
        assert set(statuses(app).values()) != {"unknown"}  # Feb 5 10:00: Phase 3 and grading have run
        assert app.states["grading_coverage"].result.value.graded == 743
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.game_date == FEB3 and clock.now() == at(date(2026, 2, 4), 10)
        assert "10:00:00 EST Wed Feb 04" in header(app)


async def test_g_and_t_move_the_moment_too(make_app):
    clock = FixedClock(at(date(2026, 2, 5), 7, 30))
    app = make_app(FEB4, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GotoDateModal)
        app.screen.query_one(Input).value = "2026-01-26"
        await pilot.press("enter")
        await settle(pilot)
        assert app.game_date == date(2026, 1, 26) and clock.now() == at(date(2026, 1, 27), 7, 30)
        assert "07:30:00 EST Tue Jan 27" in header(app)
        await pilot.press("t")  # the default date (the latest in the data), at 07:30 on its processing date
        await settle(pilot)
        assert app.game_date == FEB4 and clock.now() == at(date(2026, 2, 5), 7, 30)


async def test_the_time_of_day_is_kept_across_a_dst_change(make_app, demo_settings):
    """07:30 EST in January stays 07:30 on a date in EDT (a local time, not a UTC offset)."""
    from console.core.clock import FixedClock as Clock

    clock = Clock(at(date(2026, 2, 5), 7, 30))
    clock.move_to(date(2026, 3, 9), ET)
    assert clock.now().astimezone(ET).strftime("%H:%M %Z") == "07:30 EDT"
