"""The line `tail`, `replay` and `logs search` print for an entry:
`2026-02-05 07:05:00 EST INFO     nba-phase3-analytics-processors  📋 Level 1: ...`
(the time through `for_people` in the configured zone, the severity, the service, the text on
one line). Pure."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from console.core.log_entry import LogEntry
from console.core.timefmt import for_people

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NEWLINE, _SHOWN_NEWLINE = "\n", "\\n"  # a line per entry: a newline in the text is shown as \n


def plain_tail(severity: str, service: str, text: str) -> str:
    """What follows the time: severity, service, the text, on one line whatever they hold."""
    line = f"{severity:<8} {service or '-'}  {text}"
    return line.replace(_NEWLINE, _SHOWN_NEWLINE) if _NEWLINE in line else line


def plain_text(entry: LogEntry, tz) -> str:
    return f"{for_people(entry.timestamp, tz, 'seconds')} {plain_tail(entry.severity, entry.service, entry.text)}"


class PlainLine:
    """plain_text as bytes, in two halves: the tail (no time zone needed, so forked parts
    render it before the configuration is loaded) and the head, the time through `for_people`
    computed once per second of log time (most printed lines share their second with another)."""

    def __init__(self, tz=None) -> None:
        self.tz = tz  # set before the first head()
        self._seconds: dict[int, bytes] = {}

    def tail(self, severity: str, service: str, text: str) -> bytes:
        return (plain_tail(severity, service, text) + "\n").encode("utf-8", "replace")

    def head(self, ts: float) -> bytes:
        """The time of `ts` (seconds since the epoch) and a space."""
        second = math.floor(ts)
        when = self._seconds.get(second)
        if when is None:
            if len(self._seconds) > 65_536:
                self._seconds.clear()
            moment = EPOCH + timedelta(seconds=second)
            when = self._seconds[second] = (for_people(moment, self.tz, "seconds") + " ").encode()
        return when

    def __call__(self, entry: LogEntry) -> bytes:
        return self.head(entry.timestamp.timestamp()) + self.tail(entry.severity, entry.service, entry.text)
