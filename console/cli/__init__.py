"""`nba-console`: the TUI with no subcommand, headless commands otherwise.

Feature modules add their own subcommands through a `register(subparsers)` function listed
in COMMAND_MODULES, so this file stays a small dispatcher.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.core.clock import Clock
    from console.core.config import Settings
    from console.tui.app import NbaConsoleApp

# Each module exposes register(subparsers) and sets `func` on its parsers.
COMMAND_MODULES = (
    "console.cli.config_command",
    "console.cli.local_command",
    "console.cli.playbook_command",
    "console.cli.logs_command",
    "console.cli.log_files_command",
    "console.cli.serve_command",
    "console.cli.history_command",
    "console.cli.watch_command",
    "console.cli.team_command",
    "console.cli.completion",
)
# The subcommands each module registers, with their one-line help, so that parsing imports
# only the module of the command given: `nba-console --help` lists them all without
# importing any (DuckDB, rich, pydantic...). tests/unit/test_startup_imports.py keeps this true.
COMMANDS: dict[str, tuple[str, str]] = {
    "config": (
        "console.cli.config_command",
        "print the effective configuration as JSON (--reference: every setting, as Markdown)",
    ),
    "local": ("console.cli.local_command", "manage the embedded backend's data"),
    "playbook": ("console.cli.playbook_command", "guided rollbacks and redeploys"),
    "audit": ("console.cli.playbook_command", "past playbook runs, newest first (audit show RUN_ID for one run)"),
    "tail": ("console.cli.logs_command", "print the logs, filtered, then keep following (like tail -f)"),
    "replay": ("console.cli.logs_command", "replay an exported log file at its own pace, with the live trace verdict"),
    "demo": ("console.cli.logs_command", "the morning of 2026-02-05 unfolding on an accelerated clock"),
    "logs": ("console.cli.log_files_command", "search, count or open exported log files (JSON arrays or NDJSON)"),
    "serve": ("console.cli.serve_command", "serve the console to browsers, read-only unless --allow-playbooks"),
    "history": ("console.cli.history_command", "every check over the last game dates (a table, or --json)"),
    "watch": (
        "console.cli.watch_command",
        "run the morning check on a schedule and notify on changes",
    ),
    "ack": (
        "console.cli.team_command",
        "acknowledge a failing check (ack CHECK --reason …), or ack list / ack clear CHECK",
    ),
    "note": ("console.cli.team_command", "notes on a game date: note add TEXT [--check ID], note list"),
    "completion": ("console.cli.completion", "print the shell completion script (bash or zsh)"),
}

EXIT_ERROR = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug, not a refused input
EXIT_INTERRUPTED = 130  # as `playbook run` when its run is interrupted


class OutputError(Exception):
    """An output path could not be written: one line naming the path and the reason."""

    def __init__(self, path: Path, exc: OSError):
        super().__init__(f"cannot write {path}: {exc.strerror or exc}")


class _Parser(argparse.ArgumentParser):
    """`epilog_of`: an epilog computed when help is shown, not when the parser is built."""

    def __init__(self, *args: Any, epilog_of: Callable[[], str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.epilog_of = epilog_of

    def format_help(self) -> str:
        if self.epilog_of is not None:
            self.epilog, self.epilog_of = self.epilog_of(), None
        return super().format_help()


class _VersionAction(argparse.Action):
    """`--version`, reading the package metadata only when asked (it scans sys.path)."""

    def __init__(self, option_strings, dest, **kwargs) -> None:
        super().__init__(
            option_strings,
            dest=argparse.SUPPRESS,
            default=argparse.SUPPRESS,
            nargs=0,
            help="print the version and exit",
        )

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        sys.stdout.write(f"{parser.prog} {package_version()}\n")  # stdout, as argparse's own action
        parser.exit()


def build_parser(commands: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; with `commands`, only those commands' modules are imported and the
    others are placeholders (their name and help, accepting anything)."""
    parser = _Parser(prog="nba-console", description="On-call console for the NBA props platform.")
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--config", type=Path, help="config file (default: ./nba-console.toml, then the user config dir)"
    )
    parser.add_argument("--backend", choices=["local", "gcp"], help="data backend (default: local)")
    parser.add_argument("--data-dir", type=_path_arg, help="local backend data directory (NBA_CONSOLE_DATA_DIR)")
    parser.add_argument("--project", help="GCP project (default: nba-props-platform)")
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=None,
        help="change nothing of the platform or its data: no playbook, deploy or data load "
        "(the console still keeps its own state)",
    )
    parser.add_argument("--date", dest="game_date", type=_date_arg, help="game date (default: latest/yesterday)")
    parser.add_argument("--at", help="evaluate as of a moment: HH:MM on the processing date, or ISO time")
    parser.add_argument(
        "--check",
        dest="land_check",
        metavar="CHECK_ID",
        type=_check_id,
        help="the console: open with this panel focused",
    )
    parser.add_argument("--drill", action="store_true", help="the console: with --check, open its drill-down")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser(
        "check",
        help="run the morning checks once (exit 0 ok, 1 a check fails, 2 error)",
        epilog_of=_check_epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _date_options(check)
    check.add_argument("--json", action="store_true", help="one JSON object on stdout")
    check.add_argument(
        "--only",
        action="append",
        metavar="CHECK_ID",
        type=_check_id,
        help="run only this check (repeatable; ids below)",
    )
    check.set_defaults(func=cmd_check)

    report = sub.add_parser("report", help="the morning check as Markdown")
    _date_options(report)
    report.add_argument("-o", "--output", type=Path, help="write to a file instead of stdout")
    report.set_defaults(func=cmd_report)

    wanted = None if commands is None else {COMMANDS[c][0] for c in commands if c in COMMANDS}
    registered: set[str] = set()
    for name, (module_name, help_text) in COMMANDS.items():
        if wanted is not None and module_name not in wanted:
            sub.add_parser(name, help=help_text, add_help=False)  # placeholder: parse_known_args takes the rest
        elif module_name not in registered:
            registered.add(module_name)
            importlib.import_module(module_name).register(sub)
    return parser


def package_version() -> str:
    """The installed distribution's version (what pip/pipx/uv installed), not a copy in code."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nba-console")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse with only the given command's module imported (the placeholders find which)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(())
    first, _ = parser.parse_known_args(argv)
    if first.command in COMMANDS:
        parser = build_parser((first.command,))
    args, extras = parser.parse_known_args(argv)
    if extras:
        # argparse reports a subcommand's unknown option with the top-level usage; the usage
        # of the command that was given (`check --bogus` -> `usage: nba-console check ...`) is
        # the one that says what it takes.
        before_command = args.command in argv and argv.index(extras[0]) < argv.index(args.command)
        owner = parser if before_command else _innermost(parser, args)
        owner.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def _innermost(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The (sub)parser of the deepest command named in `args` (`playbook run` -> its parser)."""
    while True:
        # argparse has no public accessor for a parser's subcommands.
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        chosen = getattr(args, actions[0].dest, None) if actions else None
        if not actions or chosen not in actions[0].choices:
            return parser
        parser = actions[0].choices[chosen]


def _check_ids() -> list[str]:
    from console.services.runner import SPECS

    return [spec.id for spec in SPECS]


def _check_epilog() -> str:
    from console.core.config import Settings
    from panels.dispatch import help_texts

    ids = "\n".join(f"  {check_id}" for check_id in _check_ids())
    # The rules people ask about (issue 23: grading's), each check's own `help_text`; the
    # thresholds table of docs/checks.md says the same.
    rules = "".join(f"{text}\n\n" for text in help_texts(Settings.model_construct()))
    return (
        f"check ids:\n{ids}\n\n{rules}exit codes (an alerting job reads only these):\n"
        "  0  nothing failed (ok, warn or unknown)\n"
        "  1  a check failed\n"
        "  2  a check could not run (status error), an unknown check id, or bad arguments"
    )


def _check_id(text: str) -> str:
    valid = _check_ids()
    if text not in valid:
        raise argparse.ArgumentTypeError(f"unknown check id {text!r}; valid ids: {', '.join(valid)}")
    return text


def _date_options(parser: argparse.ArgumentParser) -> None:
    # Accepted after the subcommand too (`check --date ...`), as the examples write it.
    parser.add_argument("--date", dest="game_date", type=_date_arg, default=argparse.SUPPRESS, help="game date")
    parser.add_argument("--at", default=argparse.SUPPRESS, help="as-of moment: HH:MM (processing date) or ISO")


def _date_arg(text: str) -> date:
    # Exactly YYYY-MM-DD (fromisoformat alone also takes 20260203 and 2026-W06-3), within the
    # years the checks can compute windows around.
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError
        from console.core.timestamps import date_in_range

        return date_in_range(date.fromisoformat(text))
    except ValueError as exc:
        # The refused value is always repeated: "day is out of range for month" alone does not
        # say which of a command line's dates was wrong.
        reason = str(exc)
        if not reason:
            reason = f"{text!r} is not a date (YYYY-MM-DD)"
        elif text not in reason:
            reason = f"{text!r} is not a date: {reason}"
        raise argparse.ArgumentTypeError(reason) from None


def _path_arg(text: str) -> Path:
    if not text.strip():  # Path("") is the current directory
        raise argparse.ArgumentTypeError("an empty path is not a directory")
    return Path(text)


def settings_from_args(args: argparse.Namespace) -> Settings:
    from console.core.config import load_settings

    return load_settings(
        args.config,
        backend=args.backend,
        data_dir=args.data_dir,
        project=args.project,
        read_only=args.read_only,
    )


def resolve_context(args: argparse.Namespace, settings: Settings, backend):
    """Game date and as-of moment from --date/--at, with the documented defaults."""
    from console.services.runner import CheckContext, default_game_date, parse_at

    now = datetime.now(UTC)
    game_date = args.game_date or default_game_date(backend, settings, now)
    as_of = parse_at(args.at, game_date + settings.processing_offset, settings, now)
    return CheckContext(settings=settings, game_date=game_date, as_of=as_of)


def _run_report(args: argparse.Namespace):
    from console.backends import open_backend
    from console.services.runner import run_all

    settings = settings_from_args(args)
    backend = open_backend(settings)
    try:
        backend.preflight()  # no credentials at all: one line and exit 2, not six errors
        with backend.holding():  # one DuckDB connection for every query of the run
            ctx = resolve_context(args, settings, backend)
            return settings, run_all(backend, ctx, getattr(args, "only", None))
    finally:
        backend.close()


def cmd_check(args: argparse.Namespace) -> int:
    settings, report = _run_report(args)
    if args.json:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(report.to_json_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
    else:
        from console.services.report import print_report  # rich: only for a person's terminal

        print_report(report, settings)
    return report.exit_code()


def cmd_report(args: argparse.Namespace) -> int:
    from console.services.report import report_markdown

    settings, report = _run_report(args)
    text = report_markdown(report, settings, _notes(settings, report.game_date))
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OutputError(args.output, exc) from None
    else:
        sys.stdout.write(text)
    return report.exit_code()


def _notes(settings: Settings, game_date: date) -> list[Any]:
    """The team's notes on the date for the report; a store that cannot be read is one line on
    stderr, never a report lost."""
    from console.core.team import TeamStoreError
    from console.services.team_records import open_team_store

    store = open_team_store(settings)
    try:
        return store.notes(game_date)
    except TeamStoreError as exc:
        print(f"nba-console: notes left out of the report: {exc}", file=sys.stderr)
        return []
    finally:
        store.close()


def cmd_tui(args: argparse.Namespace) -> int:
    """The console. --date fixes the first game date; --at freezes the clock at that moment."""
    from console.core.clock import FixedClock, SystemClock
    from console.tui.app import NbaConsoleApp

    settings = settings_from_args(args)
    if args.drill and not args.land_check:
        raise ValueError("--drill needs --check CHECK_ID (the drill-down to open)")
    clock: Clock = SystemClock()
    if args.at:
        from console.backends import open_backend

        backend = open_backend(settings)
        try:
            ctx = resolve_context(args, settings, backend)
        finally:
            backend.close()
        clock, args.game_date = FixedClock(ctx.as_of), ctx.game_date
    app = NbaConsoleApp(
        settings, clock=clock, game_date=args.game_date, land_check=args.land_check, land_drill=args.drill
    )
    return run_console(app)


def run_console(app: NbaConsoleApp) -> int:
    """Run the console (`nba-console`, the demo), then tell the terminal what it must know."""
    app.run()
    for note in app.exit_notes:  # an interrupted playbook run: its id and the resume command
        print(f"nba-console: {note}", file=sys.stderr)
    # The screen is gone; what is left is the interpreter's last garbage collection over
    # everything the session built, which took ~2 s after `q`. Nothing needs collecting now.
    import gc

    gc.freeze()
    if app.return_code:
        return app.return_code  # Textual sets 1 when the app died of an exception: never 0
    return EXIT_INTERRUPTED if app.exit_notes else 0


def main(argv: list[str] | None = None) -> int:
    if argv is None and "_ARGCOMPLETE" in os.environ:  # the shell asking (TAB): answers and exits
        from console.cli.completion import complete

        complete(build_parser())  # the whole parser: every command's flags complete
    args = parse_args(argv)
    func: Callable[[argparse.Namespace], int] = getattr(args, "func", cmd_tui)
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - sorted out below, importing the error types only now
        return _failed(exc)


def _failed(exc: Exception) -> int:
    """One line on stderr and the exit code for an exception that ended a command."""
    from console.core.config_errors import ConfigError
    from console.core.errors import ScenarioError, SourceError, first_line
    from console.core.safety import ReadOnlyError

    try:
        raise exc
    except ConfigError as exc:
        print(f"nba-console: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (ScenarioError, SourceError, ValueError, OutputError, ReadOnlyError) as exc:
        print(f"nba-console: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:  # an output file that cannot be written, a path that is not a folder
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"nba-console: {where}{exc.strerror or first_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - a bug: one line and a failing exit, never a traceback
        print(
            f"nba-console: internal error ({type(exc).__name__}: {first_line(exc)}); please report it", file=sys.stderr
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
