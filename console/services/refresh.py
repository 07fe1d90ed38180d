"""What a panel shows between refreshes: the last good result, the last error, and when.

Pure bookkeeping (no Textual): the app feeds every CheckResult here and asks what to show
and when to run the check again. A failed refresh never replaces a good value; it marks it
stale and schedules a retry with capped exponential backoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.core.models import LOADING, STALE, CheckResult, Status
from console.core.timefmt import format_duration


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
        return min(retry_base * 2 ** (self.failures - 1), retry_max)


def age_text(seconds: float | None) -> str:
    """`42s ago`, `2m 00s ago`, `1d 6h ago`; `never` before the first result."""
    return "never" if seconds is None else f"{format_duration(seconds)} ago"
