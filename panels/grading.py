"""Grading coverage: graded / predicted props of the game date (BigQuery), against the
80 % trigger; before the grading deadline, under the trigger is "not yet" (`unknown`), from
it on a failure, whose summary says whether it is also under the 70 % monitor line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext, query_rows
from console.core.freshness import with_data_at
from console.core.models import CheckResult, GradingSystemRow, Row, Status
from panels.common import Due, num, pct, pct_text
from panels.games import deadline, grading_params, had_games
from panels.ranges import RangeReads, per_date
from panels.spec import CheckSpec

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
    value = {
        "predicted": predicted,
        "graded": graded,
        "correct": sum(r.correct for r in rows),
        "coverage_pct": coverage,
        "expected_predictions": t.expected_predictions,
        "trigger_pct": t.grading_trigger_pct,
        "monitor_pct": t.coverage_monitor_pct,
        "systems": [
            {**r.model_dump(), "coverage_pct": pct(r.graded, r.predicted)}
            for r in sorted(rows, key=lambda r: r.system_id)
        ],
    }
    base = dict(id=ID, title=TITLE, value=value)
    if predicted == 0:
        if due.passed and due.games is False:
            return CheckResult(
                **{**base, "value": {**value, "no_games": True}},
                status=Status.OK,
                summary="no games (no predictions for this game date)",
            )
        if due.passed and due.games:
            return CheckResult(
                **base,
                status=Status.UNKNOWN,
                summary="no predictions for this game date, though it had games: nothing to grade",
            )
        return CheckResult(**base, status=Status.UNKNOWN, summary="no predictions for this game date")
    head = f"{graded}/{predicted} graded ({coverage:.1f}%) across {len(rows)} systems"
    if coverage >= t.grading_trigger_pct:
        return CheckResult(**base, status=Status.OK, summary=head)
    if not due.passed:
        return CheckResult(
            **base, status=Status.UNKNOWN, summary=f"{head}: grading not due until {due.label(settings)}"
        )
    line = (
        f"below the {t.grading_trigger_pct:g}% trigger"
        if coverage >= t.coverage_monitor_pct
        else f"below the {t.coverage_monitor_pct:g}% monitor line"
    )
    return CheckResult(
        **{**base, "value": {**value, "deadline": due.at.isoformat(), "overdue": True}},
        status=Status.FAIL,
        summary=f"overdue: {head}: {line} at {due.label(settings)}",
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

    v = result.value
    cov = v.get("coverage_pct")
    body = Text(
        f"{v.get('graded', 0)}/{v.get('predicted', 0)} graded · trigger {v.get('trigger_pct', 80):g}% · "
        f"monitor {v.get('monitor_pct', 70):g}%\n"
    )
    if cov is not None:
        width = 30
        filled = int(round(width * min(cov, 100) / 100))
        bar = Text("█" * filled + "░" * (width - filled), style="green" if cov >= v.get("trigger_pct", 80) else "red")
        body.append_text(bar)
        body.append(f" {cov:.1f}%\n")
    for s in v.get("systems", []):
        low = (s.get("coverage_pct") or 0) < v.get("trigger_pct", 80)
        body.append(
            f"  {s['system_id']:<22.22} {s['graded']:>4}/{s['predicted']:<4} {pct_text(s.get('coverage_pct')):>6}\n",
            style="red" if low else "",
        )
    return pct_text(cov), body


def headline(result: CheckResult) -> str:
    return num(result.value.get("coverage_pct"))


def breakdown(result: CheckResult) -> tuple[str, list[dict[str, Any]]] | None:
    systems = result.value.get("systems")
    return ("per system", systems) if systems else None


def markdown(value: dict, tz: ZoneInfo | None = None) -> list[str]:
    if not value.get("systems"):
        return []
    out = ["", "| System | Predicted | Graded | Coverage |", "|---|---:|---:|---:|"]
    out += [f"| {s['system_id']} | {s['predicted']} | {s['graded']} | {s['coverage_pct']}% |" for s in value["systems"]]
    return out


def suggest(result: CheckResult) -> tuple[tuple[str, ...], str]:
    """The handoff rolls grading back only "if the grading test fails": 97.9 % never suggests it."""
    if result.status is not Status.FAIL:
        return (
            (),
            f"grading is {result.status.value}, not failed: the handoff rolls it back only when the grading test fails",
        )
    return ("rollback-grading-orchestration",), "the grading test failed (handoff: Rollback Procedures, option 1)"


SPEC = CheckSpec(
    ID,
    TITLE,
    fetch,
    drill,
    render,
    headline,
    short_title="grading",
    suggest=suggest,
    queries=("grading_coverage", "ungraded_predictions"),
    playbooks=("rollback-grading-orchestration",),
    breakdown=breakdown,
    markdown=markdown,
    history=history,
    history_queries=("history_grading",),
)
