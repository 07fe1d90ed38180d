"""Refresh model: r, p, errors keep the last good value (stale), backoff, recovery, pushed results."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from console.backends.local_backend import LocalBackend
from console.core.errors import ErrorKind, SourceError
from console.core.models import CheckResult, Status
from console.local.scenario import DB_FILE, current_dir
from console.services.runner import SPECS
from tests.functional.conftest import FEB4, SIZE, settle

SQL_CHECKS = [s.id for s in SPECS if s.queries]


class FailingBackend(LocalBackend):
    """The demo, except that every SQL query fails like a BigQuery outage."""

    def run_query(self, name, params):
        raise SourceError(ErrorKind.UNAVAILABLE, f"{name}: backend unavailable (test)")


@pytest.mark.slow
async def test_r_refreshes_now_and_ages_come_from_the_clock(make_app, clock):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = {k: s.refreshed_at for k, s in app.states.items()}
        clock.advance(timedelta(seconds=42))
        app.redraw()
        await pilot.pause()
        assert "refreshed 42s ago" in str(app.screen.query_one("#panel-grading_coverage").border_subtitle)
        await pilot.press("r")
        await settle(pilot)
        assert all(s.refreshed_at == first[k] + timedelta(seconds=42) for k, s in app.states.items())
        assert "refreshed 0s ago" in str(app.screen.query_one("#panel-grading_coverage").border_subtitle)


async def test_p_pauses_the_refresh_loop_and_r_still_refreshes_once(make_app, clock, timers):
    app = make_app(FEB4, timers=timers)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = {k: s.refreshed_at for k, s in app.states.items()}
        assert set(timers.delays().values()) == {app.settings.refresh_seconds}  # each check's next run
        await pilot.press("p")
        assert app.paused
        clock.advance(timedelta(minutes=5))
        assert timers.fire() == len(SPECS)  # every check falls due: paused, the loop starts none of them
        await settle(pilot)
        assert {k: s.refreshed_at for k, s in app.states.items()} == before
        # `r` refreshes once while paused (k9s, htop), and the console stays paused.
        await pilot.press("r")
        await settle(pilot)
        assert all(s.refreshed_at == before[k] + timedelta(minutes=5) for k, s in app.states.items())
        assert app.paused
        clock.advance(timedelta(minutes=1))
        timers.fire()
        await settle(pilot)
        assert all(s.refreshed_at == before[k] + timedelta(minutes=5) for k, s in app.states.items())
        # Resumed: what fell due while paused runs at once, not a period later.
        await pilot.press("p")
        await settle(pilot)
        assert not app.paused
        assert all(s.refreshed_at == before[k] + timedelta(minutes=6) for k, s in app.states.items())


async def test_a_failing_source_shows_error_and_backs_off(make_app, demo_settings, timers):
    app = make_app(FEB4, backend_factory=FailingBackend, timers=timers)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for check_id in SQL_CHECKS:
            state = app.states[check_id]
            assert state.display_status == "error" and "backend unavailable" in state.error
            panel = app.screen.query_one(f"#panel-{check_id}")
            assert panel.has_class("-error")
        # Sources that are not SQL keep working: one outage does not take the screen down.
        assert app.states["phase3_completion"].display_status == "ok"
        # The next run of a failing check comes sooner than the period, and later each time.
        delays = []
        for _ in range(3):
            delays.append(timers.delays()["refresh grading_coverage"])
            timers.fire("refresh grading_coverage")
            await settle(pilot)
        tui = demo_settings.tui
        assert delays == [tui.retry_base_seconds * 2**n for n in range(3)]  # 5 s, 10 s, 20 s
        assert timers.delays()["refresh phase3_completion"] == demo_settings.refresh_seconds  # the healthy one
        assert app.is_running


async def test_database_removed_mid_session_goes_stale_then_recovers(make_app, demo_settings, clock):
    app = make_app(FEB4)
    db = current_dir(demo_settings) / DB_FILE
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        good = {k: app.states[k].result for k in SQL_CHECKS}
        db.rename(db.with_suffix(".gone"))
        clock.advance(timedelta(minutes=2))
        await pilot.press("r")
        await settle(pilot)
        for check_id in SQL_CHECKS:
            state = app.states[check_id]
            assert state.display_status == "stale"
            assert state.result == good[check_id]  # the last good value stays on screen
            assert "missing" in state.error
            subtitle = str(app.screen.query_one(f"#panel-{check_id}").border_subtitle)
            assert "stale" in subtitle and "2m 00s ago" in subtitle
        db.with_suffix(".gone").rename(db)
        await pilot.press("r")
        await settle(pilot)
        for check_id in SQL_CHECKS:
            state = app.states[check_id]
            assert state.display_status == good[check_id].status.value and state.error is None
            assert state.failures == 0


async def test_update_result_from_another_thread_reaches_the_panel(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pushed = CheckResult(
            id="sequential_execution",
            title="Sequential execution",
            status=Status.FAIL,
            summary="pushed from a log stream",
            value={},
        )
        thread = threading.Thread(target=app.update_result, args=("sequential_execution", pushed))
        thread.start()
        thread.join()
        await pilot.pause()
        await pilot.pause()
        assert app.states["sequential_execution"].result == pushed
        assert app.screen.query_one("#panel-sequential_execution").has_class("-fail")
