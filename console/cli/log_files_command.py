"""`nba-console logs search | open`: exported log files (JSON arrays and NDJSON, gcloud's
newest-first order included), at grep speed and in the log screen.

`logs search` prints the matching entries in time order as `tail` prints them (`--json`: the
entries themselves as NDJSON, unchanged; `--count`; `--trace`: the Level 1 / Level 2 trace
judged from them; `--sql`: a query over a table of them). Exit codes as grep's: 0 something
matched, 1 nothing did, 2 an error; `--trace` exits 1 when the last morning's verdict is fail.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path


def _severity(text: str) -> str:
    from console.logs.query import parse_severity

    try:
        return parse_severity(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


EXIT_FOUND, EXIT_NONE = 0, 1
MOMENTS = (
    "a duration back from now (30m, 2h, 7d), a date (2026-02-05) or a time "
    "(2026-02-05T07:30, Z or an offset; without one, the configured zone)"
)


def register(sub: argparse._SubParsersAction) -> None:
    logs = sub.add_parser("logs", help="search, count or open exported log files (JSON arrays or NDJSON)")
    inner = logs.add_subparsers(dest="logs_command", metavar="search|open", required=True)

    search = inner.add_parser(
        "search",
        help="print the matching entries of exported log files in time order (exit 0 found, 1 none, 2 error)",
        description="Search exported log files (a JSON array from `gcloud logging read --format=json`, or "
        "NDJSON; a DIR means its *.json and *.ndjson) and print the matching entries in time order, "
        "as `tail` prints them.",
        epilog=_sql_epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    search.add_argument("files", type=Path, nargs="+", metavar="FILE|DIR", help="exported log files or folders")
    _filters(search)
    what = search.add_mutually_exclusive_group()
    what.add_argument("--json", action="store_true", help="the entries themselves, one JSON object per line")
    what.add_argument("--count", action="store_true", help="only how many entries match")
    what.add_argument("--trace", action="store_true", help="the Level 1 / Level 2 trace judged from the matches")
    what.add_argument("--sql", metavar="QUERY", help="a SELECT over the table `entries` of the matches (below)")
    search.set_defaults(func=cmd_search)

    open_ = inner.add_parser(
        "open",
        help="open exported log files in the log screen (filter, histogram, SQL, e/E to the errors)",
        description="Open exported log files in the log screen: indexed in the background (the first screen "
        "at once), the filter box over everything loaded, the volume histogram (i), SQL (;), e/E to the "
        "next/previous error, c to copy an entry. q quits.",
    )
    open_.add_argument("files", type=Path, nargs="+", metavar="FILE|DIR", help="exported log files or folders")
    open_.add_argument("--newest-first", action="store_true", help="the newest entry at the top (default: oldest)")
    open_.set_defaults(func=cmd_open)


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--service", help="only this service (Cloud Run service or function name)")
    p.add_argument("--severity", type=_severity, help="at least this severity (DEBUG INFO NOTICE WARNING ERROR ...)")
    p.add_argument("--grep", action="append", default=[], metavar="RE", help="text regex (repeatable: any matches)")
    p.add_argument("--since", metavar="T", help=f"only entries at or after T: {MOMENTS}")
    p.add_argument("--until", metavar="T", help="only entries at or before T (as --since)")


def _sql_epilog() -> str:
    from console.logs.entry_table import EXAMPLES, describe_columns

    examples = "\n".join(f"  {name}:\n    {sql}" for name, sql in EXAMPLES)
    return f"--sql: the table `entries` has the columns\n{describe_columns('  ')}\nexamples:\n{examples}"


def _query(args, tz):
    from console.logs.query import LogQuery
    from console.logs.when import parse_moment

    now = datetime.now(UTC)
    try:
        since = parse_moment(args.since, now, tz) if args.since else None
        until = parse_moment(args.until, now, tz) if args.until else None
    except ValueError as exc:
        raise ValueError(f"logs search: {exc}") from None
    return LogQuery(service=args.service, severity=args.severity, patterns=tuple(args.grep), since=since, until=until)


def _settings(args):
    from console.cli import settings_from_args

    return settings_from_args(args)


def _default_zone(args):
    """The zone when nothing is configured (no config file, no NBA_CONSOLE_* variable, no
    global option): the settings' default, without importing the settings model (~0.1 s of
    CPU); None when the settings must be loaded (and their errors said)."""
    from console.core.config_file import DEFAULT_TIMEZONE, nothing_configured

    if args.config or args.backend or args.data_dir or args.project or args.read_only or not nothing_configured():
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(DEFAULT_TIMEZONE)
    except ZoneInfoNotFoundError:  # no tz database here: load_settings says so in its words
        return None


def cmd_search(args) -> int:
    from console.logs import search
    from console.logs.plain_line import PlainLine

    # The configuration (pydantic: ~0.1 s of CPU to import) is loaded only where it changes the
    # answer (the zone of printed times and of --since/--until, the trace's patterns, SQL's
    # limits): a count or NDJSON starts as grep does; printed lines take the default zone when
    # nothing is configured, else load the settings while forked children search.
    needs_first = bool(args.trace or args.sql or args.since or args.until)
    settings = _settings(args) if needs_first else None
    query = _query(args, settings.tz if settings else UTC)
    if args.count:
        n, skipped = search.count(args.files, query)
        _write([f"{n}\n".encode()])
        _note_skipped(skipped)
        return EXIT_FOUND if n else EXIT_NONE
    if args.json or not (args.trace or args.sql):
        plain = None if args.json else PlainLine(settings.tz if settings else _default_zone(args))

        def configure() -> None:
            if plain is not None and plain.tz is None:
                plain.tz = _settings(args).tz

        # The settings loaded while forked children search, if they are needed at all.
        meanwhile = configure if plain is not None and plain.tz is None else None
        files = search.find(args.files, query, plain, meanwhile=meanwhile)
        try:
            found = sum(len(f.ts) for f in files)
            _write(search.written(files, plain))
            _note_skipped(sum(f.skipped for f in files))
        finally:
            search.close_all(files)
        return EXIT_FOUND if found else EXIT_NONE
    files = search.find(args.files, query)
    try:
        _note_skipped(sum(f.skipped for f in files))
        if args.trace:
            return _print_trace(search.entries(files), settings)
        return _run_sql(search.entries(files), args.sql, settings)
    finally:
        search.close_all(files)


def _note_skipped(skipped: int) -> None:
    if skipped:
        from console.core.errors import skipped_note

        print(f"nba-console logs search: {skipped_note(skipped)}", file=sys.stderr)


def _write(chunks: Iterable[bytes]) -> int:
    """Bytes to stdout; a closed pipe (`| head`) ends the output quietly."""
    out = sys.stdout.buffer
    try:
        for chunk in chunks:
            out.write(chunk)
        out.flush()
    except BrokenPipeError:
        from console.cli.broken_pipe import quiet_stdout

        quiet_stdout()
    return EXIT_FOUND


def _print_trace(entries, settings) -> int:
    from console.core.timefmt import for_people
    from console.logs.trace_report import traces_by_day

    days = traces_by_day(entries, settings)
    if not days:
        _write([f"no Phase 3 trace lines of {settings.services.analytics} among the matches\n".encode()])
        return EXIT_NONE
    lines: list[str] = []
    status = None
    for day, trace in days.items():
        status, summary, value = trace.verdict()
        lines.append(f"== trace {day}: {status.value.upper()} {summary}")
        for level in value.levels:
            done = f"{level.succeeded}/{level.total} succeeded" if level.total is not None else "not complete"
            lines.append(
                f"   Level {level.level}  {_clock(level.started_at, settings)} -> "
                f"{_clock(level.completed_at, settings)}  {done}"
            )
        lines.extend(
            f"   {p.name} (Level {p.level if p.level is not None else '?'})  "
            f"{_clock(p.started_at, settings)} -> {_clock(p.completed_at, settings)}"
            for p in value.processors
        )
        for v in value.violations:
            pending = ", ".join(f"Level {lv}" for lv in v.pending_levels)
            lines.append(f"!! {for_people(v.at, settings.tz, 'seconds')} {v.who} started before {pending} completed")
        lines.extend(f"!! {for_people(d.at, settings.tz, 'seconds')} {d.text[:200]}" for d in value.dependency_failures)
    _write(["\n".join(lines).encode() + b"\n"])
    return 1 if status is not None and status.value == "fail" else EXIT_FOUND


def _clock(value, settings) -> str:
    from console.core.timefmt import for_people

    return for_people(value, settings.tz, "seconds", missing="…")


def _run_sql(entries, sql: str, settings) -> int:
    from console.local.sql_sandbox import SqlRefused, run_query
    from console.logs.entry_table import COLUMNS, columns_of

    try:
        result = run_query(
            COLUMNS,
            columns_of(entries),
            sql,
            row_limit=settings.logs.sql_row_limit,
            timeout_s=settings.logs.sql_timeout_s,
            memory_mb=settings.logs.sql_memory_mb,
            tz=str(settings.tz),
        )
    except SqlRefused as exc:
        raise ValueError(f"logs search --sql: {exc}") from None
    from console.logs.entry_table import text_table

    _write([text_table(result.columns, result.rows, settings.tz).encode()])
    if result.truncated:
        print(
            f"nba-console logs search: only the first {len(result.rows):,} rows (logs.sql_row_limit)", file=sys.stderr
        )
    return EXIT_FOUND if result.rows else EXIT_NONE


def cmd_open(args) -> int:
    from console.tui.log_files import open_in_log_screen

    return open_in_log_screen(_settings(args), args.files, newest_first=args.newest_first)
