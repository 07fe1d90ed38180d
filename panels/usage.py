"""Usage-rate coverage: active players of the game date with a usage rate (BigQuery);
a game with none at all, or an impossible value (> usage_rate_max_pct), needs a look."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext, query_rows
from console.core.freshness import with_data_at
from console.core.models import CheckResult, Row, Status, UsageGameRow
from panels.common import format_game, num, pct, pct_text
from panels.games import usage_params
from panels.ranges import RangeReads, per_date
from panels.spec import CheckSpec

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


# ------------------------------------------------------------------ judge (pure)


def usage_rate_coverage(games: list[UsageGameRow], settings: Settings) -> CheckResult:
    t = settings.thresholds
    active = sum(g.active_players for g in games)
    with_usage = sum(g.with_usage for g in games)
    impossible = sum(g.impossible for g in games)
    rate = pct(with_usage, active)
    failing = [g for g in games if g.active_players and g.with_usage == 0]
    value = {
        "games": len(games),
        "active_players": active,
        "with_usage": with_usage,
        "missing": active - with_usage,
        "coverage_pct": rate,
        "target_pct": t.usage_rate_target_pct,
        "impossible": impossible,
        "max_usage_rate": max((g.max_usage_rate for g in games if g.max_usage_rate is not None), default=None),
        "failing_games": [
            {"game_id": g.game_id, "game": format_game(g.game_id), "players": g.active_players} for g in failing
        ],
        "per_game": [
            {**g.model_dump(), "game": format_game(g.game_id), "coverage_pct": pct(g.with_usage, g.active_players)}
            for g in games
        ],
    }
    base = dict(id=ID, title=TITLE, value=value)
    if active == 0:
        return CheckResult(**base, status=Status.UNKNOWN, summary="no active players for this game date")
    parts = [f"{with_usage}/{active} active players have a usage rate ({rate:.1f}%)"]
    if failing:
        parts.append(
            "no usage rate at all: " + ", ".join(f"{format_game(g.game_id)} ({g.active_players})" for g in failing)
        )
    if impossible:
        parts.append(f"{impossible} impossible values (max {value['max_usage_rate']:.0f}%)")
    summary = "; ".join(parts)
    if impossible:
        status = Status.FAIL
    elif rate < t.usage_rate_target_pct or failing:
        status = Status.WARN
    else:
        status = Status.OK
    return CheckResult(**base, status=status, summary=summary)


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

    v = result.value
    body = Text(
        f"{v.get('with_usage', 0)}/{v.get('active_players', 0)} active players · target {v.get('target_pct', 90):g}%\n"
    )
    for g in v.get("failing_games", []):
        body.append(f"  {g['game']}: no usage rate ({g['players']} players)\n", style="bold red")
    if v.get("impossible"):
        body.append(
            f"  {v['impossible']} impossible values (max {v.get('max_usage_rate') or 0:.0f}%)\n", style="bold red"
        )
    for g in v.get("per_game", []):
        if g.get("game_id") in {f["game_id"] for f in v.get("failing_games", [])}:
            continue
        body.append(
            f"  {g['game']:<10} {g['with_usage']:>3}/{g['active_players']:<3} {pct_text(g.get('coverage_pct')):>6}\n",
            style="yellow" if (g.get("coverage_pct") or 0) < v.get("target_pct", 90) else "",
        )
    return pct_text(v.get("coverage_pct")), body


def headline(result: CheckResult) -> str:
    return num(result.value.get("coverage_pct"))


def breakdown(result: CheckResult) -> tuple[str, list[dict[str, Any]]] | None:
    per_game = result.value.get("per_game")
    return ("per game", [{k: g[k] for k in g if k != "game_id"} for g in per_game]) if per_game else None


def markdown(value: dict, tz: ZoneInfo | None = None) -> list[str]:
    if not value.get("per_game"):
        return []
    out = ["", "| Game | Active | With usage | Impossible |", "|---|---:|---:|---:|"]
    out += [
        f"| {g['game']} | {g['active_players']} | {g['with_usage']} | {g['impossible']} |" for g in value["per_game"]
    ]
    return out


SPEC = CheckSpec(
    ID,
    TITLE,
    fetch,
    drill,
    render,
    headline,
    short_title="usage",
    queries=("usage_by_game", "usage_problem_players"),
    breakdown=breakdown,
    markdown=markdown,
    history=history,
    history_queries=("history_usage",),
)
