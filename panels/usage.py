"""Usage-rate coverage: active players of the game date with a usage rate (BigQuery);
a game with none at all, or an impossible value (> usage_rate_max_pct), needs a look."""

from __future__ import annotations

from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext, query_rows
from console.core.freshness import with_data_at
from console.core.models import CheckResult, CheckValue, Row, Status, UsageGameRow
from panels.common import format_game, num, pct, pct_text, value_as
from panels.games import usage_params
from panels.ranges import RangeReads, per_date
from panels.spec import CheckSpec, Criterion, Metric, Plot

if TYPE_CHECKING:
    from rich.text import Text

ID = "usage_rate_coverage"
TITLE = "Usage-rate coverage"


class UsagePlayerRow(Row):
    """A row of usage_problem_players.sql (the drill-down)."""

    game_id: str
    player_lookup: str
    player_name: str
    team_abbr: str
    minutes_played: float | None
    points: int | None
    usage_rate: float | None
    problem: Literal["missing", "impossible"]


# ------------------------------------------------------------------ value


class FailingGame(CheckValue):
    """A game whose active players have no usage rate at all."""

    game_id: str
    game: str  # `PHX @ POR`
    players: int


class UsageGame(CheckValue):
    game_id: str
    active_players: int
    with_usage: int
    impossible: int
    max_usage_rate: float | None
    game: str
    coverage_pct: float | None


class UsageValue(CheckValue):
    games: int
    active_players: int
    with_usage: int
    missing: int
    coverage_pct: float | None  # None: no active players
    target_pct: float
    impossible: int  # usage rates above usage_rate_max_pct
    max_usage_rate: float | None
    failing_games: list[FailingGame]
    per_game: list[UsageGame]


# ------------------------------------------------------------------ judge (pure)


def usage_rate_coverage(games: list[UsageGameRow], settings: Settings) -> CheckResult:
    t = settings.thresholds
    active = sum(g.active_players for g in games)
    with_usage = sum(g.with_usage for g in games)
    impossible = sum(g.impossible for g in games)
    rate = pct(with_usage, active)
    failing = [g for g in games if g.active_players and g.with_usage == 0]
    max_rate = max((g.max_usage_rate for g in games if g.max_usage_rate is not None), default=None)
    value = UsageValue(
        games=len(games),
        active_players=active,
        with_usage=with_usage,
        missing=active - with_usage,
        coverage_pct=rate,
        target_pct=t.usage_rate_target_pct,
        impossible=impossible,
        max_usage_rate=max_rate,
        failing_games=[
            FailingGame(game_id=g.game_id, game=format_game(g.game_id), players=g.active_players) for g in failing
        ],
        per_game=[
            UsageGame(
                game_id=g.game_id,
                active_players=g.active_players,
                with_usage=g.with_usage,
                impossible=g.impossible,
                max_usage_rate=g.max_usage_rate,
                game=format_game(g.game_id),
                coverage_pct=pct(g.with_usage, g.active_players),
            )
            for g in games
        ],
    )
    if rate is None:  # no active players
        return CheckResult(
            id=ID, title=TITLE, status=Status.UNKNOWN, summary="no active players for this game date", value=value
        )
    parts = [f"{with_usage}/{active} active players have a usage rate ({rate:.1f}%)"]
    if failing:
        parts.append(
            "no usage rate at all: " + ", ".join(f"{format_game(g.game_id)} ({g.active_players})" for g in failing)
        )
    if impossible:
        parts.append(f"{impossible} impossible values (max {max_rate or 0:.0f}%)")
    summary = "; ".join(parts)
    if impossible:
        status = Status.FAIL
    elif rate < t.usage_rate_target_pct or failing:
        status = Status.WARN
    else:
        status = Status.OK
    return CheckResult(id=ID, title=TITLE, status=status, summary=summary, value=value)


def judge_usage(games: list[UsageGameRow], ctx: CheckContext) -> CheckResult:
    return usage_rate_coverage(games, ctx.settings)


# ------------------------------------------------------------------ fetch


def fetch(backend: Backend, ctx: CheckContext) -> CheckResult:
    games = query_rows(backend, "usage_by_game", UsageGameRow, usage_params(ctx))
    return with_data_at(judge_usage(games, ctx), [g.last_processed_at for g in games])


def drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    rows = query_rows(backend, "usage_problem_players", UsagePlayerRow, usage_params(ctx))
    return [{**r.model_dump(), "game": format_game(r.game_id)} for r in rows]


def history(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
    return per_date(SPEC, ctxs, reads.usage, lambda by_date, ctx: judge_usage(by_date.get(ctx.game_date, []), ctx))


# ------------------------------------------------------------------ render


def render(result: CheckResult, tz: ZoneInfo) -> tuple[str, Text]:
    from rich.text import Text  # rich: only when drawn (`check --json` never draws)

    v = value_as(result, UsageValue)
    body = Text(f"{v.with_usage}/{v.active_players} active players · target {v.target_pct:g}%\n")
    for g in v.failing_games:
        body.append(f"  {g.game}: no usage rate ({g.players} players)\n", style="bold red")
    if v.impossible:
        body.append(f"  {v.impossible} impossible values (max {v.max_usage_rate or 0:.0f}%)\n", style="bold red")
    failing = {f.game_id for f in v.failing_games}
    for pg in v.per_game:
        if pg.game_id in failing:
            continue
        body.append(
            f"  {pg.game:<10} {pg.with_usage:>3}/{pg.active_players:<3} {pct_text(pg.coverage_pct):>6}\n",
            style="yellow" if (pg.coverage_pct or 0) < v.target_pct else "",
        )
    return pct_text(v.coverage_pct), body


def headline(result: CheckResult) -> str:
    return num(value_as(result, UsageValue).coverage_pct)


def breakdown(result: CheckResult) -> tuple[str, list[dict[str, Any]]] | None:
    per_game = value_as(result, UsageValue).per_game
    return ("per game", [g.model_dump(exclude={"game_id"}) for g in per_game]) if per_game else None


def markdown(value: CheckValue | None, tz: tzinfo) -> list[str]:
    if not isinstance(value, UsageValue) or not value.per_game:
        return []
    out = ["", "| Game | Active | With usage | Impossible |", "|---|---:|---:|---:|"]
    out += [f"| {g.game} | {g.active_players} | {g.with_usage} | {g.impossible} |" for g in value.per_game]
    return out


def notify_rows(value: UsageValue, tz: tzinfo) -> list[str]:
    rows = [f"{g.game}: no usage rate for {g.players} players" for g in value.failing_games]
    return rows + [f"{g.game}: {g.impossible} impossible values" for g in value.per_game if g.impossible]


def metrics(value: UsageValue | None, own: list[Criterion], settings: Settings, day: date) -> list[Metric]:
    """The handoff's games processed; no game processed yet is "pending", not a miss: Phase 3
    runs 7:00-8:00 ET."""
    expected, games = settings.thresholds.expected_games, (value.games if value is not None else None)
    actual = "-" if games is None else str(games)
    return [Metric("Games processed", str(expected), actual, None if not games else games >= expected, 1)]


PLOT = Plot[UsageValue](
    "usage-rate coverage %", lambda v: v.coverage_pct, lambda s: {"target": s.thresholds.usage_rate_target_pct}
)


SPEC = CheckSpec(
    ID,
    TITLE,
    fetch,
    drill,
    render,
    headline,
    short_title="usage",
    value_model=UsageValue,
    rows_title="Players who played with a missing or impossible usage rate",
    rows_empty="every player who played has a usage rate, none above the maximum",
    queries=("usage_by_game", "usage_problem_players"),
    breakdown=breakdown,
    markdown=markdown,
    history=history,
    history_queries=("history_usage",),
    notify_rows=notify_rows,
    metrics=metrics,
    plot=PLOT,
    worsen_by=-5.0,
)
