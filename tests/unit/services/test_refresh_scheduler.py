"""RefreshScheduler without Textual: a fake set_timer records each timer, the test fires it.

Cadence, backoff, pause and modal holds, run-now while running, and rounds (generations)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.core.config import Settings
from console.core.models import CheckResult, Status
from console.services.refresh import RefreshScheduler
from panels.registry import PANELS
from tests.helpers.fake_timers import FakeTimers

T0 = datetime(2026, 2, 5, 16, 0, tzinfo=UTC)
IDS = [spec.id for spec in PANELS]
GRADING = "grading_coverage"


class Harness:
    def __init__(self, **settings) -> None:
        self.timers = FakeTimers()
        self.started: list[str] = []
        self.blocked = False
        self.scheduler = RefreshScheduler(
            PANELS,
            Settings(**settings),
            start=lambda spec: self.started.append(spec.id),
            set_timer=self.timers,
            blocked=lambda: self.blocked,
        )

    def end(self, check_id: str, status: Status = Status.OK, generation: int | None = None) -> bool:
        """The check's worker returned: its result on its state, then the scheduler told."""
        scheduler = self.scheduler
        generation = scheduler.generation if generation is None else generation
        if generation == scheduler.generation:
            error = "down" if status is Status.ERROR else None
            result = CheckResult(id=check_id, title=check_id, status=status, summary="", error=error)
            scheduler.states[check_id].apply(result, T0)
        return scheduler.finished(check_id, generation)

    def end_all(self) -> None:
        for check_id in IDS:
            self.end(check_id)


@pytest.fixture
def h() -> Harness:
    h = Harness()
    h.scheduler.start_round()
    return h


def test_a_round_starts_every_check_at_once_in_registry_order(h):
    assert h.started == IDS and all(s.running for s in h.scheduler.states.values())
    assert h.timers.armed == []  # nothing is timed while a check runs


def test_after_a_success_the_next_run_is_a_refresh_period_later(h):
    h.end_all()
    assert h.timers.delays() == {f"refresh {c}": 60.0 for c in IDS}
    h.started.clear()
    assert h.timers.fire(f"refresh {GRADING}") == 1
    assert h.started == [GRADING] and h.scheduler.states[GRADING].running


def test_failures_back_off_from_5s_doubling_to_300s_and_a_success_resets(h):
    delays = []
    for _ in range(8):
        h.end(GRADING, Status.ERROR)
        delays.append(h.timers.delays()[f"refresh {GRADING}"])
        h.timers.fire(f"refresh {GRADING}")
    assert delays == [5, 10, 20, 40, 80, 160, 300, 300]
    h.end(GRADING, Status.OK)
    assert h.timers.delays()[f"refresh {GRADING}"] == 60


def test_a_check_due_while_blocked_is_held_and_released_once(h):
    h.end_all()
    h.started.clear()
    h.blocked = True  # paused, or a modal on top
    h.timers.fire()
    assert h.started == [] and h.timers.armed == []
    h.scheduler.release()  # still blocked: nothing
    assert h.started == []
    h.blocked = False
    h.scheduler.release()
    assert h.started == IDS
    h.scheduler.release()  # released once, not again
    assert h.started == IDS


def test_run_now_runs_paused_and_a_running_check_runs_again_when_it_ends(h):
    h.blocked = True
    h.end(GRADING)
    h.started.clear()
    h.scheduler.run_now([GRADING, "dnp_pollution", "no_such_check"])  # dnp is still running
    assert h.started == [GRADING]  # at once, blocked or not
    assert h.timers.armed == []  # its timer is gone: the run replaces it
    h.end("dnp_pollution")
    assert h.started == [GRADING, "dnp_pollution"]  # ran again as soon as it ended
    h.end("dnp_pollution")
    assert h.started == [GRADING, "dnp_pollution"] and f"refresh {'dnp_pollution'}" in h.timers.delays()


def test_a_new_round_drops_the_old_rounds_runs_and_timers(h):
    old = h.scheduler.generation
    h.end(GRADING)
    armed = h.timers.armed
    h.started.clear()
    h.scheduler.start_round()
    assert all(t.stopped for t in armed)
    assert h.started == IDS and h.scheduler.generation == old + 1
    assert h.end("dnp_pollution", generation=old) is False  # a result for a date no longer shown
    assert h.scheduler.states["dnp_pollution"].running  # the new round's run still counts
    assert h.timers.armed == []
    armed[0].callback()  # a timer of the old round that fires anyway does nothing
    assert h.started == IDS


def test_stop_leaves_no_timer_armed(h):
    h.end_all()
    h.scheduler.stop()
    assert h.timers.armed == []
