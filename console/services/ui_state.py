"""What the console remembers of its user between runs: the theme chosen (ctrl+p "Change
theme"). One small JSON file in the state directory (settings.state_dir, where `watch` keeps
its own), written atomically. A file that cannot be read or parsed is ignored with a note:
the console then starts from the config, never crashes. No Textual here.

A read-only console, and one served to a browser (`nba-console serve`: its viewers are not
the operator whose state directory it is), reads the saved theme but keeps a new choice in
memory only (`memory_only`): a viewer picking a theme never changes the operator's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson

from console.core.config import Settings
from console.core.safefile import private_dir, read_regular, write_atomic

STATE_FILE_NAME = "console-state.json"
MAX_BYTES = 64 * 1024


def state_path(settings: Settings) -> Path:
    return settings.state_dir / STATE_FILE_NAME


@dataclass(frozen=True)
class Loaded:
    theme: str | None = None
    note: str | None = None  # why the file was ignored, for a notification


def load(settings: Settings) -> Loaded:
    path = state_path(settings)
    try:
        raw = orjson.loads(read_regular(path, MAX_BYTES))
    except FileNotFoundError:
        return Loaded()
    except (OSError, orjson.JSONDecodeError) as exc:
        return Loaded(note=f"ignored {path}: {exc}")
    theme = raw.get("theme") if isinstance(raw, dict) else None
    if theme is not None and not (isinstance(theme, str) and 0 < len(theme) <= 100):
        return Loaded(note=f"ignored {path}: theme is not a name")
    return Loaded(theme=theme)


def memory_only(settings: Settings, served: bool) -> str | None:
    """Why a theme chosen now is not saved (None: it is saved)."""
    if served:
        return "a served console keeps its theme for this session only"
    if settings.read_only:
        return "read-only: the theme is kept for this session only"
    return None


def save_theme(settings: Settings, theme: str) -> str | None:
    """Remember the theme; returns why it could not be saved (None when saved)."""
    path = state_path(settings)
    try:
        current = orjson.loads(read_regular(path, MAX_BYTES))
        data = current if isinstance(current, dict) else {}
    except (OSError, orjson.JSONDecodeError):
        data = {}  # missing or unreadable: start over (the note was given at load)
    data["theme"] = theme
    try:
        private_dir(path.parent)  # 0700, or refused when others may write it
        write_atomic(path, orjson.dumps(data, option=orjson.OPT_INDENT_2))
    except OSError as exc:
        return f"cannot save the theme to {path}: {exc.strerror or exc}"
    return None
