"""Which game dates the console may show: the go-to-date parser (`g`) and the data's range
(`[` `]` stop at its edges instead of walking into empty dates).

Pure: no Textual. The parser never raises; it returns a date or the reason it cannot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

MAX_OFFSET_DAYS = 3660  # `-N` / `+N` beyond ten years is a typo, not a morning to look at
MAX_INPUT = 40  # longer input is refused before any parsing
_OFFSET = re.compile(r"[+-][0-9]{1,4}")
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
HINT = "a date (2026-02-03), an offset from the shown date (-1, +2), today or yesterday"


@dataclass(frozen=True)
class Parsed:
    """A game date, or why the text is not one (exactly one of the two is set)."""

    game_date: date | None = None
    error: str | None = None


def parse_game_date(text: str, shown: date, today: date) -> Parsed:
    """`2026-02-03`, `-1`/`+2` (days from the date shown), `today`, `yesterday`. Never raises."""
    raw = (text or "").strip().lower()
    if not raw:
        return Parsed(error=f"type {HINT}")
    if len(raw) > MAX_INPUT:
        return Parsed(error=f"too long: type {HINT}")
    if raw in ("today", "yesterday"):
        return Parsed(today - timedelta(days=1 if raw == "yesterday" else 0))
    if _OFFSET.fullmatch(raw):
        days = int(raw)
        if abs(days) > MAX_OFFSET_DAYS:
            return Parsed(error=f"{raw}: at most {MAX_OFFSET_DAYS} days away")
        try:
            return Parsed(shown + timedelta(days=days))
        except OverflowError:
            return Parsed(error=f"{raw}: outside the calendar")
    if _ISO.fullmatch(raw):
        try:
            return Parsed(date.fromisoformat(raw))
        except ValueError as exc:
            return Parsed(error=f"{text.strip()}: {exc}")
    quoted = repr(text.strip())  # escapes control characters; cropped, as escapes lengthen it
    return Parsed(error=f"{quoted if len(quoted) <= MAX_INPUT + 2 else quoted[:MAX_INPUT] + '…'} is not {HINT}")


class DateRangeRow(BaseModel):
    model_config = ConfigDict(extra="ignore")
    first_date: date | None = None
    last_date: date | None = None


@dataclass(frozen=True)
class DateRange:
    """The game dates with data. `last` is never before the default date (on gcp, yesterday's
    rows arrive during the morning: the default date is always reachable)."""

    first: date
    last: date

    def refusal(self, target: date) -> str | None:
        """Why `target` cannot be shown, or None when it is within the data."""
        if target < self.first:
            return f"no data before {self.first.isoformat()}"
        if target > self.last:
            return f"no data after {self.last.isoformat()}"
        return None


RANGE_LOOKBACK_DAYS = 400  # partitions the range query may read: bounded, as every query


def query_params(now: datetime) -> dict[str, Any]:
    today = now.date()
    return {"start_date": today - timedelta(days=RANGE_LOOKBACK_DAYS), "end_date": today + timedelta(days=1)}


def date_range(rows: list[dict[str, Any]], default: date) -> DateRange | None:
    """The range from the query's one row; None when the data has no dates (walk freely)."""
    if not rows:
        return None
    row = DateRangeRow.model_validate(rows[0])
    if row.first_date is None or row.last_date is None:
        return None
    return DateRange(min(row.first_date, default), max(row.last_date, default))
