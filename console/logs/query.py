"""One log query model for every source: rendered to a Cloud Logging filter for gcp, applied
locally (with a raw-bytes prefilter before any JSON decoding) for local files.

Pure: no I/O, no Textual. The same `LogQuery` drives `nba-console tail`, the log screen's
filter box and the benchmark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from console.core.log_entry import LogEntry
from console.core.timefmt import parse_duration
from console.core.timestamps import rfc3339

# Cloud Logging's LogSeverity ranks; `severity>=WARNING` compares these numbers.
SEVERITIES = {
    "DEFAULT": 0,
    "DEBUG": 100,
    "INFO": 200,
    "NOTICE": 300,
    "WARNING": 400,
    "ERROR": 500,
    "CRITICAL": 600,
    "ALERT": 700,
    "EMERGENCY": 800,
}
_ALIASES = {"WARN": "WARNING", "ERR": "ERROR", "CRIT": "CRITICAL", "FATAL": "CRITICAL"}
# A \\u escape of one of the letters of `severity` (e, i, r, s, t, v, y: 0x65 to 0x79, all
# decimal hex digits). A key that decodes to "severity" but is written with an escape holds
# one; without one, the key is written `"severity"` and `severity_bytes` sees it.
ESCAPED_KEY_LETTER = re.compile(rb"\\u00[67]")
# Characters that make a pattern a regex rather than a literal (for the byte prefilter).
_REGEX_META = set(".^$*+?{}[]\\|()")


def severity_rank(name: str | None) -> int:
    return SEVERITIES.get((name or "DEFAULT").upper(), 0)


def parse_severity(text: str) -> str:
    """`warning`, `WARN`, `error` -> the canonical Cloud Logging name; ValueError otherwise."""
    name = text.strip().upper()
    name = _ALIASES.get(name, name)
    if name not in SEVERITIES:
        raise ValueError(f"unknown severity {text!r}: expected one of {', '.join(SEVERITIES)}")
    return name


def _quote(value: str) -> str:
    """A Cloud Logging filter string literal: backslash and double quote escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _literal_alternatives(pattern: str) -> list[bytes] | None:
    """The byte strings one of which must appear in a matching raw line, or None when the
    pattern is a real regex. Only plain ASCII without characters JSON escapes qualifies,
    so the check can never reject a line the decoded filter would accept."""
    out = []
    for part in pattern.split("|"):
        if not part or any(c in _REGEX_META for c in part) or not part.isascii():
            return None
        if any(c == '"' or c == "/" or ord(c) < 0x20 for c in part):
            return None
        out.append(part.encode())
    return out


@dataclass(frozen=True)
class LogQuery:
    """service (exact, or a substring with `service_contains`), minimum severity, text
    regexes (any matches), since (inclusive). `smart_case` (the log screen's filter box):
    a pattern or service without an uppercase letter matches in any case."""

    service: str | None = None
    severity: str | None = None
    patterns: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    service_contains: bool = False
    smart_case: bool = False
    _compiled: tuple[re.Pattern[str], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.severity is not None:
            object.__setattr__(self, "severity", parse_severity(self.severity))
        compiled = []
        for p in self.patterns:
            try:
                compiled.append(re.compile(p, re.IGNORECASE if self._insensitive(p) else 0))
            except re.error as exc:
                raise ValueError(f"bad regular expression {p!r}: {exc}") from None
        object.__setattr__(self, "_compiled", tuple(compiled))

    def _insensitive(self, text: str) -> bool:
        return self.smart_case and not has_uppercase(text)

    def service_matches(self, name: str | None) -> bool:
        name = name or ""
        if not self.service_contains:
            return name == self.service
        if self._insensitive(self.service or ""):
            return (self.service or "").lower() in name.lower()
        return (self.service or "") in name

    def with_(self, **changes: Any) -> LogQuery:
        return replace(self, **changes)

    # ------------------------------------------------------------------ gcp

    def to_filter(self) -> str:
        """The Cloud Logging filter, e.g. the handoff's
        `resource.labels.service_name="..." AND (textPayload=~"Level 1" OR ...) AND timestamp>="..."`."""
        parts = []
        if self.service and self.service_contains:
            flag = "(?i)" if self._insensitive(self.service) else ""
            parts.append(f"resource.labels.service_name=~{_quote(flag + re.escape(self.service))}")
        elif self.service:
            parts.append(f"resource.labels.service_name={_quote(self.service)}")
        if self.severity and self.severity != "DEFAULT":
            parts.append(f"severity>={self.severity}")
        shown = [("(?i)" if self._insensitive(p) else "") + p for p in self.patterns]
        if len(shown) == 1:
            parts.append(f"textPayload=~{_quote(shown[0])}")
        elif shown:
            parts.append("(" + " OR ".join(f"textPayload=~{_quote(p)}" for p in shown) + ")")
        if self.since:
            parts.append(f"timestamp>={_quote(rfc3339(self.since))}")
        if self.until:
            parts.append(f"timestamp<={_quote(rfc3339(self.until))}")
        return " AND ".join(parts)

    # ------------------------------------------------------------------ local

    def severity_passes(self, name: str) -> bool:
        """An entry of severity `name` is at least the minimum (True without one)."""
        return not self.severity or severity_rank(name) >= SEVERITIES[self.severity]

    def matches(self, entry: LogEntry) -> bool:
        if self.service and not self.service_matches(entry.service):
            return False
        if not self.severity_passes(entry.severity):
            return False
        if self.since and entry.timestamp < self.since:
            return False
        if self.until and entry.timestamp > self.until:
            return False
        return not self._compiled or any(rx.search(entry.text) for rx in self._compiled)

    @cached_property
    def needles(self) -> list[bytes] | None:
        """Literal byte strings one of which every matching raw line contains (the rarest
        condition, used to find candidate lines with C-speed `bytes.find`), or None."""
        if self.patterns:
            alts: list[bytes] = []
            for p in self.patterns:
                lit = None if self._insensitive(p) else _literal_alternatives(p)
                if lit is None:
                    break
                alts.extend(lit)
            else:
                return alts
        if self.service and _literal_alternatives(self.service):
            if not self.service_contains:
                return [_quote(self.service).encode()]
            if not self._insensitive(self.service):
                return [self.service.encode()]
        return None

    @cached_property
    def severity_names(self) -> tuple[str, ...]:
        """The severity names an entry may hold to pass (ranked at least `severity`; none
        when there is no minimum above DEFAULT)."""
        if not self.severity or self.severity == "DEFAULT":
            return ()
        return tuple(n for n, rank in SEVERITIES.items() if rank >= SEVERITIES[self.severity])

    @cached_property
    def severity_bytes(self) -> re.Pattern[bytes] | None:
        """Finds, in raw JSON, every severity value that may rank at least `severity`: an
        accepted name in any ASCII case (the parser upper-cases), or any value holding
        something other than ASCII letters (escapes, non-ASCII: decoding decides). Any
        occurrence counts, so a `severity` key nested in jsonPayload cannot hide the real
        one. Whitespace around the colon is JSON's own. A key spelled with a \\u escape
        (`"severit\\u0079"`) has no `y"`: `ESCAPED_KEY_LETTER` catches those lines. The
        pattern starts at the key's last letter: `re` scans for a pattern's first byte, and
        `y` is rarer than `"`."""
        if not self.severity or self.severity == "DEFAULT":
            return None
        floor = SEVERITIES[self.severity]
        names = b"|".join(n.encode() for n, rank in SEVERITIES.items() if rank >= floor)
        return re.compile(rb'y"\s*:\s*"(?:(?i:' + names + rb')"|[^"]*[^A-Za-z"])')

    def raw_may_match(self, line: bytes) -> bool:
        """Cheap necessary condition on an undecoded JSON line; False means "cannot match"."""
        if self.service and _literal_alternatives(self.service) and not self._raw_service_may_match(line):
            return False
        needles = self.needles
        if self.patterns and needles is not None and not any(n in line for n in needles):
            return False
        sev = self.severity_bytes
        # No severity field means DEFAULT, which is below any minimum.
        return sev is None or sev.search(line) is not None or ESCAPED_KEY_LETTER.search(line) is not None

    @property
    def severity_only(self) -> bool:
        """Only a minimum severity (above DEFAULT): decided by the severity field alone."""
        return bool(self.severity_bytes) and not (self.service or self.patterns or self.since or self.until)

    def _raw_service_may_match(self, line: bytes) -> bool:
        service = self.service or ""
        if not self.service_contains:
            return _quote(service).encode() in line
        if not self._insensitive(service):
            return service.encode() in line
        # Any case: bytes.lower() folds ASCII only, so decide on the raw line only when it
        # holds nothing else (no non-ASCII byte, no \u escape that could decode to a letter).
        if not line.isascii() or b"\\u" in line:
            return True
        return service.lower().encode() in line.lower()

    @property
    def is_empty(self) -> bool:
        return not (self.service or self.severity or self.patterns or self.since or self.until)


_ESCAPE = re.compile(r"\\.")


def has_uppercase(text: str) -> bool:
    """Whether `text` asks for case (smart case): an uppercase letter outside regex escapes
    such as \\S or \\W, which are classes, not letters."""
    return any(c.isupper() for c in _ESCAPE.sub("", text))


_TOKEN = re.compile(r"^(sev|severity|svc|service|since)[:=](.*)$", re.IGNORECASE)


def parse_filter_text(text: str, now: datetime | None = None) -> LogQuery:
    """The log screen's filter box: `sev:warning svc:grading since:2h Level 1`.

    Tokens `sev:`/`svc:`/`since:` set fields; the rest, joined by spaces, is one regex.
    `svc:` matches part of the service name (`svc:nba-phase3`); the regex and `svc:` are
    smart-case: all lowercase matches any case, an uppercase letter makes them exact.
    Raises ValueError with a message for the status line when something is malformed.
    """
    service = severity = since = None
    rest = []
    for word in text.split(" "):
        m = _TOKEN.match(word)
        if m and not m.group(2):
            continue  # `sev:` still being typed: no constraint yet, not the text "sev:"
        if m:
            key, value = m.group(1).lower(), m.group(2)
            if key.startswith("sev"):
                severity = parse_severity(value)
            elif key.startswith("s") and key != "since":
                service = value
            else:
                since = (now or datetime.now(UTC)) - parse_duration(value)
        else:
            rest.append(word)
    regex = " ".join(rest).strip()
    return LogQuery(
        service=service,
        severity=severity,
        patterns=(regex,) if regex else (),
        since=since,
        service_contains=True,
        smart_case=True,
    )
