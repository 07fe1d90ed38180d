"""The CLI's commands, enumerated from its parser, so a new command fails the tests that must
list it. argparse has no public walk of its subcommands (console/cli/completion.py has the
same one): its private `_actions` / `_SubParsersAction` are read here and nowhere else in tests."""

from __future__ import annotations

import argparse


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommands `parser` takes, by name ({} for a leaf)."""
    # Private, both: argparse has no public list of a parser's actions, nor a public type for subcommands.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def leaf_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command a user can run: the leaves, and a command that runs alone as well as with
    subcommands (`audit`, `audit show`)."""
    out = []
    for name, sub in subcommands(parser).items():
        children = leaf_commands(sub, (*prefix, name))
        out.extend(children or [(*prefix, name)])
        if sub.get_default("func") is not None and children:
            out.append((*prefix, name))
    return out
