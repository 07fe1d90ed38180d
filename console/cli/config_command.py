"""`nba-console config`: the settings in force as JSON, or with `--reference` every setting the
console has (key, type, default, bounds, environment variable, description) as Markdown, the
page `make docs` writes to docs/configuration.md."""

from __future__ import annotations

import argparse
import sys


def register(sub) -> None:
    parser = sub.add_parser(
        "config",
        help="print the effective configuration as JSON (--reference: every setting, as Markdown)",
        description="Print the settings in force (flags, NBA_CONSOLE_* variables, the config file, "
        "the defaults) as JSON.",
    )
    parser.add_argument(
        "--reference",
        action="store_true",
        help="print every setting (key, type, default, bounds, environment variable, description) as "
        "Markdown instead, without reading any configuration: docs/configuration.md",
    )
    parser.set_defaults(func=cmd_config)


def cmd_config(args: argparse.Namespace) -> int:
    if args.reference:  # the model's own page: a broken config file must not hide it
        from console.core.config_reference import reference_markdown

        sys.stdout.write(reference_markdown())
        return 0
    from console.cli import settings_from_args

    settings = settings_from_args(args)
    sys.stdout.write(settings.model_dump_json(indent=2) + "\n")
    return 0
