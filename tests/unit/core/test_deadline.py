"""core/deadline.py with an injected clock: what a source sees of its budget, to the
millisecond, without waiting on wall time (the gcp fault tests bound the whole path loosely;
the precision lives here)."""

from __future__ import annotations

import threading

import pytest

from console.core.deadline import Deadline, current_deadline, run_with_deadline


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_remaining_counts_down_with_the_clock_and_expires_exactly_at_the_budget():
    clock = FakeClock()
    deadline = Deadline(4.0, clock=clock)
    assert deadline.remaining() == 4.0 and not deadline.expired
    clock.now += 3.5
    assert deadline.remaining() == pytest.approx(0.5) and not deadline.expired
    clock.now += 0.5
    assert deadline.expired
    # Never zero or negative: a zero timeout means "no timeout" to some clients.
    assert deadline.remaining() == 0.05 and deadline.remaining(floor=0.2) == 0.2
    clock.now += 60
    assert deadline.remaining() == 0.05


def test_a_call_sees_its_budget_or_the_shared_deadline():
    seen = []
    ok, value = run_with_deadline(lambda: seen.append(current_deadline()) or "done", 7.0, 30.0)
    assert (ok, value) == (True, "done") and seen[0].seconds == 7.0
    shared = Deadline(2.0, clock=FakeClock())
    assert run_with_deadline(current_deadline, 7.0, 30.0, deadline=shared) == (True, shared)


def test_outside_a_bounded_call_there_is_no_deadline_unless_a_default_is_asked():
    assert current_deadline() is None
    fresh = current_deadline(3.0)
    assert fresh is not None and fresh.seconds == 3.0


def test_the_caller_stops_waiting_at_the_hard_limit_and_errors_reach_it():
    release = threading.Event()
    try:
        assert run_with_deadline(release.wait, 0.01, 0.05) == (False, None)  # the call never returned
    finally:
        release.set()

    def fails():
        raise ValueError("from the source")

    with pytest.raises(ValueError, match="from the source"):
        run_with_deadline(fails, 1.0, 30.0)
