"""TUI fixtures: the app on the seeded demo with a FixedClock, and helpers that wait for workers."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from console.core.clock import FixedClock
from console.tui.app import NbaConsoleApp
from tests.conftest import DEMO_END

FEB3, FEB4 = date(2026, 2, 3), date(2026, 2, 4)
SIZE = (200, 50)


# Workers that run for as long as the screen shows (the live log stream) never "complete".
LONG_RUNNING = {"live-trace", "log-source"}


def finite_workers(app):
    return [w for w in app.workers if w.group not in LONG_RUNNING]


async def wait_finite(app) -> None:
    # Not wait_for_complete([]): an empty list means "every worker" to Textual.
    if workers := finite_workers(app):
        await app.workers.wait_for_complete(workers)


async def until(pilot, predicate, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - runs out as an assertion that says what it waited for
    """Let the app run until `predicate()` holds (a condition, never a fixed sleep)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out waiting for the condition"
        await pilot.pause(0.05)


async def settle(pilot, timeout: float = 20.0) -> None:  # noqa: ASYNC109 - runs out as an assertion that says what it waited for
    """Wait until the game date is known, no worker runs and every panel has a result or an error."""
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        await wait_finite(app)
        await pilot.pause()
        states = app.states.values()
        if (
            app.game_date is not None
            and all(w.is_finished for w in finite_workers(app))
            and all(not s.running and (s.result is not None or s.error is not None) for s in states)
        ):
            await pilot.pause()
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the app did not settle: {[(s.check_id, s.display_status) for s in app.states.values()]}")


async def settle_detail(pilot, timeout: float = 20.0) -> None:  # noqa: ASYNC109 - runs out as an assertion that says what it waited for
    screen = pilot.app.screen
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        await wait_finite(pilot.app)
        await pilot.pause()
        if getattr(screen, "rows", None) is not None:
            await pilot.pause()
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the detail screen did not load its rows")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEMO_END)


@pytest.fixture
def make_app(demo_settings, clock):
    def make(game_date: date | None = None, **kwargs) -> NbaConsoleApp:
        kwargs.setdefault("clock", clock)
        return NbaConsoleApp(kwargs.pop("settings", demo_settings), game_date=game_date, **kwargs)

    return make
