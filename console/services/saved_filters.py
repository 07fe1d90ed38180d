"""The log screen's named filters (`ctrl+s` saves the filter box's text under a name, the list
recalls one): one small JSON file in the state directory beside the UI state, written
atomically. A file that cannot be read or parsed is ignored with a note; a read-only or served
console keeps new filters for the session only (as it does the theme). No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from console.core.config import Settings
from console.core.safefile import private_dir, read_regular, write_atomic

FILE_NAME = "log-filters.json"
MAX_BYTES = 256 * 1024
MAX_FILTERS = 200
MAX_NAME = 60
MAX_TEXT = 1000


def filters_path(settings: Settings) -> Path:
    return settings.state_dir / FILE_NAME


@dataclass
class SavedFilters:
    """name -> filter text, in the order they were saved; `note`: why the file was ignored."""

    filters: dict[str, str] = field(default_factory=dict)
    note: str | None = None


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValueError("a filter needs a name")
    if len(name) > MAX_NAME:
        raise ValueError(f"a name of at most {MAX_NAME} characters")
    return name


def load(settings: Settings) -> SavedFilters:
    path = filters_path(settings)
    try:
        raw = orjson.loads(read_regular(path, MAX_BYTES))
    except FileNotFoundError:
        return SavedFilters()
    except (OSError, orjson.JSONDecodeError) as exc:
        return SavedFilters(note=f"ignored {path}: {exc}")
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_TEXT for k, v in raw.items()
    ):
        return SavedFilters(note=f"ignored {path}: not an object of names to filter texts")
    return SavedFilters(dict(list(raw.items())[:MAX_FILTERS]))


def save(settings: Settings, filters: dict[str, str], memory_only: str | None) -> str | None:
    """Write `filters`; returns why they are kept for this session only, or could not be
    written (None when saved)."""
    if memory_only:
        return memory_only
    path = filters_path(settings)
    try:
        private_dir(path.parent)
        write_atomic(path, orjson.dumps(filters, option=orjson.OPT_INDENT_2))
    except OSError as exc:
        return f"cannot save the filters to {path}: {exc.strerror or exc}"
    return None
