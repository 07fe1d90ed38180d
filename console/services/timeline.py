"""The handoff's morning timeline, success criteria and expected metrics, judged from results.

Pure: check results (by id) and settings in, rows out. The TUI draws them; nothing here
knows about Textual. `None` means "cannot tell yet" (not due, still loading, source down).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypeVar

from console.core.config import Settings
from console.core.models import CheckResult, CheckValue, Status
from console.core.timefmt import for_people
from panels import dnp, grading, sequential, usage
from panels.spec import CheckSpec

V = TypeVar("V", bound=CheckValue)


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


@dataclass(frozen=True)
class Criterion:
    label: str
    met: bool | None
    detail: str


def _value(results: dict[str, CheckResult], spec: CheckSpec[V]) -> tuple[CheckResult | None, V | None]:
    result = results.get(spec.id)
    if result is None or result.status is Status.ERROR:
        return None, None
    return result, spec.value_of(result)


def criteria(results: dict[str, CheckResult], settings: Settings, game_date: date) -> list[Criterion]:
    t = settings.thresholds
    out: list[Criterion] = []

    graded, g = _value(results, grading.SPEC)
    cov = g.coverage_pct if g is not None else None
    not_due = graded is not None and graded.status is Status.UNKNOWN
    if cov is None or (not_due and cov < t.grading_trigger_pct):
        out.append(Criterion(f"grading >= {t.grading_trigger_pct:g}%", None, "not due" if not_due else "no data"))
    else:
        out.append(Criterion(f"grading >= {t.grading_trigger_pct:g}%", cov >= t.grading_trigger_pct, f"{cov:.1f}%"))

    seq, _ = _value(results, sequential.SPEC)
    met = None if seq is None or seq.status in (Status.UNKNOWN, Status.WARN) else seq.status is Status.OK
    # The verdict's first clause ("X started 92 min before Y") is the part worth a table cell.
    detail = (
        "no data"
        if seq is None
        else "in order"
        if met
        else seq.summary
        if seq.summary.startswith("overdue:")
        else seq.summary.split(":")[0]
    )
    out.append(Criterion("sequential Level 1 then Level 2", met, detail))

    label = f"coverage monitor no alerts (>= {t.coverage_monitor_pct:g}%)"
    if cov is None or (not_due and cov < t.coverage_monitor_pct):
        out.append(Criterion(label, None, "not due" if not_due else "no data"))
    else:
        out.append(Criterion(label, cov >= t.coverage_monitor_pct, f"{cov:.1f}%"))

    # The panel's verdict, read from the same rows: the screen never contradicts itself.
    polluted, d = _value(results, dnp.SPEC)
    if polluted is None or polluted.status is Status.UNKNOWN or d is None or d.game_date != game_date.isoformat():
        out.append(Criterion("DNP records blocked", None, f"no cache rows for {game_date}"))
    else:
        out.append(
            Criterion(
                "DNP records blocked",
                polluted.status is Status.OK,
                f"{d.game_date_dnp_rows}/{d.game_date_cache_rows} DNP rows",
            )
        )
    return out


@dataclass(frozen=True)
class Metric:
    name: str
    expected: str
    actual: str
    met: bool | None


def expected_metrics(results: dict[str, CheckResult], settings: Settings, game_date: date) -> list[Metric]:
    """The handoff's "Expected Metrics" table with the live value beside each line."""
    t = settings.thresholds
    _, u = _value(results, usage.SPEC)
    _, g = _value(results, grading.SPEC)
    crit = {c.label.split(" ")[0]: c for c in criteria(results, settings, game_date)}

    games = u.games if u is not None else None
    # No game processed yet is "pending", not a miss: Phase 3 runs 7:00-8:00 ET.
    rows = [
        Metric(
            "Games processed",
            str(t.expected_games),
            "-" if games is None else str(games),
            None if not games else games >= t.expected_games,
        )
    ]
    rows.append(
        Metric(
            "Predictions graded",
            f"~{t.expected_predictions} ({t.prediction_systems} systems)",
            "-" if g is None else f"{g.graded}/{g.predicted} ({len(g.systems)} systems)",
            None if g is None else crit["grading"].met,
        )
    )
    cov = g.coverage_pct if g is not None else None
    rows.append(
        Metric(
            "Grading coverage",
            f">= {t.grading_trigger_pct:g}%",
            "-" if cov is None else f"{cov:.1f}%",
            crit["grading"].met,
        )
    )
    for key, name, expected in (
        ("coverage", "Coverage monitor", "no alerts"),
        ("sequential", "Sequential execution", "Level 1 -> Level 2"),
        ("DNP", "Validation blocking", "DNP records blocked"),
    ):
        c = crit[key]
        rows.append(Metric(name, expected, c.detail, c.met))
    return rows
