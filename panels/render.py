"""Per-check renderers: a CheckResult in, a headline and a body (rich Text) out.

They only read `result.value` (the shapes built by console/checks.py); no I/O, no Textual.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.text import Text

from console.core.models import CheckResult

STATUS_STYLE = {
    "ok": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
    "unknown": "bold blue",
    "error": "bold white on red",
    "stale": "bold black on yellow",
    "loading": "dim",
}


def badge(status: str) -> Text:
    return Text(f" {status.upper()} ", style=STATUS_STYLE.get(status, ""))


def _hhmm(iso: str | None, tz: ZoneInfo) -> str:
    if not iso:
        return "--:--"
    try:
        return datetime.fromisoformat(iso).astimezone(tz).strftime("%H:%M")
    except ValueError:
        return iso


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _phase3(result: CheckResult, tz: ZoneInfo) -> tuple[str, Text]:
    v = result.value
    body = Text()
    for row in v.get("processors", []):
        status = row.get("status") or "?"
        style = "green" if status == "success" else "red" if status in ("failed", "error") else "yellow"
        body.append(f"L{row.get('level') or '?'} ", style="dim")
        body.append(f"{row['name'].removesuffix('Processor'):<28.28}")
        body.append(f" {status:<8.8}", style=style)
        body.append(f" {_hhmm(row.get('completed_at'), tz)}\n")
    if v.get("triggered"):
        body.append(f"grading triggered {_hhmm(v.get('triggered_at'), tz)}\n", style="green")
    return f"{v.get('completed', 0)}/{v.get('expected', '?')}", body


def _sequential(result: CheckResult, tz: ZoneInfo) -> tuple[str, Text]:
    v = result.value
    body = Text()
    for lv in v.get("levels", []):
        done = f"{lv.get('succeeded')}/{lv.get('total')}" if lv.get("total") is not None else "running"
        body.append(f"Level {lv['level']}: {_hhmm(lv.get('started_at'), tz)} -> {_hhmm(lv.get('completed_at'), tz)} "
                    f"({done})\n", style="bold")
    for p in v.get("processors", []):
        body.append(f"  L{p.get('level') or '?'} {p['name'].removesuffix('Processor'):<28.28} "
                    f"{_hhmm(p.get('started_at'), tz)}->{_hhmm(p.get('completed_at'), tz)}\n")
    for bad in v.get("violations", [])[:3]:
        body.append(f"violation: {bad.get('who')} started {_hhmm(bad.get('at'), tz)} before Level "
                    f"{min(bad.get('pending_levels') or [0])} finished\n", style="bold red")
    for dep in v.get("dependency_failures", [])[:2]:
        body.append(f"{dep.get('text', '')[:80]}\n", style="bold red")
    violations = len(v.get("violations", [])) + len(v.get("dependency_failures", []))
    head = "L1 -> L2" if result.status.value == "ok" else f"{violations} violation(s)" if violations else v.get("mode", "-")
    return head, body


def _grading(result: CheckResult, tz: ZoneInfo) -> tuple[str, Text]:
    v = result.value
    cov = v.get("coverage_pct")
    body = Text(f"{v.get('graded', 0)}/{v.get('predicted', 0)} graded · trigger {v.get('trigger_pct', 80):g}% · "
                f"monitor {v.get('monitor_pct', 70):g}%\n")
    if cov is not None:
        width = 30
        filled = int(round(width * min(cov, 100) / 100))
        bar = Text("█" * filled + "░" * (width - filled), style="green" if cov >= v.get("trigger_pct", 80) else "red")
        body.append_text(bar)
        body.append(f" {cov:.1f}%\n")
    for s in v.get("systems", []):
        low = (s.get("coverage_pct") or 0) < v.get("trigger_pct", 80)
        body.append(f"  {s['system_id']:<22.22} {s['graded']:>4}/{s['predicted']:<4} {_pct(s.get('coverage_pct')):>6}\n",
                    style="red" if low else "")
    return _pct(cov), body


def _dnp(result: CheckResult, tz: ZoneInfo) -> tuple[str, Text]:
    v = result.value
    # The number and the verdict are the game date's own rows; the window below is history.
    body = Text(f"{v.get('game_date', '?')}: {v.get('game_date_dnp_rows', 0)}/{v.get('game_date_cache_rows', 0)} "
                "cache rows are DNP\n")
    window = v.get("window") or ["?", "?"]
    body.append(f"history {window[0]}..{window[1]}: {v.get('dnp_rows', 0)}/{v.get('cache_rows', 0)} "
                f"({_pct(v.get('pollution_pct'))})\n", style="dim")
    for d in v.get("by_date", []):
        body.append(f"  {d['cache_date']}: {d['dnp_rows']}/{d['cache_rows']} ({_pct(d.get('pollution_pct'))})\n",
                    style="red" if d["dnp_rows"] else "green")
    if v.get("examples"):
        body.append("worst examples (history window):\n", style="dim")
    for e in v.get("examples", [])[:5]:
        avg = e.get("points_avg_last_10")
        body.append(f"  {e['player_name']:<24.24} {'-' if avg is None else f'{avg:.1f}':>5} pts  {e['cache_date']}\n")
    return _pct(v.get("game_date_pct")), body


def _usage(result: CheckResult, tz: ZoneInfo) -> tuple[str, Text]:
    v = result.value
    body = Text(f"{v.get('with_usage', 0)}/{v.get('active_players', 0)} active players · target "
                f"{v.get('target_pct', 90):g}%\n")
    for g in v.get("failing_games", []):
        body.append(f"  {g['game']}: no usage rate ({g['players']} players)\n", style="bold red")
    if v.get("impossible"):
        body.append(f"  {v['impossible']} impossible values (max {v.get('max_usage_rate') or 0:.0f}%)\n", style="bold red")
    for g in v.get("per_game", []):
        if g.get("game_id") in {f["game_id"] for f in v.get("failing_games", [])}:
            continue
        body.append(f"  {g['game']:<10} {g['with_usage']:>3}/{g['active_players']:<3} {_pct(g.get('coverage_pct')):>6}\n",
                    style="yellow" if (g.get("coverage_pct") or 0) < v.get("target_pct", 90) else "")
    return _pct(v.get("coverage_pct")), body


class _ServiceRows:
    """The drift panel's service lines, laid out at the width the panel has: the name gets
    every column the commit and the lag leave (`nba-phase3-analytics-processors` whole on a
    wide panel), cropped with … only when it must."""

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        self.rows = rows  # (service, commit, lag, style)

    def __rich_console__(self, console, options):
        lag_width = max((len(lag) for _, _, lag, _ in self.rows), default=0)
        longest = max((len(name) for name, _, _, _ in self.rows), default=0)
        name_width = max(8, min(longest, options.max_width - 2 - 9 - lag_width - 1))
        for name, commit, lag, style in self.rows:
            shown = name if len(name) <= name_width else name[: name_width - 1] + "…"
            line = Text(f"  {shown:<{name_width}} {commit:<8} {lag}", style=style, no_wrap=True, overflow="ellipsis")
            line.truncate(options.max_width, overflow="ellipsis")
            yield line


def _drift(result: CheckResult, tz: ZoneInfo) -> tuple[str, RenderableType]:
    v = result.value
    services = v.get("services", [])
    rows = []
    for s in sorted(services, key=lambda s: -(s.get("days_behind") or 0)):
        style = {"fail": "bold red", "warn": "yellow", "ok": ""}.get(s.get("status"), "blue")
        lag = "?" if s.get("commits_behind") is None else f"{s['commits_behind']} commits / {s['days_behind']:g} d"
        rows.append((str(s["service"]), str(s.get("commit"))[:8], lag, style))
    flags = Text()
    for s in services:
        for name, value in (s.get("flags") or {}).items():
            flags.append(f"  {s['service']}: {name}={value}\n", style="bold yellow" if value == "false" else "cyan")
    worst = max((s.get("days_behind") or 0 for s in services), default=None)
    body = Group(Text(f"head {v.get('head', '?')}", style="dim"), _ServiceRows(rows), flags)
    return ("-" if worst is None else f"{worst:g} d behind"), body


RENDERERS: dict[str, Callable[[CheckResult, ZoneInfo], tuple[str, RenderableType]]] = {
    "phase3_completion": _phase3,
    "sequential_execution": _sequential,
    "grading_coverage": _grading,
    "dnp_pollution": _dnp,
    "usage_rate_coverage": _usage,
    "deployment_drift": _drift,
}


def render_result(result: CheckResult, tz: ZoneInfo) -> tuple[str, RenderableType]:
    renderer = RENDERERS.get(result.id)
    if renderer is None:
        return result.status.value, Text()
    try:
        return renderer(result, tz)
    except (KeyError, TypeError, ValueError) as exc:  # a value of an unexpected shape must not crash the screen
        return "?", Text(f"cannot draw this result: {type(exc).__name__}: {exc}", style="red")


# The table behind the number that the result already carries (the drill-down shows it
# above the fetched rows), as (title, rows).
def breakdown(result: CheckResult | None) -> tuple[str, list[dict[str, Any]]] | None:
    if result is None:
        return None
    v = result.value
    if result.id == "grading_coverage" and v.get("systems"):
        return "per system", v["systems"]
    if result.id == "usage_rate_coverage" and v.get("per_game"):
        return "per game", [{k: g[k] for k in g if k != "game_id"} for g in v["per_game"]]
    if result.id == "dnp_pollution" and v.get("by_date"):
        return "per cache date (history window)", v["by_date"]
    if result.id == "sequential_execution" and v.get("levels"):
        return "levels", v["levels"]
    return None
