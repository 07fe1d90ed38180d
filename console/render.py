"""Text renderings of a Report: a rich table for people, Markdown for tickets and chat."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .core.config import Settings
from .core.models import Report, Status
from .core.timefmt import for_people

STATUS_STYLE = {
    Status.OK: "bold green",
    Status.WARN: "bold yellow",
    Status.FAIL: "bold red",
    Status.UNKNOWN: "bold blue",
    Status.ERROR: "bold magenta",
}
STATUS_ICON = {Status.OK: "✅", Status.WARN: "🟡", Status.FAIL: "🔴", Status.UNKNOWN: "❔", Status.ERROR: "⚠️"}


def local_time(moment: datetime, settings: Settings) -> str:
    return for_people(moment, settings.tz)


def print_report(report: Report, settings: Settings, console: Console | None = None) -> None:
    console = console or Console()
    title = (
        f"Morning check · games {report.game_date} · processed {report.processing_date} · "
        f"as of {local_time(report.as_of, settings)} · {report.backend}:{report.project}"
    )
    table = Table(title=title, expand=True, show_lines=False)
    table.add_column("check", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("summary", ratio=1)
    for check in report.checks:
        table.add_row(check.title, Text(check.status.value, style=STATUS_STYLE[check.status]), check.summary)
    console.print(table)
    console.print(Text(f"overall: {report.status.value}", style=STATUS_STYLE[report.status]))


def report_markdown(report: Report, settings: Settings) -> str:
    lines = [
        f"# Morning check: games of {report.game_date}",
        "",
        f"- Processing date: {report.processing_date}",
        f"- As of: {local_time(report.as_of, settings)}",
        f"- Backend: {report.backend} (`{report.project}`)",
        f"- Overall: {STATUS_ICON[report.status]} **{report.status.value}**",
        "",
        "| Check | Status | Summary |",
        "|---|---|---|",
    ]
    for check in report.checks:
        summary = check.summary.replace("|", "\\|")
        lines.append(f"| {check.title} | {STATUS_ICON[check.status]} {check.status.value} | {summary} |")
    for check in report.checks:
        lines += ["", f"## {check.title}", "", check.summary]
        lines += _details(check.id, check.value, settings)
    return "\n".join(lines) + "\n"


def _details(check_id: str, value: dict, settings: Settings) -> list[str]:
    out: list[str] = []

    def when(iso) -> str:  # the tables' times, as the header's: the configured zone
        return for_people(iso, settings.tz, missing="")

    if check_id == "grading_coverage" and value.get("systems"):
        out += ["", "| System | Predicted | Graded | Coverage |", "|---|---:|---:|---:|"]
        out += [f"| {s['system_id']} | {s['predicted']} | {s['graded']} | {s['coverage_pct']}% |" for s in value["systems"]]
    elif check_id == "dnp_pollution" and value.get("examples"):
        out += ["", "| Cache date | Player | Avg points (last 10) |", "|---|---|---:|"]
        out += [f"| {e['cache_date']} | {e['player_name']} | {e['points_avg_last_10']} |" for e in value["examples"]]
    elif check_id == "usage_rate_coverage" and value.get("per_game"):
        out += ["", "| Game | Active | With usage | Impossible |", "|---|---:|---:|---:|"]
        out += [f"| {g['game']} | {g['active_players']} | {g['with_usage']} | {g['impossible']} |" for g in value["per_game"]]
    elif check_id == "deployment_drift" and value.get("services"):
        out += ["", "| Service | Kind | Commit | Commits behind | Days behind |", "|---|---|---|---:|---:|"]
        out += [
            f"| {s['service']} | {s['kind']} | `{str(s['commit'])[:8]}` | {s['commits_behind']} | {s['days_behind']} |"
            for s in value["services"]
        ]
    elif check_id == "phase3_completion" and value.get("processors"):
        out += ["", "| Processor | Level | Status | Completed |", "|---|---:|---|---|"]
        out += [f"| {p['name']} | {p['level']} | {p['status']} | {when(p['completed_at'])} |" for p in value["processors"]]
    elif check_id == "sequential_execution" and value.get("processors"):
        out += ["", "| Processor | Level | Started | Completed |", "|---|---:|---|---|"]
        out += [f"| {p['name']} | {p['level']} | {when(p['started_at'])} | {when(p['completed_at'])} |" for p in value["processors"]]
    return out
