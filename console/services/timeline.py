"""The handoff's morning timeline, success criteria and expected metrics, judged from results.

Pure: check results (by id) and settings in, rows out. The criteria and metrics are the
checks' own (their `criteria` and `metrics` hooks, panels/spec.py), gathered by
panels/dispatch.py. The TUI draws them; nothing here knows about Textual. `None` means
"cannot tell yet" (not due, still loading, source down).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from console.core.config import Settings
from console.core.models import CheckResult
from console.core.timefmt import for_people
from panels import dispatch
from panels.spec import Criterion, Metric

__all__ = ["WINDOWS", "Criterion", "Metric", "Window", "criteria", "current_window", "expected_metrics", "window_note"]


@dataclass(frozen=True)
class Window:
    start: time
    end: time
    label: str
    tasks: str


# "Tomorrow Morning Test (Feb 5, 6-11 AM ET)" of the Session 124 handoff.
WINDOWS: tuple[Window, ...] = (
    Window(time(6), time(7), "6:00", "verify deployments; Phase 3 status for the game date"),
    Window(time(7), time(8), "7:00-8:00", "Phase 3 processes the games; coverage >= 80% triggers grading"),
    Window(time(8), time(9), "8:00-9:00", "grading results (~759); coverage monitor >= 70%, no alerts"),
    Window(time(9), time(11), "9:00-11:00", "full success criteria checklist; document results"),
)


def current_window(as_of: datetime, processing_date: date, settings: Settings) -> int | None:
    """Index of the window `as_of` falls in on the processing date (zone of the settings)."""
    local = as_of.astimezone(settings.tz)
    if local.date() != processing_date:
        return None
    return next((i for i, w in enumerate(WINDOWS) if w.start <= local.time() < w.end), None)


def window_note(as_of: datetime, processing_date: date, settings: Settings) -> str:
    local = as_of.astimezone(settings.tz)
    first, last = WINDOWS[0].start, WINDOWS[-1].end

    def clock(moment: time) -> str:  # `11:00 EST`: the zone's abbreviation on that date
        return for_people(datetime.combine(processing_date, moment, tzinfo=settings.tz), settings.tz, "clock")

    if local.date() < processing_date or (local.date() == processing_date and local.time() < first):
        return f"before the morning window ({clock(first)} on {processing_date})"
    if local.date() > processing_date or local.time() >= last:
        return f"morning window over ({clock(last)} on {processing_date})"
    return f"now {for_people(local, settings.tz, 'clock')}"


def criteria(results: Mapping[str, CheckResult], settings: Settings, game_date: date) -> list[Criterion]:
    """The handoff's success criteria, each from its check's `criteria` hook, in the checklist's order."""
    return dispatch.criteria(results, settings, game_date)


def expected_metrics(results: Mapping[str, CheckResult], settings: Settings, game_date: date) -> list[Metric]:
    """The handoff's "Expected Metrics" table with the live value beside each line, each from
    its check's `metrics` hook (met as that check's own criteria say)."""
    return dispatch.metrics(results, settings, game_date)
