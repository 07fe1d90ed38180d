"""Grading coverage: graded / predicted props of the game date (BigQuery), against the
80 % trigger; before the grading deadline, under the trigger is "not yet" (`unknown`), from
it on a failure, whose summary says whether it is also under the 70 % monitor line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import MISSING

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext, query_rows
from console.core.freshness import with_data_at
from console.core.models import CheckResult, CheckValue, GradingSystemRow, Row, Status
from panels.common import Due, num, pct, pct_text, value_as
from panels.games import deadline, grading_params, had_games
from panels.ranges import RangeReads, per_date
from panels.spec import CheckSpec, Criterion, Metric, Plot

if TYPE_CHECKING:
    from rich.text import Text

ID = "grading_coverage"
TITLE = "Grading coverage"


class UngradedPredictionRow(Row):
    """A row of ungraded_predictions.sql (the drill-down)."""

    system_id: str
    player_lookup: str
    predicted_points: float | None
    line_value: float | None
    recommendation: str | None


# ------------------------------------------------------------------ value


class GradingSystem(CheckValue):
    system_id: str
    predicted: int
    graded: int
    correct: int
    players: int
    coverage_pct: float | None


class GradingValue(CheckValue):
    predicted: int
    graded: int
    correct: int
    coverage_pct: float | None  # None: nothing predicted
    expected_predictions: int
    trigger_pct: float  # the thresholds in force, so every surface draws the lines judged by
    monitor_pct: float
    systems: list[GradingSystem]
    deadline: str | MISSING = MISSING  # only when overdue (a failure)
    overdue: bool | MISSING = MISSING
    no_games: bool | MISSING = MISSING


# ------------------------------------------------------------------ judge (pure)


# The rule in words, per status, as `check --help` prints it and the README's thresholds table
# reads (tests/functional/test_grading_rule.py holds both to what the judge below does). No
# `warn`: a verdict is never better than its evidence, so before the deadline an incomplete
# grading is not yet a problem (`unknown`), and from it on under the trigger is the failed test
# of the handoff ("Grading test succeeds (>= 80% coverage)"), whatever the monitor line says.
def rule(settings: Settings) -> dict[str, str]:
    trigger, at = f"{settings.thresholds.grading_trigger_pct:g}", f"{settings.deadlines.grading:%H:%M}"
    return {
        "ok": f">= {trigger} % graded (the grading trigger)",
        "warn": "never",
        "fail": f"< {trigger} % from the grading deadline ({at}) on; before it, unknown (not due yet)",
    }


def grading_coverage(rows: list[GradingSystemRow], settings: Settings, due: Due) -> CheckResult:
    """`due`: the grading deadline (09:00 ET by the handoff's timeline) as of the moment judged.
    Before it, under the trigger is "not yet" (`unknown`); from it on, under the trigger is a
    failure, and no predictions at all is a date without games (`ok`)."""
    t = settings.thresholds
    predicted = sum(r.predicted for r in rows)
    graded = sum(r.graded for r in rows)
    coverage = pct(graded, predicted)
    value = GradingValue(
        predicted=predicted,
        graded=graded,
        correct=sum(r.correct for r in rows),
        coverage_pct=coverage,
        expected_predictions=t.expected_predictions,
        trigger_pct=t.grading_trigger_pct,
        monitor_pct=t.coverage_monitor_pct,
        systems=[
            GradingSystem(
                system_id=r.system_id,
                predicted=r.predicted,
                graded=r.graded,
                correct=r.correct,
                players=r.players,
                coverage_pct=pct(r.graded, r.predicted),
            )
            for r in sorted(rows, key=lambda r: r.system_id)
        ],
    )

    def result(status: Status, summary: str, value: GradingValue = value) -> CheckResult:
        return CheckResult(id=ID, title=TITLE, status=status, summary=summary, value=value)

    if coverage is None:  # nothing predicted
        if due.passed and due.games is False:
            return result(Status.OK, "no games (no predictions for this game date)", value.updated(no_games=True))
        if due.passed and due.games:
            return result(Status.UNKNOWN, "no predictions for this game date, though it had games: nothing to grade")
        return result(Status.UNKNOWN, "no predictions for this game date")
    head = f"{graded}/{predicted} graded ({coverage:.1f}%) across {len(rows)} systems"
    if coverage >= t.grading_trigger_pct:
        return result(Status.OK, head)
    if not due.passed:
        return result(Status.UNKNOWN, f"{head}: grading not due until {due.label(settings)}")
    line = (
        f"below the {t.grading_trigger_pct:g}% trigger"
        if coverage >= t.coverage_monitor_pct
        else f"below the {t.coverage_monitor_pct:g}% monitor line"
    )
    return result(
        Status.FAIL,
        f"overdue: {head}: {line} at {due.label(settings)}",
        value.updated(deadline=due.at.isoformat(), overdue=True),
    )


# judge_grading: the fetched inputs of one game date -> its verdict. `check` and `history` (which
# fetches a range at once and splits it per date) both call it, so they cannot disagree.
def judge_grading(
    rows: list[GradingSystemRow], ctx: CheckContext, games_without_predictions: Callable[[], bool | None] | None = None
) -> CheckResult:
    """`games_without_predictions`: whether players were processed on a date with no
    predictions; asked only past the deadline when nothing was predicted."""
    at = deadline(ctx, ctx.settings.deadlines.grading)
    passed = ctx.as_of >= at
    predicted = sum(r.predicted for r in rows) > 0
    # Nothing predicted, past the deadline: a date without games, unless players were processed.
    if passed and not predicted:
        games = games_without_predictions() if games_without_predictions is not None else None
    else:
        games = predicted
    return grading_coverage(rows, ctx.settings, due=Due(at=at, passed=passed, games=games))


# ------------------------------------------------------------------ fetch


def fetch(backend: Backend, ctx: CheckContext) -> CheckResult:
    rows = query_rows(backend, "grading_coverage", GradingSystemRow, grading_params(ctx))
    result = judge_grading(rows, ctx, lambda: had_games(backend, ctx, predictions=False))
    return with_data_at(result, [r.last_graded_at for r in rows])


def drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    rows = query_rows(backend, "ungraded_predictions", UngradedPredictionRow, grading_params(ctx))
    return [r.model_dump() for r in rows]


def history(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
    return per_date(
        SPEC,
        ctxs,
        reads.grading,
        lambda by_date, ctx: judge_grading(
            by_date.get(ctx.game_date, []), ctx, lambda: had_games(backend, ctx, predictions=False)
        ),
    )


# ------------------------------------------------------------------ render


def render(result: CheckResult, tz: ZoneInfo) -> tuple[str, Text]:
    from rich.text import Text  # rich: only when drawn (`check --json` never draws)

    v = value_as(result, GradingValue)
    cov = v.coverage_pct
    body = Text(f"{v.graded}/{v.predicted} graded · trigger {v.trigger_pct:g}% · monitor {v.monitor_pct:g}%\n")
    if cov is not None:
        width = 30
        filled = round(width * min(cov, 100) / 100)
        bar = Text("█" * filled + "░" * (width - filled), style="green" if cov >= v.trigger_pct else "red")
        body.append_text(bar)
        body.append(f" {cov:.1f}%\n")
    for s in v.systems:
        low = (s.coverage_pct or 0) < v.trigger_pct
        body.append(
            f"  {s.system_id:<22.22} {s.graded:>4}/{s.predicted:<4} {pct_text(s.coverage_pct):>6}\n",
            style="red" if low else "",
        )
    return pct_text(cov), body


def headline(result: CheckResult) -> str:
    return num(value_as(result, GradingValue).coverage_pct)


def breakdown(result: CheckResult) -> tuple[str, list[dict[str, Any]]] | None:
    systems = value_as(result, GradingValue).systems
    return ("per system", [s.model_dump() for s in systems]) if systems else None


def markdown(value: CheckValue | None, tz: tzinfo) -> list[str]:
    if not isinstance(value, GradingValue) or not value.systems:
        return []
    out = ["", "| System | Predicted | Graded | Coverage |", "|---|---:|---:|---:|"]
    out += [f"| {s.system_id} | {s.predicted} | {s.graded} | {s.coverage_pct}% |" for s in value.systems]
    return out


def suggest(result: CheckResult) -> tuple[tuple[str, ...], str]:
    """The handoff rolls grading back only "if the grading test fails": 97.9 % never suggests it."""
    if result.status is not Status.FAIL:
        return (
            (),
            f"grading is {result.status.value}, not failed: the handoff rolls it back only when the grading test fails",
        )
    return ("rollback-grading-orchestration",), "the grading test failed (handoff: Rollback Procedures, option 1)"


def help_text(settings: Settings) -> str:
    rules = "\n".join(f"  {status:<5} {text}" for status, text in rule(settings).items())
    return f"{ID} (defaults: thresholds.grading_trigger_pct, deadlines.grading):\n{rules}"


def notify_rows(value: GradingValue, tz: tzinfo) -> list[str]:
    systems = sorted(value.systems, key=lambda s: s.coverage_pct or 0)
    return [f"{s.system_id}: {s.graded}/{s.predicted} graded" for s in systems]


def _line(label: str, line: float, result: CheckResult | None, cov: float | None, rank: int) -> Criterion:
    not_due = result is not None and result.status is Status.UNKNOWN
    if cov is None or (not_due and cov < line):
        return Criterion(label, None, "not due" if not_due else "no data", rank)
    return Criterion(label, cov >= line, f"{cov:.1f}%", rank)


def criteria(result: CheckResult | None, value: GradingValue | None, settings: Settings, day: date) -> list[Criterion]:
    """The handoff's first and third success criteria: the trigger, and no coverage-monitor alert."""
    t, cov = settings.thresholds, (value.coverage_pct if value is not None else None)
    return [
        _line(f"grading >= {t.grading_trigger_pct:g}%", t.grading_trigger_pct, result, cov, 1),
        _line(f"coverage monitor no alerts (>= {t.coverage_monitor_pct:g}%)", t.coverage_monitor_pct, result, cov, 3),
    ]


def metrics(value: GradingValue | None, own: list[Criterion], settings: Settings, day: date) -> list[Metric]:
    t = settings.thresholds
    trigger, monitor = own
    cov = value.coverage_pct if value is not None else None
    return [
        Metric(
            "Predictions graded",
            f"~{t.expected_predictions} ({t.prediction_systems} systems)",
            "-" if value is None else f"{value.graded}/{value.predicted} ({len(value.systems)} systems)",
            None if value is None else trigger.met,
            2,
        ),
        Metric(
            "Grading coverage", f">= {t.grading_trigger_pct:g}%", "-" if cov is None else f"{cov:.1f}%", trigger.met, 3
        ),
        Metric("Coverage monitor", "no alerts", monitor.detail, monitor.met, 4),
    ]


PLOT = Plot[GradingValue](
    "grading coverage %",
    lambda v: v.coverage_pct,
    lambda s: {"trigger": s.thresholds.grading_trigger_pct, "monitor": s.thresholds.coverage_monitor_pct},
)


SPEC = CheckSpec(
    ID,
    TITLE,
    fetch,
    drill,
    render,
    headline,
    short_title="grading",
    value_model=GradingValue,
    rows_title="Ungraded predictions",
    rows_empty="every prediction of the game date is graded (or none was made)",
    suggest=suggest,
    queries=("grading_coverage", "ungraded_predictions"),
    playbooks=("rollback-grading-orchestration",),
    breakdown=breakdown,
    markdown=markdown,
    history=history,
    history_queries=("history_grading",),
    notify_rows=notify_rows,
    criteria=criteria,
    metrics=metrics,
    plot=PLOT,
    help_text=help_text,
    worsen_by=-5.0,
)
