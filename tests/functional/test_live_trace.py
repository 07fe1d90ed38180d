"""The sequential panel follows the log stream between refreshes, and a violation is
announced at once."""

from __future__ import annotations

from datetime import timedelta

from console.core.clock import DEMO_START, FixedClock
from console.core.models import Status
from tests.functional.conftest import FEB3, FEB4, SIZE, settle, until


async def test_race_is_notified_from_the_stream(make_app):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: any("Sequential violation" in n.message for n in app._notifications))
        note = next(n for n in app._notifications if "Sequential violation" in n.message)
        assert note.severity == "error" and "PlayerGameSummaryProcessor" in note.message


async def test_level_lines_move_the_panel_between_refreshes(make_app, demo_settings):
    # 07:10 ET on the demo morning: Level 1 has started, nothing else yet.
    clock = FixedClock(DEMO_START + timedelta(hours=1, minutes=10))
    slow = demo_settings.model_copy(update={"refresh_seconds": 3600})  # no refresh will run again
    app = make_app(FEB4, clock=clock, settings=slow)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        state = app.states["sequential_execution"]
        assert state.result.status is Status.UNKNOWN and "Level 1" in state.result.summary
        clock.advance(timedelta(minutes=50))  # 08:00 ET: both levels done, by the stream alone
        await until(pilot, lambda: state.result.status is Status.OK)
        assert "Level 1 then Level 2" in state.result.summary
        assert not any("Sequential violation" in n.message for n in app._notifications)


async def test_good_morning_raises_no_alert(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(0.5)
        assert app.states["sequential_execution"].result.status is Status.OK
        assert not any(n.severity == "error" for n in app._notifications)


async def test_e_ends_the_demo_replay_and_every_panel_shows_the_finished_morning(make_app, demo_settings):
    from console.core.clock import DEMO_END, ReplayClock

    clock = ReplayClock(DEMO_START + timedelta(minutes=55), speed=1.0, end=DEMO_END)  # 06:55 ET, real time
    app = make_app(FEB4, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.states["grading_coverage"].result.value.graded == 0
        assert app.check_action("replay_end", ()) is True
        await pilot.press("e")
        await settle(pilot)
        await until(pilot, lambda: app.states["sequential_execution"].result.status is Status.OK)
        assert app.states["grading_coverage"].result.value.graded == 743
        assert app.states["phase3_completion"].result.value.completed == 5
        assert app.check_action("replay_end", ()) is False  # nothing left to skip


async def test_e_is_not_offered_on_a_real_or_fixed_clock(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.check_action("replay_end", ()) is False
