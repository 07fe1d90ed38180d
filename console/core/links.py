"""Links from an alert into the console (issue 26): the exact command that opens the TUI on a
game date and check, and, when `serve.public_url` is set, the URL that opens the served
console there. The token is never part of a link: whoever follows it signs in as usual.
Pure; `parse_query` is what `serve` and the TUI read back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urlencode

CHECK_ID = re.compile(r"[a-z][a-z0-9_]{0,79}")


def console_command(game_date: date, check: str | None = None, drill: bool = True) -> str:
    parts = ["nba-console", "--date", game_date.isoformat()]
    if check:
        parts += ["--check", check] + (["--drill"] if drill else [])
    return " ".join(parts)


def console_url(public_url: str | None, game_date: date, check: str | None = None, drill: bool = True) -> str | None:
    if not public_url:
        return None
    query: dict[str, str] = {"date": game_date.isoformat()}
    if check:
        query["check"] = check
        if drill:
            query["drill"] = "1"
    return public_url.rstrip("/") + "/?" + urlencode(query)


@dataclass(frozen=True)
class Landing:
    """Where a link asks the console to open: nothing given is None / False."""

    game_date: date | None = None
    check: str | None = None
    drill: bool = False


def parse_query(query: str) -> Landing:
    """`date=2026-02-03&check=usage_rate_coverage&drill=1` -> a Landing; anything malformed is
    dropped (a link is a hint, never a reason to refuse the console)."""
    try:
        fields = parse_qs(query.lstrip("?"), max_num_fields=10)
    except ValueError:  # more than 10 fields: not a link the console wrote
        fields = {}

    def first(name: str) -> str | None:
        values = fields.get(name)
        return values[0] if values else None

    game_date = None
    raw = first("date") or ""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        try:
            game_date = date.fromisoformat(raw)
        except ValueError:
            game_date = None
    check = first("check")
    check = check if check and CHECK_ID.fullmatch(check) else None
    return Landing(game_date, check, bool(check) and first("drill") in ("1", "true", "yes"))
