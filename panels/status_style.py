"""The one status style map: every surface that colours a status (the panels, the header's
status chip, the drill-down head, the history grid, the `check` and `history` tables) takes
its colours, icons and short labels from here, so a status reads the same everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def badge(status: str) -> Text:
    from rich.text import Text  # rich: only when drawn (`check --json` never draws)

    return Text(f" {status.upper()} ", style=STATUS_STYLE.get(status, ""))
