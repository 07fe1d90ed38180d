"""`nba-console local ...`: seed, load and export the embedded backend's data."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from console.local.scenario import current_dir, export_scenario, load_scenario


def register(sub: argparse._SubParsersAction) -> None:
    local = sub.add_parser("local", help="manage the embedded backend's data")
    cmds = local.add_subparsers(dest="local_command", metavar="ACTION", required=True)
    seed = cmds.add_parser("seed-demo", help="replace the local data with the 2026-02-05 demo")
    seed.set_defaults(func=cmd_seed_demo)
    ensure = cmds.add_parser("ensure-demo", help="seed the demo only if there is no local data yet")
    ensure.set_defaults(func=cmd_ensure_demo)
    load = cmds.add_parser("load", help="replace the local data with a scenario directory")
    load.add_argument("directory", type=Path)
    load.set_defaults(func=cmd_load)
    export = cmds.add_parser("export", help="write the local data as a scenario directory")
    export.add_argument("directory", type=Path)
    export.set_defaults(func=cmd_export)


def _settings(args):
    from console.cli import settings_from_args

    return settings_from_args(args)


def seed_demo(settings) -> dict[str, int]:
    from console.local.demo_scenario import write_scenario

    with tempfile.TemporaryDirectory(prefix="nba-console-demo-") as tmp:
        return load_scenario(write_scenario(Path(tmp)), settings)


def _writable(args, what: str):
    from console.core.safety import ReadOnlyError, check_writable

    settings = _settings(args)
    try:
        check_writable(settings, what)
    except ReadOnlyError as exc:
        raise ValueError(str(exc)) from None  # cli.main prints it and exits 2
    return settings


def cmd_seed_demo(args) -> int:
    settings = _writable(args, "replace the local data with the demo")
    counts = seed_demo(settings)
    print(f"seeded the demo into {settings.data_dir} ({sum(counts.values())} rows, documents and entries)")
    return 0


def cmd_ensure_demo(args) -> int:
    settings = _settings(args)
    if settings.backend != "local" or current_dir(settings) is not None:
        return 0
    _writable(args, "seed the local demo")
    return cmd_seed_demo(args)


def cmd_load(args) -> int:
    settings = _writable(args, f"load {args.directory} into the local data")
    counts = load_scenario(args.directory, settings)
    for label, n in counts.items():
        print(f"  {label}: {n}")
    print(f"loaded {args.directory} into {settings.data_dir}")
    return 0


def cmd_export(args) -> int:
    settings = _settings(args)
    counts = export_scenario(settings, args.directory)
    for label, n in counts.items():
        print(f"  {label}: {n}")
    print(f"exported {settings.data_dir} to {args.directory}", file=sys.stderr)
    return 0
