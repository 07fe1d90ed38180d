"""What a panel shows between refreshes, and when each check runs again.

Pure bookkeeping (no Textual): PanelState keeps the last good result, the last error and
when; a failed refresh never replaces a good value, it marks it stale. RefreshScheduler
decides when each check runs: one one-shot timer per check (the app passes Textual's
`set_timer`, the tests a fake they fire by hand), armed when a run ends with the refresh
period or, after failures, a capped exponential backoff.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from console.core.config import Settings
from console.core.models import LOADING, STALE, CheckResult, Status
from console.core.timefmt import format_duration
from panels.spec import CheckSpec


@dataclass
class PanelState:
    check_id: str
    title: str
    result: CheckResult | None = None  # the last result that was not an error
    refreshed_at: datetime | None = None  # when `result` arrived (injected clock)
    error: str | None = None  # the last refresh's error, cleared by a good result
    error_at: datetime | None = None
    failures: int = 0  # consecutive errors, drives the backoff
    running: bool = False

    def apply(self, result: CheckResult, at: datetime) -> None:
        if result.status is Status.ERROR:
            self.error = result.error or result.summary
            self.error_at = at
            self.failures += 1
        else:
            self.result = result
            self.refreshed_at = at
            self.error = None
            self.error_at = None
            self.failures = 0

    @property
    def display_status(self) -> str:
        """ok / warn / fail / unknown from the result; error or stale when the source failed."""
        if self.error is not None:
            return STALE if self.result is not None else Status.ERROR.value
        if self.result is None:
            return LOADING
        return self.result.status.value

    @property
    def shown(self) -> CheckResult | None:
        """The result whose numbers the panel draws: the last good one, even when stale."""
        return self.result

    def age_seconds(self, now: datetime) -> float | None:
        if self.refreshed_at is None:
            return None
        return max(0.0, (now - self.refreshed_at).total_seconds())

    def next_delay(self, refresh_seconds: float, retry_base: float, retry_max: float) -> float:
        """Seconds until the next run: the refresh period, or a backoff after failures."""
        if self.failures == 0:
            return refresh_seconds
        return min(retry_base * 2.0 ** (self.failures - 1), retry_max)


def age_text(seconds: float | None) -> str:
    """`42s ago`, `2m 00s ago`, `1d 6h ago`; `never` before the first result."""
    return "never" if seconds is None else f"{format_duration(seconds)} ago"


class TimerHandle(Protocol):
    def stop(self) -> None: ...


class SetTimer(Protocol):
    """Textual's `App.set_timer` (a one-shot timer on the app's event loop), or a test's fake."""

    def __call__(self, delay: float, callback: Callable[[], object], *, name: str | None = None) -> TimerHandle: ...


class RefreshScheduler:
    """When each check runs: once per round (the first game date, every date change), then
    again a refresh period after each run ends (sooner and doubling after failures).

    A timer that fires while `blocked()` (paused, a modal has the user's attention) holds its
    check; `release()` (the app calls it when the screen changes and on resume) runs the held
    ones. `run_now` runs checks at once, paused or not; one already running runs again when it
    ends. Each round has a generation: a run of an older round ends without touching anything.
    `start(spec)` is the app's: it starts the check's worker and calls `finished` when it ends.
    """

    def __init__(
        self,
        specs: Sequence[CheckSpec[Any]],
        settings: Settings,
        start: Callable[[CheckSpec[Any]], None],
        set_timer: SetTimer,
        blocked: Callable[[], bool],
    ) -> None:
        self.specs = {spec.id: spec for spec in specs}
        self.settings = settings
        self._start, self._set_timer, self._blocked = start, set_timer, blocked
        self.generation = 0
        self.states: dict[str, PanelState] = self._fresh_states()
        self._timers: dict[str, TimerHandle] = {}
        self._held: set[str] = set()  # due while blocked: run on release()
        self._rerun: set[str] = set()  # asked for while running: run again when the run ends

    def _fresh_states(self) -> dict[str, PanelState]:
        return {spec.id: PanelState(spec.id, spec.title) for spec in self.specs.values()}

    @property
    def running(self) -> bool:
        return any(state.running for state in self.states.values())

    def start_round(self) -> None:
        """A new game date (or the first): empty panels, every check now, paused or not. Runs
        of the previous round still going end unheard (their generation is gone)."""
        self.stop()
        self.generation += 1
        self.states = self._fresh_states()
        for check_id in self.specs:
            self._run(check_id)

    def run_now(self, check_ids: Iterable[str]) -> None:
        """Run these checks at once, paused or not (`r`, a finished playbook)."""
        for check_id in check_ids:
            state = self.states.get(check_id)
            if state is None:
                continue
            if state.running:
                self._rerun.add(check_id)
            else:
                self._run(check_id)

    def finished(self, check_id: str, generation: int) -> bool:
        """A run ended and its result is on its state: arm its next run. False (and nothing
        done) for a run of an older round, whose result must be dropped."""
        if generation != self.generation or check_id not in self.states:
            return False
        state = self.states[check_id]
        state.running = False
        if check_id in self._rerun:
            self._rerun.discard(check_id)
            self._run(check_id)
            return True
        tui = self.settings.tui
        delay = state.next_delay(self.settings.refresh_seconds, tui.retry_base_seconds, tui.retry_max_seconds)
        self._timers[check_id] = self._set_timer(
            delay, partial(self._due, check_id, self.generation), name=f"refresh {check_id}"
        )
        return True

    def release(self) -> None:
        """Run the checks that fell due while blocked (a modal closed, the refresh resumed)."""
        if self._held and not self._blocked():
            held, self._held = self._held, set()
            for check_id in self.specs:  # registry order, as a round starts them
                if check_id in held:
                    self._run(check_id)

    def stop(self) -> None:
        """No timer left armed (a new round, the app closing)."""
        timers, self._timers = self._timers, {}
        for timer in timers.values():
            timer.stop()
        self._held.clear()
        self._rerun.clear()

    def _due(self, check_id: str, generation: int) -> None:
        if generation != self.generation:
            return
        self._timers.pop(check_id, None)
        if self._blocked():
            self._held.add(check_id)
        else:
            self._run(check_id)

    def _run(self, check_id: str) -> None:
        if (timer := self._timers.pop(check_id, None)) is not None:
            timer.stop()
        self._held.discard(check_id)
        self.states[check_id].running = True
        self._start(self.specs[check_id])
