"""`nba-console`: the TUI with no subcommand, headless commands otherwise.

Feature modules add their own subcommands through a `register(subparsers)` function listed
in COMMAND_MODULES, so this file stays a small dispatcher.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

import orjson

from ..core.config import ConfigError, Settings, load_settings
from ..core.errors import ScenarioError, SourceError, first_line
from ..safety import ReadOnlyError
from ..core.timestamps import date_in_range

# Each module exposes register(subparsers) and sets `func` on its parsers.
COMMAND_MODULES = (
    "console.cli.local",
    "console.cli.playbook",
    "console.cli.logs",
    "console.cli.serve",
    "console.cli.history",
    "console.cli.watch",
    "console.cli.completion",
)

EXIT_ERROR = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug, not a refused input


class OutputError(Exception):
    """An output path could not be written: one line naming the path and the reason."""

    def __init__(self, path: Path, exc: OSError):
        super().__init__(f"cannot write {path}: {exc.strerror or exc}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nba-console", description="On-call console for the NBA props platform.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    parser.add_argument("--config", type=Path, help="config file (default: ./nba-console.toml, then the user config dir)")
    parser.add_argument("--backend", choices=["local", "gcp"], help="data backend (default: local)")
    parser.add_argument("--data-dir", type=_path_arg, help="local backend data directory (NBA_CONSOLE_DATA_DIR)")
    parser.add_argument("--project", help="GCP project (default: nba-props-platform)")
    parser.add_argument("--read-only", action="store_true", default=None, help="refuse every mutating action")
    parser.add_argument("--date", dest="game_date", type=_date_arg, help="game date (default: latest/yesterday)")
    parser.add_argument("--at", help="evaluate as of a moment: HH:MM on the processing date, or ISO time")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="run the morning checks once (exit 0 ok, 1 a check fails, 2 error)",
                           epilog=_check_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    _date_options(check)
    check.add_argument("--json", action="store_true", help="one JSON object on stdout")
    check.add_argument("--only", action="append", metavar="CHECK_ID", type=_check_id,
                       help="run only this check (repeatable; ids below)")
    check.set_defaults(func=cmd_check)

    report = sub.add_parser("report", help="the morning check as Markdown")
    _date_options(report)
    report.add_argument("-o", "--output", type=Path, help="write to a file instead of stdout")
    report.set_defaults(func=cmd_report)

    config = sub.add_parser("config", help="print the effective configuration as JSON")
    config.set_defaults(func=cmd_config)

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


def package_version() -> str:
    """The installed distribution's version (what pip/pipx/uv installed), not a copy in code."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nba-console")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _check_ids() -> list[str]:
    from ..core.runner import SPECS

    return [spec.id for spec in SPECS]


def _check_epilog() -> str:
    ids = "\n".join(f"  {check_id}" for check_id in _check_ids())
    return (f"check ids:\n{ids}\n\nexit codes (an alerting job reads only these):\n"
            "  0  nothing failed (ok, warn or unknown)\n"
            "  1  a check failed\n"
            "  2  a check could not run (status error), an unknown check id, or bad arguments")


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
        return date_in_range(date.fromisoformat(text))
    except ValueError as exc:
        reason = str(exc) or f"{text!r} is not a date (YYYY-MM-DD)"
        raise argparse.ArgumentTypeError(reason) from None


def _path_arg(text: str) -> Path:
    if not text.strip():  # Path("") is the current directory
        raise argparse.ArgumentTypeError("an empty path is not a directory")
    return Path(text)


def settings_from_args(args: argparse.Namespace) -> Settings:
    return load_settings(
        args.config,
        backend=args.backend,
        data_dir=args.data_dir,
        project=args.project,
        read_only=args.read_only,
    )


def resolve_context(args: argparse.Namespace, settings: Settings, backend):
    """Game date and as-of moment from --date/--at, with the documented defaults."""
    from ..core.runner import CheckContext, default_game_date, parse_at

    now = datetime.now(timezone.utc)
    game_date = args.game_date or default_game_date(backend, settings, now)
    as_of = parse_at(args.at, game_date + settings.processing_offset, settings, now)
    return CheckContext(settings=settings, game_date=game_date, as_of=as_of)


def _run_report(args: argparse.Namespace):
    from ..backends import open_backend
    from ..core.runner import run_all

    settings = settings_from_args(args)
    backend = open_backend(settings)
    try:
        backend.preflight()  # no credentials at all: one line and exit 2, not six errors
        ctx = resolve_context(args, settings, backend)
        return settings, run_all(backend, ctx, getattr(args, "only", None))
    finally:
        backend.close()


def cmd_check(args: argparse.Namespace) -> int:
    from ..render import print_report

    settings, report = _run_report(args)
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(report.to_json_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
    else:
        print_report(report, settings)
    return report.exit_code()


def cmd_report(args: argparse.Namespace) -> int:
    from ..render import report_markdown

    settings, report = _run_report(args)
    text = report_markdown(report, settings)
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OutputError(args.output, exc) from None
    else:
        sys.stdout.write(text)
    return report.exit_code()


def cmd_config(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    sys.stdout.write(settings.model_dump_json(indent=2) + "\n")
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    """The console. --date fixes the first game date; --at freezes the clock at that moment."""
    from ..tui.app import NbaConsoleApp
    from ..core.clock import FixedClock, SystemClock

    settings = settings_from_args(args)
    clock = SystemClock()
    if args.at:
        from ..backends import open_backend

        backend = open_backend(settings)
        try:
            ctx = resolve_context(args, settings, backend)
        finally:
            backend.close()
        clock, args.game_date = FixedClock(ctx.as_of), ctx.game_date
    app = NbaConsoleApp(settings, clock=clock, game_date=args.game_date)
    app.run()
    return app.return_code or 0  # Textual sets 1 when the app died of an exception: never 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    if argv is None:  # the shell asking for completions (TAB): answers and exits
        from .completion import complete

        complete(parser)
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = getattr(args, "func", cmd_tui)
    try:
        return func(args)
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
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: one line and a failing exit, never a traceback
        print(f"nba-console: internal error ({type(exc).__name__}: {first_line(exc)}); please report it",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
