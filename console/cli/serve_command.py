"""`nba-console serve`: the console in a browser (the server itself is console/serve.py).

This module is imported by every `nba-console` call to register the subcommand, so it stays
light: aiohttp and textual-serve are imported only when `serve` runs.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from typing import TextIO

from console.core.config import Settings
from console.core.config_errors import ConfigError
from console.core.serve_token import TOKEN_ENV

EXIT_REFUSED = 2
MIN_TOKEN_CHARS = 16


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="serve the console to browsers, read-only unless --allow-playbooks")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; any other needs the token)"
    )
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    serve.add_argument(
        "--allow-playbooks",
        action="store_true",
        help="let viewers run playbooks (with this server's credentials); asks for a typed confirmation",
    )
    serve.add_argument("--yes", action="store_true", help="confirm --allow-playbooks without a terminal")
    serve.add_argument("--require-token", action="store_true", help="ask for the token on 127.0.0.1 too")
    serve.set_defaults(func=cmd_serve)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def child_argv(settings: Settings, args: argparse.Namespace, read_only: bool) -> list[str]:
    """The console each viewer gets: this interpreter, the server's effective settings, as argv."""
    argv = [sys.executable, "-m", "console"]
    if settings._config_file is not None:
        argv += ["--config", str(settings._config_file.resolve())]
    argv += ["--backend", settings.backend, "--project", settings.project, "--data-dir", str(settings.data_dir)]
    if read_only:
        argv.append("--read-only")
    if getattr(args, "game_date", None):
        argv += ["--date", args.game_date.isoformat()]
    if getattr(args, "at", None):
        argv += ["--at", args.at]
    return argv


def confirm_playbooks(
    settings: Settings, yes: bool, stdin: TextIO | None = None, out: TextIO | None = None
) -> str | None:
    """None when the operator confirmed; otherwise why serving with playbooks is refused."""
    stdin, out = stdin or sys.stdin, out or sys.stderr
    if settings.read_only:
        return "--allow-playbooks contradicts --read-only / read_only = true"
    if yes:
        return None
    if not stdin.isatty():
        return "--allow-playbooks needs a typed confirmation on a terminal (or --yes)"
    out.write(
        f"Every viewer will be able to run playbooks against {settings.project} ({settings.backend} backend)\n"
        f"with THIS server's credentials. Type the project name ({settings.project}) to allow it: "
    )
    out.flush()
    answer = stdin.readline().strip()
    return None if answer == settings.project else f"confirmation {answer!r} does not match {settings.project!r}"


def resolve_token(host: str, require: bool) -> tuple[str | None, bool]:
    """(token, printable): no token on loopback unless asked; a fixed one from the env is never printed."""
    import secrets

    if is_loopback(host) and not require:
        return None, False
    fixed = os.environ.get(TOKEN_ENV)
    if fixed is not None:
        if len(fixed) < MIN_TOKEN_CHARS:
            raise ConfigError(f"{TOKEN_ENV} must be at least {MIN_TOKEN_CHARS} characters")
        return fixed, False
    return secrets.token_urlsafe(24), True


def _ensure_local_data(settings: Settings) -> None:
    """`serve` on an empty local backend shows the demo, as `make run` does."""
    from console.core import safety
    from console.local.scenario import current_dir

    if settings.backend != "local" or current_dir(settings) is not None:
        return
    if not safety.is_writable(settings):
        print(
            f"nba-console serve: no local data in {settings.data_dir} (run `nba-console local seed-demo`)",
            file=sys.stderr,
        )
        return
    from console.cli.local_command import seed_demo

    seed_demo(settings)
    print(f"seeded the demo into {settings.data_dir}", file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> int:
    from console.cli import settings_from_args

    settings = settings_from_args(args)
    if not 0 < args.port < 65536:
        print(f"nba-console serve: port {args.port} is not 1-65535", file=sys.stderr)
        return EXIT_REFUSED
    read_only = True
    if args.allow_playbooks:
        refusal = confirm_playbooks(settings, args.yes)
        if refusal:
            print(f"nba-console serve: refused: {refusal}", file=sys.stderr)
            return EXIT_REFUSED
        read_only = False
    token, printable = resolve_token(args.host, args.require_token)
    _ensure_local_data(settings)

    from console.tui.serve import ConsoleServer, ServeOptions

    options = ServeOptions(
        host=args.host,
        port=args.port,
        argv=child_argv(settings, args, read_only),
        read_only=read_only,
        token=token,
        print_token=printable,
        max_sessions=settings.serve.max_sessions,
        idle_seconds=settings.serve.idle_minutes * 60,
        quit_grace_s=settings.serve.quit_grace_s,
    )
    try:
        ConsoleServer(options).run()
    except OSError as exc:  # the port is taken, the address is not this machine's, ...
        print(f"nba-console serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_REFUSED
    return 0
