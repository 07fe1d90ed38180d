"""Issue 23: a playbook run in the console records its deploy in the deploy history. On the
demo's replay clock it happens in the replayed morning (the panels judge as of that clock,
so they show it); the moments before keep the deploys they had."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from textual.app import App

from console.core.clock import ReplayClock
from console.core.deploys import service_at
from console.tui.screens.playbooks_screen import ConfirmationModal, PlaybooksScreen, TypedNameModal
from tests.functional.conftest import until

SERVICE = "nba-phase3-analytics-processors"
REPLAYED = datetime(2026, 2, 5, 15, 30, tzinfo=UTC)  # 10:30 ET in the demo's morning


class Host(App):
    def __init__(self, settings, backend, clock):
        super().__init__()
        self.args, self.clock = (settings, lambda: backend, "disable-sequential-execution"), clock

    def on_mount(self) -> None:
        self.push_screen(PlaybooksScreen(*self.args))


@pytest.mark.slow
async def test_a_flag_flipped_on_the_replay_clock_is_a_revision_of_the_replayed_morning(demo_settings, demo_backend):
    app = Host(demo_settings, demo_backend, ReplayClock(REPLAYED, speed=0.0))  # speed 0: the clock stands still
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        screen = app.screen
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmationModal))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, TypedNameModal))
        await pilot.press(*SERVICE, "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmationModal) and app.screen.step.index == 1)
        await pilot.press("y")
        await until(pilot, lambda: not screen.running)
    analytics = demo_backend.deploy_state().service(SERVICE)
    newest = analytics.revisions[-1]
    assert newest.created_at == REPLAYED and newest.env["SEQUENTIAL_EXECUTION_ENABLED"] == "false"
    assert newest.commit == "06934c94"  # an env update keeps the code
    before = service_at(analytics, REPLAYED - timedelta(minutes=1)).revision
    assert before.env["SEQUENTIAL_EXECUTION_ENABLED"] == "true"  # the morning before the flip keeps its flag
    assert service_at(analytics, REPLAYED).revision is newest
