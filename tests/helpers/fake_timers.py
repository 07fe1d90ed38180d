"""Timers a test fires by hand: what the app's RefreshScheduler gets instead of Textual's
`set_timer`, so "the refresh period passed" is a call, never a wait on the wall clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class FakeTimer:
    delay: float
    callback: Callable[[], object]
    name: str | None
    stopped: bool = False
    fired: bool = False

    def stop(self) -> None:
        self.stopped = True


class FakeTimers:
    """Pass an instance where `set_timer` is expected (`NbaConsoleApp(..., timers=fake)`)."""

    def __init__(self) -> None:
        self.made: list[FakeTimer] = []

    def __call__(self, delay: float, callback: Callable[[], object], *, name: str | None = None) -> FakeTimer:
        timer = FakeTimer(delay, callback, name)
        self.made.append(timer)
        return timer

    @property
    def armed(self) -> list[FakeTimer]:
        return [t for t in self.made if not t.stopped and not t.fired]

    def delays(self) -> dict[str, float]:
        """name -> delay of every armed timer."""
        return {t.name or "": t.delay for t in self.armed}

    def fire(self, name: str | None = None) -> int:
        """Fire the armed timers (those named `name`, or all), as if their delay had passed."""
        due = [t for t in self.armed if name is None or t.name == name]
        for timer in due:
            timer.fired = True
            timer.callback()
        return len(due)
