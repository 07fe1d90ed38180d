"""Configuration errors as one line each, for a person: the key as a dotted path, the nearest
valid key for an unknown one, and the NBA_CONSOLE_* variable a bad value came from."""

from __future__ import annotations

import difflib
import os
import re
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from console.core.config_environment import ENVIRONMENT
from console.core.config_file import ENV_PREFIX as ENV_PREFIX  # re-exported for config.py and config_reference.py


class ConfigError(Exception):
    """A configuration problem, phrased for the user (names the file and the key)."""


def _env_source(loc: tuple[str | int, ...]) -> str | None:
    """The NBA_CONSOLE_* variable a value at `loc` came from, if one is set."""
    names = [str(p).upper() for p in loc if not isinstance(p, int)]
    for n in range(len(names), 0, -1):
        var = ENV_PREFIX + "__".join(names[:n])
        if var in os.environ:
            return var
    return None


def _section_model(loc: tuple[str | int, ...], root: type[BaseModel]) -> type[BaseModel] | None:
    """The model holding the last key of `loc` (Settings, a section, a list item's model)."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part)) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return None
        model = _model_in(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def suggest_key(loc: tuple[str | int, ...], root: type[BaseModel]) -> str | None:
    """The nearest valid key for an unknown one, spelled as its full dotted path."""
    model = _section_model(loc, root)
    if model is None:
        return None
    names = [n for n in model.model_fields if not n.startswith("_")]
    match = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.0)
    if not match:
        return None
    return ".".join([str(p) for p in loc[:-1]] + match)


def describe_validation(exc: ValidationError, path: Path | None, root: type[BaseModel]) -> str:
    where = str(path) if path else "configuration"
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(part) for part in loc) or "(root)"
        env = _env_source(loc)
        origin = f" (from ${env})" if env else ""
        if err["type"] == "extra_forbidden":
            hint = suggest_key(loc, root)
            problems.append(f"`{key}`{origin}: unknown key" + (f"; did you mean `{hint}`?" if hint else ""))
        else:
            msg = err["msg"].removeprefix("Value error, ")
            value = err.get("input")
            got = "" if isinstance(value, dict) else f" (got {repr(value)[:80]})"
            problems.append(f"`{key}`{origin}: {msg}{got}")
    if any(_env_source(tuple(e["loc"])) for e in exc.errors()) and path is None:
        where = "environment"
    return f"{where}: invalid setting " + "; ".join(problems)


def describe_settings_error(exc: Exception) -> str:
    m = re.search(r'field "([^"]+)"', str(exc))
    field = m.group(1) if m else None
    var = ENV_PREFIX + field.upper() if field else f"an {ENV_PREFIX}* variable"
    return (
        f"${var}: not a valid value for `{field}` (a section is given as JSON, "
        f"or key by key as {ENV_PREFIX}{(field or 'SECTION').upper()}__KEY)"
    )


# NBA_CONSOLE_* variables read outside the settings model (config_environment.ENVIRONMENT: the
# config file's path, the SQL cache, the serve token, the gcp clients' test endpoints).
OTHER_VARIABLES = tuple(var.name.removeprefix(ENV_PREFIX) for var in ENVIRONMENT if var.name.startswith(ENV_PREFIX))


def unknown_env_variables(root: type[BaseModel], allowed: tuple[str, ...] = OTHER_VARIABLES) -> str | None:
    """NBA_CONSOLE_* variables that look meant for a setting but name none (pydantic-settings
    ignores them: a typo in a variable name would silently do nothing). A variable far from
    every setting name and without the nested `__` (e.g. a webhook URL a `[[notify]]`
    channel reads, NBA_CONSOLE_SLACK_WEBHOOK) is the user's own, not a misspelt setting;
    but one that names a setting with one underscore where a section needs two
    (NBA_CONSOLE_GCP_QUERY_TIMEOUT_S) is refused with the right spelling."""
    fields = sorted(n.upper() for n in root.model_fields)
    for var in sorted(os.environ):
        if not var.startswith(ENV_PREFIX):
            continue
        name = var[len(ENV_PREFIX) :]
        head = name.split("__")[0]
        if head in fields or head in allowed:
            continue
        meant = _spelled_with_other_underscores(name, root)
        if meant:
            return (
                f"environment: ${var}: unknown setting; did you mean ${ENV_PREFIX}{meant}? "
                "(a key inside a section takes two underscores)"
            )
        match = difflib.get_close_matches(head, fields, n=1, cutoff=0.75)
        if not match and "__" not in name:
            continue
        hint = f"; did you mean ${ENV_PREFIX}{match[0]}?" if match else ""
        return f"environment: ${var}: unknown setting{hint}"
    return None


def setting_variables(root: type[BaseModel]) -> list[str]:
    """Every variable name (without the prefix) that sets one key: `REFRESH_SECONDS`,
    `GCP__QUERY_TIMEOUT_S`, and a section as a whole (`GCP`, as JSON)."""
    out: list[str] = []
    todo: list[tuple[type[BaseModel], str]] = [(root, "")]
    while todo:
        model, prefix = todo.pop()
        for field, info in model.model_fields.items():
            name = prefix + field.upper()
            out.append(name)
            section = info.annotation
            if isinstance(section, type) and issubclass(section, BaseModel):
                todo.append((section, name + "__"))
    return out


def _spelled_with_other_underscores(name: str, root: type[BaseModel]) -> str | None:
    """The setting variable `name` spells with its underscores miscounted, if one."""
    flat = name.upper().replace("__", "_")
    for candidate in setting_variables(root):
        if candidate != name.upper() and candidate.replace("__", "_") == flat:
            return candidate
    return None


def env_problem(root: type[BaseModel], allowed: tuple[str, ...] = OTHER_VARIABLES) -> str | None:
    """An NBA_CONSOLE_* value nested deeper than any setting: refused before it is decoded
    (json would recurse out of stack on a deep enough one)."""
    from console.core.config_checks import MAX_DEPTH, text_nesting_depth

    for var in sorted(os.environ):
        if (
            var.startswith(ENV_PREFIX)
            and var[len(ENV_PREFIX) :] not in allowed
            and text_nesting_depth(os.environ[var]) > MAX_DEPTH
        ):
            return f"environment: ${var}: nested more than {MAX_DEPTH} levels deep (settings nest at most {MAX_DEPTH})"
    return None
