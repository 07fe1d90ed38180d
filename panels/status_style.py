"""The one status style map: every surface that colours a status (the panels, the header's
status chip, the drill-down head, the history grid, the `check` and `history` tables) takes
its colours, icons and short labels from here, so a status reads the same everywhere."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from console.core.config_environment import NO_COLOR_ENV
from console.core.models import LOADING, STALE

if TYPE_CHECKING:
    from rich.text import Text

STATUS_STYLE: dict[str, str] = {
    "ok": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
    "unknown": "bold blue",
    "error": "bold white on red",
    STALE: "bold black on yellow",
    LOADING: "dim",
}
# The header counts panels by status in this order: what needs a person first.
STATUS_ORDER = ("error", "fail", STALE, "warn", "unknown", "ok", LOADING)
# Markdown and chat (the report, the watch's messages), where there is no colour.
STATUS_ICON = {"ok": "✅", "warn": "🟡", "fail": "🔴", "unknown": "❔", "error": "⚠️"}
# The history grid's cells: a label that reads without colour.
SHORT_LABEL = {"ok": "ok", "warn": "WARN", "fail": "FAIL", "unknown": "unk", "error": "ERR"}
# A glyph per status, each different, so a border, a grid cell or a row reads without colour
# (issue 28): beside the word, never instead of it.
STATUS_GLYPH = {"ok": "✓", "warn": "!", "fail": "✗", "error": "⚠", "unknown": "?", STALE: "~", LOADING: "…"}
# The status as a word: loud (capitals) for what needs a person.
STATUS_WORD = {
    "ok": "ok",
    "warn": "WARN",
    "fail": "FAIL",
    "error": "ERROR",
    "unknown": "unknown",
    STALE: "STALE",
    LOADING: "loading",
}


def label(status: str) -> str:
    """`✗ FAIL`: the status as a glyph and a word."""
    return f"{STATUS_GLYPH.get(status, '·')} {STATUS_WORD.get(status, status)}"


# With NO_COLOR (https://no-color.org) a status stands out by weight and inversion instead:
# Textual greys every colour, and a red FAIL turned dark grey on the dark background.
NO_COLOR_STYLE: dict[str, str] = {
    "ok": "bold",
    "warn": "bold underline",
    "fail": "bold reverse",
    "unknown": "italic",
    "error": "bold reverse",
    STALE: "bold reverse",
    LOADING: "dim",
}


def status_style(status: str) -> str:
    """The style a status is drawn in: its colour, or under NO_COLOR its weight (read each
    time: a served console's viewer may ask for no colour, see console/tui/serve.py)."""
    return (NO_COLOR_STYLE if os.environ.get(NO_COLOR_ENV) else STATUS_STYLE).get(status, "")


def badge(status: str) -> Text:
    from rich.text import Text  # rich: only when drawn (`check --json` never draws)

    return Text(f" {status.upper()} ", style=status_style(status))
