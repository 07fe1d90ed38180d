"""Shell completion (argcomplete): `nba-console completion bash|zsh` prints the script, and
`complete(parser)` answers the shell's questions: subcommands and flags from the parser,
check ids, playbook names, playbook parameters and service names from the config.

The completers are attached by walking the parser (by each argument's dest), so the command
modules stay free of completion code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

SHELLS = ("bash", "zsh")
PROG = "nba-console"


def register(sub: argparse._SubParsersAction) -> None:
    comp = sub.add_parser(
        "completion",
        help="print the shell completion script (bash or zsh)",
        description="Print the completion script for your shell. Enable it with\n"
        '  bash: eval "$(nba-console completion bash)"   (in ~/.bashrc)\n'
        '  zsh:  eval "$(nba-console completion zsh)"    (in ~/.zshrc, after compinit)',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    comp.add_argument("shell", choices=SHELLS)
    comp.set_defaults(func=cmd_completion)


def cmd_completion(args: argparse.Namespace) -> int:
    import argcomplete

    sys.stdout.write(argcomplete.shellcode([PROG], shell=args.shell))
    return 0


# ------------------------------------------------------------------ completers


def _settings(parsed_args: argparse.Namespace | None):
    """The settings the command would use (its --config, --backend ...), or the defaults; a
    broken config completes with the defaults rather than printing an error into the line."""
    from console.core.config import Settings, load_settings

    try:
        return load_settings(
            getattr(parsed_args, "config", None),
            backend=getattr(parsed_args, "backend", None),
            data_dir=getattr(parsed_args, "data_dir", None),
            project=getattr(parsed_args, "project", None),
        )
    except Exception:  # noqa: BLE001 - completion never fails loudly
        try:
            return Settings()
        except Exception:  # noqa: BLE001 - a broken environment: no names to offer
            return None


def check_ids(prefix: str = "", **_: Any) -> list[str]:
    from console.services.runner import SPECS

    return [spec.id for spec in SPECS if spec.id.startswith(prefix)]


def playbook_names(prefix: str = "", **_: Any) -> list[str]:
    from console.playbook import model

    try:
        return [name for name in model.load_all() if name.startswith(prefix)]
    except Exception:  # noqa: BLE001 - a broken playbook file: nothing to offer, no traceback
        return []


def service_names(prefix: str = "", parsed_args: argparse.Namespace | None = None, **_: Any) -> list[str]:
    settings = _settings(parsed_args)
    return [name for name in (settings.services.names() if settings else []) if name.startswith(prefix)]


def param_pairs(prefix: str = "", parsed_args: argparse.Namespace | None = None, **_: Any) -> list[str]:
    """`--param` of `playbook show|run NAME`: `service=` first, then the names it accepts."""
    from console.playbook import model

    try:
        book = model.get(getattr(parsed_args, "name", None) or "")
    except Exception:  # noqa: BLE001 - no playbook named yet, or a broken one
        return []
    key, sep, _value = prefix.partition("=")
    if not sep:
        return [f"{name}=" for name in book.params if name.startswith(key)]
    spec = book.params.get(key)
    if spec is None:
        return []
    settings = _settings(parsed_args)
    values: Iterable[str] = []
    if settings is not None and spec.type in ("service", "run_service", "function"):
        values = {
            "service": settings.services.cloud_run + settings.services.functions,
            "run_service": settings.services.cloud_run,
            "function": settings.services.functions,
        }[spec.type]
    elif settings is not None and spec.type == "region":
        values = [settings.region]
    return [f"{key}={v}" for v in values if f"{key}={v}".startswith(prefix)]


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> None:
    # argparse has no public walk of a parser's actions: `_actions` and `_SubParsersAction`
    # are its stable internals (unchanged since Python 3.2), read here only.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                _walk(sub, (*path, name))
            continue
        if action.dest == "only":
            _complete_with(action, check_ids)
        elif action.dest == "service":
            _complete_with(action, service_names)
        elif action.dest == "name" and path[:1] == ("playbook",):
            _complete_with(action, playbook_names)
        elif action.dest == "param" and path[:1] == ("playbook",):
            _complete_with(action, param_pairs)


def _complete_with(action: argparse.Action, completer: Callable[..., list[str]]) -> None:
    action.completer = completer  # type: ignore[attr-defined]  # argcomplete's attribute, which argparse does not declare


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell and exit when it is asking (argcomplete's `_ARGCOMPLETE`); else return
    at once (argcomplete is not even imported on an ordinary run)."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    import argcomplete

    _walk(parser)
    argcomplete.autocomplete(parser)
