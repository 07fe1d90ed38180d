"""The line `tail`, `replay` and `logs search` print for an entry:
`2026-02-05 07:05:00 EST INFO     nba-phase3-analytics-processors  📋 Level 1: ...`
(the time through `for_people` in the configured zone, the severity, the service, the text on
one line). Pure."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, tzinfo

from console.core.log_entry import LogEntry
from console.core.timefmt import for_people

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NEWLINE, _SHOWN_NEWLINE = "\n", "\\n"  # a line per entry: a newline in the text is shown as \n


def plain_tail(severity: str, service: str, text: str, service_width: int = 0) -> str:
    """What follows the time: severity, service, the text, on one line whatever they hold; the
    service padded to `service_width` so the texts start in one column."""
    line = f"{severity:<8} {service or '-':<{service_width}}  {text}"
    return line.replace(_NEWLINE, _SHOWN_NEWLINE) if _NEWLINE in line else line


def plain_text(entry: LogEntry, tz: tzinfo, service_width: int = 0) -> str:
    tail = plain_tail(entry.severity, entry.service, entry.text, service_width)
    return f"{for_people(entry.timestamp, tz, 'seconds')} {tail}"


class PlainLine:
    """plain_text as bytes, in two halves: the tail (no time zone needed, so forked parts
    render it before the configuration is loaded) and the head, the time through `for_people`.
    The head is computed once per minute of log time: within a minute whose zone offset does
    not change (every zone's offset is whole minutes since 1972) only the seconds differ, so
    the minute's text is kept and the two digits added; an odd minute goes second by second."""

    def __init__(self, tz: tzinfo | None = None, service_width: int = 0) -> None:
        self.tz = tz  # set before the first head()
        self.service_width = service_width  # `tail`'s: the longest service the config knows
        self._minutes: dict[int, tuple[bytes, bytes] | None] = {}
        self._seconds: dict[int, bytes] = {}

    def tail(self, severity: str, service: str, text: str) -> bytes:
        return (plain_tail(severity, service, text, self.service_width) + "\n").encode("utf-8", "replace")

    def head(self, ts: float) -> bytes:
        """The time of `ts` (seconds since the epoch) and a space."""
        second = math.floor(ts)
        minute, within = divmod(second, 60)
        parts = self._minutes[minute] if minute in self._minutes else self._minute(minute)
        if parts is not None:
            before, after = parts
            return before + _TWO_DIGITS[within] + after
        when = self._seconds.get(second)
        if when is None:
            if len(self._seconds) > 65_536:
                self._seconds.clear()
            when = self._seconds[second] = self._by_for_people(second)
        return when

    def _by_for_people(self, second: int) -> bytes:
        if self.tz is None:
            raise RuntimeError("PlainLine.tz is set before the first head()")
        return (for_people(EPOCH + timedelta(seconds=second), self.tz, "seconds") + " ").encode()

    def _minute(self, minute: int) -> tuple[bytes, bytes] | None:
        """(the text before the seconds, after them) when the minute's 60 seconds share it."""
        if len(self._minutes) > 65_536:
            self._minutes.clear()
        first, last = self._by_for_people(minute * 60), self._by_for_people(minute * 60 + 59)
        # `YYYY-MM-DD HH:MM:SS ZONE `: the seconds are bytes 17-18; the same minute, zone and
        # seconds 00 and 59 at both ends means the same offset all through it.
        parts: tuple[bytes, bytes] | None = (first[:17], first[19:])
        if not (first[17:19] == b"00" and last[17:19] == b"59" and last[:17] == first[:17] and last[19:] == first[19:]):
            parts = None
        self._minutes[minute] = parts
        return parts

    def __call__(self, entry: LogEntry) -> bytes:
        return self.head(entry.timestamp.timestamp()) + self.tail(entry.severity, entry.service, entry.text)


_TWO_DIGITS = [b"%02d" % n for n in range(60)]
