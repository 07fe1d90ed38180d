"""DNP pollution: player_daily_cache rows of the game date that are DNP (BigQuery); the
trailing window stays in the value and the drill-down as history."""

from __future__ import annotations

from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext, query_rows
from console.core.freshness import with_data_at
from console.core.models import CheckResult, CheckValue, DnpDayRow, DnpPollutedRow, Status
from panels.common import num, pct, pct_text, value_as
from panels.ranges import RangeReads, per_date, range_params
from panels.spec import CheckSpec, Criterion, Metric, Plot

if TYPE_CHECKING:
    from rich.text import Text

ID = "dnp_pollution"
TITLE = "DNP pollution"
# A window's examples are its worst rows; the judge keeps 10, so 10 a day rebuild any window's.
EXAMPLES_PER_DAY = 10


# ------------------------------------------------------------------ value


class DnpDay(CheckValue):
    cache_date: str
    cache_rows: int
    dnp_rows: int
    pollution_pct: float | None


class DnpExample(CheckValue):
    cache_date: str
    player_lookup: str
    player_name: str
    points_avg_last_10: float | None
    games_in_window: int | None


class DnpValue(CheckValue):
    """The verdict's figures are the game date's own rows (`game_date_*`); the trailing
    window (`window`, `by_date`, `examples`) is history."""

    game_date: str
    game_date_cache_rows: int
    game_date_dnp_rows: int
    game_date_pct: float | None
    window: list[str]  # [start, end]
    cache_rows: int
    dnp_rows: int
    pollution_pct: float | None
    max_pct: float
    by_date: list[DnpDay]
    examples: list[DnpExample]  # the window's worst rows, at most 10


# ------------------------------------------------------------------ judge (pure)


def dnp_pollution(
    days: list[DnpDayRow], examples: list[DnpPollutedRow], settings: Settings, start: date, end: date
) -> CheckResult:
    """The verdict is the game date's own cache rows (`end`); the trailing window stays in the
    value and the drill-down as history. One morning, one answer: the timeline's "DNP records
    blocked" reads the same rows."""
    limit = settings.thresholds.dnp_pollution_max_pct
    cache_rows = sum(d.cache_rows for d in days)
    dnp_rows = sum(d.dnp_rows for d in days)
    rate = pct(dnp_rows, cache_rows)
    window = start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"
    today = next((d for d in days if d.cache_date == end), None)
    today_rate = pct(today.dnp_rows, today.cache_rows) if today else None
    value = DnpValue(
        game_date=end.isoformat(),
        game_date_cache_rows=today.cache_rows if today else 0,
        game_date_dnp_rows=today.dnp_rows if today else 0,
        game_date_pct=today_rate,
        # The trailing window, as history (the handoff's "Feb 2-3: 143/650 = 22.0 %").
        window=[start.isoformat(), end.isoformat()],
        cache_rows=cache_rows,
        dnp_rows=dnp_rows,
        pollution_pct=rate,
        max_pct=limit,
        by_date=[
            DnpDay(
                cache_date=d.cache_date.isoformat(),
                cache_rows=d.cache_rows,
                dnp_rows=d.dnp_rows,
                pollution_pct=pct(d.dnp_rows, d.cache_rows),
            )
            for d in days
        ],
        examples=[
            DnpExample(
                cache_date=e.cache_date.isoformat(),
                player_lookup=e.player_lookup,
                player_name=e.player_name,
                points_avg_last_10=e.points_avg_last_10,
                games_in_window=e.games_in_window,
            )
            for e in examples[:10]
        ],
    )

    def result(status: Status, summary: str) -> CheckResult:
        return CheckResult(id=ID, title=TITLE, status=status, summary=summary, value=value)

    history = (
        f"history {window}: {dnp_rows}/{cache_rows} ({rate:.1f}%)" if rate is not None else f"history {window}: no rows"
    )
    if today is None or today_rate is None:  # no cache rows of the game date
        return result(Status.UNKNOWN, f"no player_daily_cache rows for {end.isoformat()}; {history}")
    head = f"{today.dnp_rows}/{today.cache_rows} cache rows of {end.isoformat()} are DNP ({today_rate:.1f}%)"
    if today_rate > limit:
        todays = [e for e in examples if e.cache_date == end]
        names = ", ".join(
            f"{e.player_name} {e.points_avg_last_10:.1f}" for e in todays[:3] if e.points_avg_last_10 is not None
        )
        return result(Status.FAIL, head + (f"; e.g. {names}" if names else "") + f"; {history}")
    return result(Status.OK, f"{head}; {history}")


def judge_dnp(days: list[DnpDayRow], examples: list[DnpPollutedRow], ctx: CheckContext) -> CheckResult:
    """`days`: cache rows per cache date of the window; `examples`: its polluted rows, worst first."""
    return dnp_pollution(days, examples, ctx.settings, *ctx.dnp_window)


# ------------------------------------------------------------------ fetch


def _params(ctx: CheckContext) -> dict[str, Any]:
    start, end = ctx.dnp_window
    return {"start_date": start, "end_date": end, "as_of": ctx.as_of}


def fetch(backend: Backend, ctx: CheckContext) -> CheckResult:
    days = query_rows(backend, "dnp_by_day", DnpDayRow, _params(ctx))
    examples = (
        query_rows(backend, "dnp_polluted_rows", DnpPollutedRow, _params(ctx)) if any(d.dnp_rows for d in days) else []
    )
    return with_data_at(judge_dnp(days, examples, ctx), [d.last_created_at for d in days])


def drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in query_rows(backend, "dnp_polluted_rows", DnpPollutedRow, _params(ctx))]


def _examples_order(row: DnpPollutedRow) -> tuple[bool, float, date, str]:
    # dnp_polluted_rows.sql: ORDER BY points_avg_last_10 DESC (NULLs last), cache_date, player_lookup
    avg = row.points_avg_last_10
    return (avg is None, -(avg or 0.0), row.cache_date, row.player_lookup)


def history(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
    def read() -> tuple[list[DnpDayRow], list[DnpPollutedRow]]:
        # The first date's window reaches back dnp_window_days - 1 before the range.
        params = {**range_params(ctxs), "start_date": ctxs[0].dnp_window[0]}
        days = query_rows(backend, "dnp_by_day", DnpDayRow, params)
        examples = (
            query_rows(backend, "history_dnp_examples", DnpPollutedRow, {**params, "per_day": EXAMPLES_PER_DAY})
            if any(d.dnp_rows for d in days)
            else []
        )
        return days, examples

    def judge(fetched: tuple[list[DnpDayRow], list[DnpPollutedRow]], ctx: CheckContext) -> CheckResult:
        start, end = ctx.dnp_window
        days = [d for d in fetched[0] if start <= d.cache_date <= end]
        examples = sorted((e for e in fetched[1] if start <= e.cache_date <= end), key=_examples_order)
        return judge_dnp(days, examples, ctx)

    return per_date(SPEC, ctxs, read, judge)


# ------------------------------------------------------------------ render


def render(result: CheckResult, tz: ZoneInfo) -> tuple[str, Text]:
    from rich.text import Text  # rich: only when drawn (`check --json` never draws)

    v = value_as(result, DnpValue)
    # The number and the verdict are the game date's own rows; the window below is history.
    body = Text(f"{v.game_date}: {v.game_date_dnp_rows}/{v.game_date_cache_rows} cache rows are DNP\n")
    start, end = [*v.window, "?", "?"][:2]
    body.append(
        f"history {start}..{end}: {v.dnp_rows}/{v.cache_rows} ({pct_text(v.pollution_pct)})\n",
        style="dim",
    )
    for d in v.by_date:
        body.append(
            f"  {d.cache_date}: {d.dnp_rows}/{d.cache_rows} ({pct_text(d.pollution_pct)})\n",
            style="red" if d.dnp_rows else "green",
        )
    if v.examples:
        body.append("worst examples (history window):\n", style="dim")
    for e in v.examples[:5]:
        avg = e.points_avg_last_10
        body.append(f"  {e.player_name:<24.24} {'-' if avg is None else f'{avg:.1f}':>5} pts  {e.cache_date}\n")
    return pct_text(v.game_date_pct), body


def headline(result: CheckResult) -> str:
    return num(value_as(result, DnpValue).game_date_pct)  # judged on the game date's own rows, as the panel


def breakdown(result: CheckResult) -> tuple[str, list[dict[str, Any]]] | None:
    by_date = value_as(result, DnpValue).by_date
    return ("per cache date (history window)", [d.model_dump() for d in by_date]) if by_date else None


def markdown(value: CheckValue | None, tz: tzinfo) -> list[str]:
    if not isinstance(value, DnpValue) or not value.examples:
        return []
    out = ["", "| Cache date | Player | Avg points (last 10) |", "|---|---|---:|"]
    out += [f"| {e.cache_date} | {e.player_name} | {e.points_avg_last_10} |" for e in value.examples]
    return out


def suggest(result: CheckResult) -> tuple[tuple[str, ...], str]:
    """The DNP rows name neither a service nor a commit, and a redeploy needs both: no
    suggestion with placeholders. The handoff's next step is to check that the precompute
    service runs the latest code, which the deployment-drift check judges (and, when it is
    behind, suggests redeploying it prefilled)."""
    return (), (
        "the DNP rows name no service or commit to redeploy: check that the precompute service "
        "runs the latest code (Deployment drift)"
    )


def notify_rows(value: DnpValue, tz: tzinfo) -> list[str]:
    return [f"{e.cache_date} {e.player_name} (avg {e.points_avg_last_10} pts)" for e in value.examples]


def criteria(result: CheckResult | None, value: DnpValue | None, settings: Settings, day: date) -> list[Criterion]:
    """The handoff's fourth success criterion; the panel's verdict, read from the same rows:
    the screen never contradicts itself."""
    label = "DNP records blocked"
    if result is None or result.status is Status.UNKNOWN or value is None or value.game_date != day.isoformat():
        return [Criterion(label, None, f"no cache rows for {day}", 4)]
    return [
        Criterion(
            label, result.status is Status.OK, f"{value.game_date_dnp_rows}/{value.game_date_cache_rows} DNP rows", 4
        )
    ]


def metrics(value: DnpValue | None, own: list[Criterion], settings: Settings, day: date) -> list[Metric]:
    return [Metric("Validation blocking", "DNP records blocked", own[0].detail, own[0].met, 6)]


PLOT = Plot[DnpValue](
    "DNP rows in the game date's cache %",
    lambda v: v.game_date_pct,
    lambda s: {"max": s.thresholds.dnp_pollution_max_pct},
)


SPEC = CheckSpec(
    ID,
    TITLE,
    fetch,
    drill,
    render,
    headline,
    short_title="dnp",
    value_model=DnpValue,
    rows_title="DNP rows in player_daily_cache",
    rows_empty="no DNP player in the cache over the window: nothing polluted",
    suggest=suggest,
    queries=("dnp_by_day", "dnp_polluted_rows"),
    playbooks=("redeploy-service",),
    breakdown=breakdown,
    markdown=markdown,
    history=history,
    history_queries=("dnp_by_day", "history_dnp_examples"),
    notify_rows=notify_rows,
    criteria=criteria,
    metrics=metrics,
    plot=PLOT,
    worsen_by=1.0,
)
