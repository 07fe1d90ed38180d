"""The configuration's stricter checks (issue 24): what pydantic's lax mode and the TOML and
JSON parsers would let through, refused with a message that names the fix.

- Types: no `true` where a number or a duration is meant (pydantic reads it as 1), no number
  where a time of day is meant (`grading = 900` would be 00:15 UTC), no number for a switch.
- Names: `[keys]` binding ids and key names, `tui.theme` and `region` against what exists.
- Shape: nesting deeper than any setting has, in the file or an NBA_CONSOLE_* value.

Pure and light, like the rest of the configuration: `check` loads it on every run, so the
names the TUI knows (binding ids, Textual's key names and themes) are static lists here,
which tests/unit/core/test_config_names.py holds equal to the screens' bindings and to Textual's.
"""

from __future__ import annotations

import difflib
import functools
import types
import typing
from datetime import time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic is imported by whoever calls: not on this module's import
    from pydantic import BaseModel

# ------------------------------------------------------------------ types

_NUMBER = (int, float)


@functools.cache
def _kinds(model: type[BaseModel], field: str) -> frozenset[type]:
    """The scalar types a field's annotation allows (Optional and unions unwrapped)."""
    info = model.model_fields.get(field)
    if info is None:
        return frozenset()
    found: set[type] = set()
    todo = [info.annotation]
    while todo:
        annotation = todo.pop()
        if isinstance(annotation, type) and annotation in (bool, int, float, time, timedelta, str):
            found.add(annotation)
        elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
            todo.extend(typing.get_args(annotation))
    return frozenset(found)


def strict_scalar(model: type[BaseModel], field: str | None, value: Any) -> Any:
    """`value` for `model.field` as written, or ValueError when its type only converts by
    accident. Strings pass: the environment gives only strings, and pydantic parses them.
    `field` is None only outside a field validator: nothing to check then."""
    kinds = _kinds(model, field) if field is not None else frozenset()
    if not kinds or isinstance(value, str):
        return value
    if isinstance(value, bool):
        if bool not in kinds and kinds & {int, float, timedelta, time}:
            what = "a duration" if timedelta in kinds else "a time of day" if time in kinds else "a number"
            raise ValueError(f"expected {what}, not true or false")
    elif isinstance(value, _NUMBER):
        if time in kinds and not kinds & {int, float, timedelta}:
            raise ValueError('expected a time of day as "HH:MM" (e.g. "09:00"), not a number')
        if bool in kinds and not kinds & {int, float}:
            raise ValueError("expected true or false, not a number")
    return value


def channel_problem(kind: str, url_env: str | None, command: list[str]) -> str | None:
    """A `[[notify]]` channel without what it sends to, refused at load rather than at the
    first alert ("$None is not set" in the middle of a morning)."""
    if kind in ("slack", "webhook") and not url_env:
        return (
            f"a {kind} channel needs url_env, the environment variable that holds its URL "
            '(url_env = "NBA_CONSOLE_SLACK_WEBHOOK")'
        )
    if kind == "command" and not command:
        return 'a command channel needs command, the argv to run (command = ["/usr/bin/logger"])'
    return None


# ------------------------------------------------------------------ nesting

# The deepest setting is a list of tables of lists ([[notify]] command): 3 levels. Beyond
# this a value is a mistake, and far beyond it the parsers themselves recurse out of stack.
MAX_DEPTH = 8


def nesting_depth(value: Any, limit: int = MAX_DEPTH) -> tuple[int, tuple[str, ...]]:
    """How deep `value` nests (dicts and lists), stopping past `limit`; and the path to the
    deepest point found, for the message. Iterative: no recursion to run out of."""
    deepest: tuple[int, tuple[str, ...]] = (0, ())
    stack: list[tuple[Any, int, tuple[str, ...]]] = [(value, 0, ())]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, dict):
            children = [(v, depth + 1, (*where, str(k))) for k, v in item.items()]
        elif isinstance(item, list):
            children = [(v, depth + 1, (*where, str(i))) for i, v in enumerate(item)]
        else:
            continue
        if depth + 1 > deepest[0]:
            deepest = (depth + 1, where)
        if depth + 1 > limit:
            break
        stack.extend(children)
    return deepest


def text_nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """Bracket depth of a JSON text, strings skipped, stopping past `limit`: an
    NBA_CONSOLE_* value is measured before pydantic-settings decodes it."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif char in "]}":
            depth -= 1
    return deepest


def read_toml(path: Path, max_bytes: int = 1 << 20) -> dict[str, Any]:
    """The config file as a dict, or ValueError naming what is wrong with it (not a regular
    file, too large, not UTF-8, not TOML, nested too deeply)."""
    import tomllib

    from console.core.safefile import read_regular

    data = read_regular(path, max_bytes)  # never blocks on a FIFO; refuses a directory
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise ValueError(f"a value is nested too deeply to read (settings nest at most {MAX_DEPTH} levels)") from None
    depth, where = nesting_depth(parsed)
    if depth > MAX_DEPTH:
        key = ".".join(where[:4]) + (" ..." if len(where) > 4 else "")
        raise ValueError(f"`{key}` is nested more than {MAX_DEPTH} levels deep (settings nest at most {MAX_DEPTH})")
    return parsed


# ------------------------------------------------------------------ names


def _did_you_mean(value: str, known: typing.Iterable[str], what: str) -> str:
    known = sorted(known)
    match = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    hint = f"; did you mean {match[0]!r}?" if match else ""
    listing = ", ".join(known)
    return f"unknown {what} {value[:60]!r}{hint} (known: {listing})"


# Every binding id the console's screens declare (Binding(..., id=...)): what `[keys]` may
# remap. Textual's own bindings have no ids, so nothing else can be remapped.
BINDING_IDS = frozenset(
    {
        "acknowledge",  # issue 26
        "back",
        "close_goto",
        "close_help",
        "close_filter_name",
        "close_log_sql",
        "close_open_files",
        "close_saved_filters",
        "close_sql",
        "close_team",
        "confirm_no",
        "confirm_yes",
        "copy_row",
        "copy_sql",
        "default_date",
        "delete_saved_filter",
        "down_panel",
        "goto_date",
        "help",
        "histogram_jump",
        "histogram_next",
        "histogram_prev",
        "history",
        "log_sql_example",
        "logs",
        "logs_back",
        "logs_copy_entry",
        "logs_filter",
        "logs_follow",
        "logs_histogram",
        "logs_next_error",
        "logs_open_entry",
        "logs_open_files",
        "logs_pause",
        "logs_prev_error",
        "logs_save_filter",
        "logs_saved_filters",
        "logs_sql",
        "next_date",
        "next_panel",
        "note",
        "open_detail",
        "pause",
        "playbook_dry_run",
        "playbook_run",
        "playbooks",
        "prev_date",
        "prev_panel",
        "quit",
        "refresh",
        "reload",
        "replay_end",
        "search_next",
        "search_prev",
        "search_rows",
        "show_sql",
        "sort",
        "up_panel",
    }
)

# Textual's themes (textual.theme.BUILTIN_THEMES) and the console's own colour-blind safe
# one (console/tui/themes.py: blue for good, orange for bad).
THEMES = frozenset(
    {
        "ansi-dark",
        "colorblind",
        "ansi-light",
        "atom-one-dark",
        "atom-one-light",
        "catppuccin-frappe",
        "catppuccin-latte",
        "catppuccin-macchiato",
        "catppuccin-mocha",
        "dracula",
        "flexoki",
        "gruvbox",
        "monokai",
        "nord",
        "rose-pine",
        "rose-pine-dawn",
        "rose-pine-moon",
        "solarized-dark",
        "solarized-light",
        "textual-dark",
        "textual-light",
        "tokyo-night",
    }
)

# Key names of more than one character that are not a character's Unicode name: Textual's
# named keys (textual.keys.Keys), its replacements for some characters' names and its aliases.
NAMED_KEYS = frozenset(
    {
        "at",
        "backslash",
        "backspace",
        "delete",
        "down",
        "end",
        "enter",
        "escape",
        "home",
        "insert",
        "left",
        "left_square_brace",
        "minus",
        "newline",
        "pagedown",
        "pageup",
        "plus",
        "return",
        "right",
        "slash",
        "space",
        "tab",
        "underscore",
        "up",
        *(f"f{n}" for n in range(1, 25)),
    }
)
MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")


def key_problem(key: str) -> str | None:
    """Why `key` (one key as Textual names it: `ctrl+r`, `f5`, `question_mark`, `P`) is not
    a key, or None."""
    *mods, base = key.split("+")
    if not base:
        return "an empty key (the + key is named plus)" if mods else "an empty key"
    bad = [m for m in mods if m not in MODIFIERS]
    if bad:
        return f"{bad[0]!r} is not a modifier ({', '.join(MODIFIERS)})"
    if len(base) == 1:
        return None if base.isprintable() and not base.isspace() else f"{base!r} is not a key"
    if _key_name(base):
        return None
    hint = f" (key names are lowercase: {base.lower()!r})" if _key_name(base.lower()) else ""
    return f"{base[:40]!r} is not a key name{hint}"


def _key_name(name: str) -> bool:
    """A named key, or a character's Unicode name as Textual spells it (question_mark)."""
    if name in NAMED_KEYS:
        return True
    if name != name.lower():
        return False
    import itertools
    import unicodedata  # light, and only when [keys] names something

    # Textual spells "LESS-THAN SIGN" less_than_sign: each underscore was a space or a hyphen.
    words = name.upper().split("_")
    if len(words) > 11:
        return False
    for seps in itertools.product(" -", repeat=len(words) - 1):
        try:
            unicodedata.lookup(words[0] + "".join(sep + word for sep, word in zip(seps, words[1:], strict=True)))
        except KeyError:
            continue
        return True
    return False


def check_keys(mapping: dict[str, str]) -> dict[str, str]:
    """`[keys]`: each binding id must exist, each value be keys as Textual names them,
    comma-separated (`refresh = "ctrl+r,f5"`)."""
    for binding, keys in mapping.items():
        if binding not in BINDING_IDS:
            raise ValueError(_did_you_mean(binding, BINDING_IDS, "binding id"))
        for key in keys.split(","):
            problem = key_problem(key.strip())
            if problem:
                raise ValueError(
                    f"{binding} = {keys[:60]!r}: {problem}; keys look like ctrl+r, f5, question_mark "
                    '(several: "ctrl+r,f5")'
                )
    return mapping


def check_theme(name: str) -> str:
    if name not in THEMES:
        raise ValueError(_did_you_mean(name, THEMES, "theme"))
    return name


# Google Cloud regions (where Cloud Run, Cloud Functions and BigQuery's regional datasets
# live). A region Google opens later belongs here; until then it is refused.
GCP_REGIONS = frozenset(
    {
        "africa-south1",
        "asia-east1",
        "asia-east2",
        "asia-northeast1",
        "asia-northeast2",
        "asia-northeast3",
        "asia-south1",
        "asia-south2",
        "asia-southeast1",
        "asia-southeast2",
        "australia-southeast1",
        "australia-southeast2",
        "europe-central2",
        "europe-north1",
        "europe-north2",
        "europe-southwest1",
        "europe-west1",
        "europe-west2",
        "europe-west3",
        "europe-west4",
        "europe-west6",
        "europe-west8",
        "europe-west9",
        "europe-west10",
        "europe-west12",
        "me-central1",
        "me-central2",
        "me-west1",
        "northamerica-northeast1",
        "northamerica-northeast2",
        "northamerica-south1",
        "southamerica-east1",
        "southamerica-west1",
        "us-central1",
        "us-east1",
        "us-east4",
        "us-east5",
        "us-south1",
        "us-west1",
        "us-west2",
        "us-west3",
        "us-west4",
    }
)


def check_region(name: str) -> str:
    if name not in GCP_REGIONS:
        raise ValueError(_did_you_mean(name, GCP_REGIONS, "GCP region"))
    return name
