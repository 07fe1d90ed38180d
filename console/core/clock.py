"""Clocks. Everything that asks "what time is it" takes one, so tests fix it and the demo
replays the morning of 2026-02-05 on an accelerated clock (the data is filtered `as_of`
the clock, so processors complete and grading rows appear as the replay reaches them)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    moment: datetime

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta

    def move_to(self, day: date, tz: tzinfo) -> None:
        """The same time of day (in `tz`) on `day`: `--at 10:00` stays 10:00 on another
        processing date, so another game date is judged at the moment it would have been."""
        clock = self.moment.astimezone(tz).time()
        self.moment = datetime.combine(day, clock, tzinfo=tz)


@dataclass
class ReplayClock:
    """Starts at `start` and runs `speed` times faster than the wall clock, up to `end`."""

    start: datetime
    speed: float = 60.0
    end: datetime | None = None
    _t0: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        try:
            moment = self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)
        except OverflowError:  # ran past year 9999 (a replay of far-future entries, unbounded)
            moment = datetime.max.replace(tzinfo=UTC)
        return min(moment, self.end) if self.end else moment

    def jump_to_end(self) -> None:
        """Skip the rest of the replay (the console's `e`)."""
        if self.end is not None:
            self.start, self._t0 = self.end, time.monotonic()

    @property
    def finished(self) -> bool:
        return self.end is not None and self.now() >= self.end


# The demo morning: 06:00 to 11:00 ET on 2026-02-05 (the handoff's monitoring window).
DEMO_START = datetime(2026, 2, 5, 11, 0, tzinfo=UTC)
DEMO_END = datetime(2026, 2, 5, 16, 0, tzinfo=UTC)
