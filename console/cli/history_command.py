"""`nba-console history`: every check over the last game dates, one row per date."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime

import orjson
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from console.core.config import Settings
from console.core.models import Report, Status


def register(sub) -> None:
    from console.cli import _check_id, _date_arg

    parser = sub.add_parser("history", help="every check over the last game dates (a table, or --json)")
    parser.add_argument("--days", type=int, help="game dates to show, ending at --end (default: history.days, 14)")
    parser.add_argument("--end", type=_date_arg, help="last game date (default: the latest, as for check)")
    parser.add_argument("--json", action="store_true", help="a JSON list of `check --json` objects, oldest first")
    parser.add_argument(
        "--only",
        action="append",
        type=_check_id,
        metavar="CHECK_ID",
        help="only this check (repeatable; an unknown id exits 2 with the valid ones)",
    )
    parser.set_defaults(func=cmd_history)


def cmd_history(args: argparse.Namespace) -> int:
    from console.backends import open_backend
    from console.cli import settings_from_args
    from console.services.history import bytes_labels, contexts, cut_to_data, data_range, history_range, run_history
    from console.services.runner import default_game_date

    settings = settings_from_args(args)
    backend = open_backend(settings)
    try:
        backend.preflight()
        now = datetime.now(UTC)
        end = args.end or getattr(args, "game_date", None) or default_game_date(backend, settings, now)
        asked = history_range(end, settings.history.days if args.days is None else args.days, settings)
        # Only the dates with data are rows: a date before the first game is not `ok 0/5`.
        shown = cut_to_data(asked, data_range(backend, settings, now))
        reports = run_history(backend, contexts(settings, shown.span, now), args.only) if shown.span else []
        scanned = bytes_labels(backend, args.only) if shown.span else {}
    finally:
        backend.close()
    if args.json:
        sys.stdout.buffer.write(orjson.dumps([r.to_json_dict() for r in reports], option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
        if shown.note:  # stdout stays pure JSON
            print(f"history: {shown.note}", file=sys.stderr)
        if scanned:
            print(_bytes_line(scanned), file=sys.stderr)
    else:
        print_history(reports, settings, scanned, note=shown.note)
    # The range's worst: an alerting job sees a failure anywhere in the days asked.
    return max((r.exit_code() for r in reports), default=0)


def _bytes_line(scanned: dict[str, str]) -> str:
    return "bytes (dry run): " + ", ".join(f"{name} {label}" for name, label in scanned.items())


def print_history(
    reports: list[Report],
    settings: Settings,
    scanned: dict[str, str] | None = None,
    console: Console | None = None,
    note: str | None = None,
) -> None:
    from console.services.history import SHORT_TITLES
    from panels.dispatch import NO_GAMES, history_notes, no_games, render_result
    from panels.status_style import STATUS_STYLE

    console = console or Console()
    if not reports:
        console.print(note or "no dates")
        return
    first, last = reports[0], reports[-1]
    # Below the width of the one-line table, a compact one: the year in the title only, the
    # status above its figure in each cell and no column rules, so 80 columns read cleanly.
    compact = console.width < _FULL_WIDTH
    table = Table(
        title=f"History · games {first.game_date} .. {last.game_date} · {last.backend}:{last.project}",
        box=box.SIMPLE_HEAD if compact else box.HEAVY_HEAD,
        pad_edge=not compact,
        collapse_padding=compact,
    )
    table.add_column("game date", no_wrap=True)
    for check in last.checks:
        table.add_column(SHORT_TITLES.get(check.id, check.title), overflow="fold")
    table.add_column("overall", no_wrap=True)
    errors: dict[tuple[str, str], list[date]] = {}
    for report in reports:
        cells: list[Text | str] = [_day(report.game_date, compact=compact)]
        for check in report.checks:
            if check.error:
                errors.setdefault((check.title, check.error), []).append(report.game_date)
            if no_games(check):  # nothing was judged: no status, no figure
                cells.append(Text(NO_GAMES, style="dim"))
                continue
            head = "" if check.status is Status.ERROR else render_result(check, settings.tz)[0]
            cells.append(
                Text.assemble(
                    (check.status.value, STATUS_STYLE.get(check.status.value, "")),
                    "\n" if compact and head else " ",
                    _short_head(head) if compact else head,
                )
            )
        cells.append(Text(report.status.value, style=STATUS_STYLE.get(report.status.value, "")))
        table.add_row(*cells)
    console.print(table)
    if note:  # the dates asked that are not rows, and why
        console.print(note, style="yellow")
    for line in history_notes((c.id for c in last.checks), settings, compact=compact):  # what a row means
        console.print(line, style="dim")
    for (title, message), days in errors.items():  # each distinct failure once, with its dates
        span = days[0].isoformat() if len(days) == 1 else f"{days[0]}..{days[-1]} ({len(days)} dates)"
        console.print(Text(f"{title}: {message} [{span}]", style="red"))
    if scanned:
        console.print(_bytes_line(scanned), style="dim")


# The one-line table's width with the six checks' widest figures (measured: 118 columns).
_FULL_WIDTH = 118


def _day(d: date, *, compact: bool = False) -> str:
    return f"{d.isoformat()} {d:%a}"


def _short_head(head: str) -> str:
    # "13.4 d behind" -> "13.4d" (the note under the table says behind what), "2 violation(s)"
    # -> "2 violations": no line break inside a figure at the compact table's column widths.
    return head.replace(" d behind", "d").replace("violation(s)", "violations")
