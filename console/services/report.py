"""Text renderings of a Report: a rich table for people, Markdown for tickets and chat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from console.core.config import Settings
from console.core.models import Report
from console.core.team import Note
from console.core.timefmt import for_people
from panels.dispatch import markdown
from panels.status_style import STATUS_ICON, STATUS_STYLE


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
        table.add_row(check.title, Text(check.status.value, style=STATUS_STYLE[check.status.value]), check.summary)
    console.print(table)
    console.print(Text(f"overall: {report.status.value}", style=STATUS_STYLE[report.status.value]))


def report_markdown(report: Report, settings: Settings, notes: Sequence[Note] = ()) -> str:
    """The morning as Markdown; `notes`: the team's notes on the date (issue 26), after the table."""
    lines = [
        f"# Morning check: games of {report.game_date}",
        "",
        f"- Processing date: {report.processing_date}",
        f"- As of: {local_time(report.as_of, settings)}",
        f"- Backend: {report.backend} (`{report.project}`)",
        f"- Overall: {STATUS_ICON[report.status.value]} **{report.status.value}**",
        "",
        "| Check | Status | Summary |",
        "|---|---|---|",
    ]
    for check in report.checks:
        summary = check.summary.replace("|", "\\|")
        lines.append(f"| {check.title} | {STATUS_ICON[check.status.value]} {check.status.value} | {summary} |")
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- {note_line(n, settings)}" for n in notes]
    for check in report.checks:
        lines += ["", f"## {check.title}", "", check.summary]
        lines += markdown(check, settings.tz)  # the panel's own table under its heading
    return "\n".join(lines) + "\n"


def note_line(note: Note, settings: Settings) -> str:
    """`2026-02-05 08:41 EST ana (usage_rate_coverage): re-scraped at 08:40`."""
    about = f" ({note.check})" if note.check else ""
    return f"{local_time(note.at, settings)} {note.who}{about}: {note.text}"
