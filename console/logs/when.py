"""`--since T` / `--until T` of `logs search`: a moment as people type one for an export.

A duration back from now (`30m`, `2h`, `7d`, as `tail --since`), a date (`2026-02-05`: its
midnight in the configured zone), or a date and time (`2026-02-05T07:30`, `2026-02-05 07:30:15`,
with `Z` or an offset, or without one in the configured zone). Anything else is a ValueError
that says what is accepted.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo

from console.core.timefmt import parse_duration

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})?"
)
ACCEPTED = "a duration (30m, 2h, 7d), a date (2026-02-05) or a date and time (2026-02-05T07:30, Z or +HH:MM optional)"


def parse_moment(text: str, now: datetime, tz: tzinfo) -> datetime:
    """The aware UTC moment `text` names (see the module docstring)."""
    value = (text or "").strip()
    try:
        if _DATE.fullmatch(value):
            return datetime.combine(date.fromisoformat(value), time(), tz).astimezone(UTC)
        if _DATE_TIME.fullmatch(value):
            moment = datetime.fromisoformat(value)  # `Z` too, from Python 3.11
            return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"{value[:60]!r} is not a moment: expected {ACCEPTED}") from None
    try:
        return now - parse_duration(value)
    except ValueError:
        raise ValueError(f"{value[:60]!r} is not a moment: expected {ACCEPTED}") from None
