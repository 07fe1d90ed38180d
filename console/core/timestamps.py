"""The one timestamp parser for everything the console reads: log entries, documents,
scenario tables, deploy state and flags.

Accepted: RFC 3339 as DuckDB also reads it, `YYYY-MM-DD(T| )HH:MM:SS[.fraction](Z|±HH:MM)`,
with up to 9 fraction digits (Python keeps microseconds). Refused (None): every other shape
Python's `fromisoformat` would take (`2026-W06-3`, `20260203T115233Z`, `2026-02-03T11`,
`…33,5Z`, a missing offset that DuckDB would read in the session's time zone) and any
moment that is not at least a day inside Python's datetime range once in UTC
(`0001-01-01T00:00:00+14:00` is year 0 in UTC), so showing it in any time zone or moving
it by a few hours can never overflow downstream.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any

# The grammar, as a specification (the tests check parse_timestamp against it); parsing
# itself tests the same shape with a few character comparisons, ~3x faster than the regex.
RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
# A day of margin either side: any zone (±14 h) and any small shift stay representable.
MIN_UTC = datetime(1, 1, 2, tzinfo=UTC)
MAX_UTC = datetime(9999, 12, 30, tzinfo=UTC)
# Dates given on the command line (and the windows computed from them, a month either side).
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2999, 12, 31)


_UTC = UTC
_fromisoformat = datetime.fromisoformat


def _fraction_end(v: str) -> int:
    """Where the offset starts when `v` has the RFC 3339 layout, else -1. Digits in the
    fixed positions are left to fromisoformat, which refuses anything else there."""
    n = len(v)
    if n < 20 or v[4] != "-" or v[7] != "-" or v[10] not in "T " or v[13] != ":" or v[16] != ":":
        return -1
    if v[-1] == "Z":
        tz = n - 1
    elif n >= 25 and v[-6] in "+-" and v[-3] == ":":
        tz = n - 6
    else:
        return -1
    if tz == 19:
        return tz
    digits = v[20:tz]
    return tz if v[19] == "." and 1 <= len(digits) <= 9 and digits.isascii() and digits.isdigit() else -1


def parse_timestamp(value: Any) -> datetime | None:
    """An aware UTC datetime, or None when `value` is not an RFC 3339 timestamp in range.

    Hot path (every log entry): fromisoformat first (C), the layout check only on what it
    took, and the exact range check only for years 1 and 9999."""
    if type(value) is str:
        try:
            moment = _fromisoformat(value)
        except ValueError:  # a 30th of February, hour 24, an offset of 24 h, not ISO at all
            return None
        # What fromisoformat takes beyond RFC 3339 (other separators, basic and week forms,
        # reduced precision, a comma, +HH / +HHMM / seconds in the offset, no offset) fails
        # these few comparisons; digits were checked by fromisoformat itself.
        n = len(value)
        if (
            moment.tzinfo is None
            or n < 20
            or value[10] not in "T "
            or value[4] != "-"
            or value[7] != "-"
            or value[13] != ":"
            or value[16] != ":"
        ):
            return None
        if value[-1] == "Z":
            tz = n - 1
        elif value[-3] == ":" and value[-6] in "+-":
            tz = n - 6
        else:
            return None
        if tz != 19 and (value[19] != "." or not 21 <= tz <= 29):
            return None
    elif isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=_UTC)
    else:
        return None
    if 1 < moment.year < 9999:  # within a day of the limits only in years 1 and 9999
        return moment if moment.tzinfo is _UTC else moment.astimezone(_UTC)
    try:
        if not MIN_UTC <= moment <= MAX_UTC:
            return None
        return moment.astimezone(_UTC)
    except (OverflowError, ValueError):
        return None


def looks_like_timestamp(value: str) -> bool:
    """The grammar alone (for telling timestamp strings from others in a document)."""
    return _fraction_end(value) >= 0


def rfc3339(moment: datetime) -> str:
    """UTC with a Z, microseconds only when present: `2026-02-05T11:00:00Z`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def _strict(value: Any) -> Any:
    if value is None:
        return None
    parsed = parse_timestamp(value)
    if parsed is None:
        raise ValueError(f"expected an RFC 3339 timestamp like 2026-02-05T11:00:00Z, got {str(value)[:60]!r}")
    return parsed


if TYPE_CHECKING:
    from pydantic import BeforeValidator

    # The pydantic type of every timestamp field read from data (documents, deploy state).
    Timestamp = Annotated[datetime, BeforeValidator(_strict)]
else:

    def __getattr__(name: str) -> Any:
        """`Timestamp`, made when first imported: parse_timestamp's users (`logs search`, which
        must start in the time grep does) do not pay pydantic's import."""
        if name == "Timestamp":
            from pydantic import BeforeValidator

            value = globals()["Timestamp"] = Annotated[datetime, BeforeValidator(_strict)]
            return value
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def date_in_range(value: date, what: str = "date") -> date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"{what} {value.isoformat()} is out of range ({MIN_DATE} to {MAX_DATE})")
    return value
