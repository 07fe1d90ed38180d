"""The one way a time is written for a person: in the configured zone with its abbreviation,
`2026-02-05 07:14 EST` (machines get RFC 3339 with its offset, untouched, from
core/timestamps).

Every surface a person reads (the report, `tail`, `audit`, playbook output, panels and
drill-down cells) goes through `for_people`, so the console never shows one time in ET and
the next in UTC.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from console.core.timestamps import parse_timestamp

Precision = Literal["minutes", "seconds", "clock", "clock_seconds"]
DurationUnit = Literal["d", "h", "m", "s"]

_FORMATS = {
    "minutes": "%Y-%m-%d %H:%M",
    "seconds": "%Y-%m-%d %H:%M:%S",
    "clock": "%H:%M",  # where the date is already on screen (a panel of one morning)
    "clock_seconds": "%H:%M:%S",
}

# What looks like a timestamp in a row read from a table or a document: a date, `T` or a
# space, a time, an optional fraction and an optional offset. Anything else stays text.
_LOOKS_LIKE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)


def to_moment(value: Any) -> datetime | None:
    """An aware datetime from a datetime or an ISO/RFC 3339 string, else None. A naive
    value is UTC (what every table and log the console reads stores)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or len(value) > 40 or not _LOOKS_LIKE.fullmatch(value.strip()):
        return None
    text = value.strip()
    moment = parse_timestamp(text)
    if moment is not None:
        return moment
    try:  # BigQuery's `2026-02-05 12:14:00+00` / `...00` without offset, fewer digits
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return moment


def for_people(value: Any, tz: tzinfo, precision: Precision = "minutes", missing: str = "-") -> str:
    """`2026-02-05 07:14 EST` for a moment (datetime or ISO string) in `tz`. None gives
    `missing`; a value that is not a moment is returned as text, unchanged."""
    if value is None or value == "":
        return missing
    moment = to_moment(value)
    if moment is None:
        return str(value)
    try:
        local = moment.astimezone(tz)
    except (OverflowError, ValueError):  # a moment at the very edge of the calendar
        return str(value)
    zone = local.tzname() or ""
    return f"{local.strftime(_FORMATS[precision])} {zone}".rstrip()


def is_moment(value: Any) -> bool:
    """A datetime, or a string that reads as one (for tables that format cells by kind)."""
    return to_moment(value) is not None


# `--at 7:30`, `07:30`, `7:30am`, `7:30 PM`, `07:30:15`, `7am`: a clock time as people type it.
_CLOCK = re.compile(r"(?P<h>[0-9]{1,2})(?::(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?)?\s*(?P<ampm>[aApP][mM])?")


def parse_clock_time(text: str) -> time | None:
    """A time of day from `7:30`, `07:30`, `7:30am`, `7:30 pm`, `07:30:15` or `7am`; None
    when `text` is not shaped like one. Raises ValueError for the shape with impossible
    numbers (`25:00`, `13:00pm`, `7:75`), so the refusal can say why."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None or (match["m"] is None and match["ampm"] is None):  # a bare `7` is not a time
        return None
    hour, minute, second = int(match["h"]), int(match["m"] or 0), int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text.strip()!r}: with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{text.strip()!r} is not a time of day (00:00 to 23:59)")
    return time(hour, minute, second)


# Durations people type: `--since 2h`, `[watch] every = "15m"`, the log filter's `since:30m`.
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
# Longer than any log retention; keeps `now - since` far from datetime's limits.
MAX_DURATION = timedelta(days=3650)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """`30m`, `2h`, `7d`, `45s`, `1w` (a positive number and one unit)."""
    m = _DURATION.match(text or "")
    if not m:
        raise ValueError(f"bad duration {text!r}: expected a number and a unit s/m/h/d/w, like 30m, 2h or 7d")
    amount = float(m.group(1))
    if amount <= 0:
        raise ValueError(f"bad duration {text!r}: must be more than zero")
    seconds = amount * _UNIT_SECONDS[m.group(2).lower()]
    if not seconds <= MAX_DURATION.total_seconds():  # also refuses inf and nan
        raise ValueError(f"bad duration {text!r}: at most {MAX_DURATION.days}d (10 years)")
    return timedelta(seconds=seconds)


# A duration for a person: the two largest units from the first that is not zero.
_DURATION_UNITS: tuple[tuple[DurationUnit, int], ...] = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def format_duration(seconds: float, *, smallest: DurationUnit = "s", drop_zero: bool = False) -> str:
    """`42s`, `2m 00s`, `3h 06m`, `1d 4h`: the two largest units (days down to `smallest`),
    starting at the first that is not zero; whole units, truncated. Minutes and seconds as the
    second unit have two digits (they line up in a panel's border), hours do not; with
    `drop_zero` a zero second unit is left out (`every 1m`, not `every 1m 00s`).

    Written by hand rather than with humanize.precisedelta, whose words ("3 hours and 13
    minutes") would not fit a panel's border or the header, and would change every screen."""
    units = _DURATION_UNITS[: [name for name, _ in _DURATION_UNITS].index(smallest) + 1]
    if not math.isfinite(seconds):
        return "∞" if seconds > 0 else f"0{smallest}"
    left = max(0, int(seconds)) // units[-1][1]
    amounts = []
    for _, size in units:
        amount, left = divmod(left, size // units[-1][1])
        amounts.append(amount)
    first = next((i for i, amount in enumerate(amounts) if amount), len(units) - 1)
    text = f"{amounts[first]}{units[first][0]}"
    if first + 1 < len(units) and not (drop_zero and amounts[first + 1] == 0):
        name = units[first + 1][0]
        text += f" {amounts[first + 1]:02d}{name}" if name in ("m", "s") else f" {amounts[first + 1]}{name}"
    return text
