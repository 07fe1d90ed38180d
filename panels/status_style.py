"""Status colours and the badge every panel, the detail screen and the history grid share."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

STATUS_STYLE = {
    "ok": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
    "unknown": "bold blue",
    "error": "bold white on red",
    "stale": "bold black on yellow",
    "loading": "dim",
}


def badge(status: str) -> Text:
    from rich.text import Text  # rich: only when drawn (`check --json` never draws)

    return Text(f" {status.upper()} ", style=STATUS_STYLE.get(status, ""))
