"""Hypothesis strategies for log exports, and the decode-then-filter reference the fast paths are compared with."""

from __future__ import annotations

import json

import orjson
from hypothesis import strategies as st

from console.logs.parse import parse_line
from console.logs.query import SEVERITIES, LogQuery

NAMES = [*SEVERITIES, "WARN", "ERR", "FATAL", "ERRORS", "", "CRIT", "E"]


def escaped(ch: str, upper_hex: bool) -> str:
    code = f"{ord(ch):04x}"
    return "\\u" + (code.upper() if upper_hex else code)


@st.composite
def spelled(draw, word: str) -> str:
    """`word` inside a JSON string: each letter as is or \\u-escaped (hex in either case)."""
    return "".join(escaped(c, draw(st.booleans())) if draw(st.integers(0, 4)) == 0 else c for c in word)


@st.composite
def severity_values(draw) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.sampled_from(["500", "0", "null", "true", '["ERROR"]', '{"s":"ERROR"}', "-1e3"]))
    name = draw(st.sampled_from(NAMES))
    name = "".join(c.lower() if draw(st.booleans()) else c for c in name)
    if kind == 1:  # look-alikes that str.upper() turns into ASCII: dotless i, long s
        name = name.replace("I", "\u0131").replace("i", "\u0131")
    text = draw(spelled(name))
    if kind == 2:
        text = draw(st.sampled_from([" ", "\\n", "\\t", "x", '\\"'])) + text
    return f'"{text}"'


@st.composite
def lines(draw, n: int) -> bytes:
    ws = st.text(alphabet=" \t\r", max_size=2)
    key = (
        draw(spelled("severity"))
        if draw(st.integers(0, 5))
        else draw(st.sampled_from(["Severity", "severity ", "sev"]))
    )
    # Now and then a time no entry has (a 30th of February, no zone): the line is malformed.
    stamp = f"2026-02-05T12:00:{n % 60:02d}Z"
    if draw(st.integers(0, 10)) == 0:
        stamp = draw(st.sampled_from(["2026-02-30T12:00:00Z", f"2026-02-05T12:00:{n % 60:02d}", "soon"]))
    parts = [
        f'"timestamp":"{stamp}"',
        f'"insertId":"i{n}"',
        f'"{key}"{draw(ws)}:{draw(ws)}{draw(severity_values())}',
    ]
    if draw(st.booleans()):
        parts.append(f'"jsonPayload":{{"severity":{draw(severity_values())},"message":"m{n}"}}')
    else:
        parts.append(f'"textPayload":"severity: {draw(st.sampled_from(["ERROR", "error", "x"]))}"')
    if draw(st.integers(0, 6)) == 0:  # a duplicate key: the decoder keeps one of them
        parts.append(f'"severity":{draw(severity_values())}')
    parts = draw(st.permutations(parts))
    line = "{" + ",".join(parts) + "}"
    if draw(st.integers(0, 8)) == 0:
        line = line[: draw(st.integers(0, len(line)))]
    if draw(st.integers(0, 12)) == 0:  # JSON, but not an object: never an entry (not an array:
        # a file whose first line starts with `[` is read as one JSON array, see search.is_array)
        line = draw(st.sampled_from(['"ERROR"', '"severity:ERROR"', "null", "500"]))
    return line.encode()


@st.composite
def exports(draw) -> bytes:
    return b"\n".join(draw(lines(i)) for i in range(draw(st.integers(0, 12))))


def decoded_then_filtered(data: bytes, query: LogQuery) -> list[str]:
    entries = (parse_line(line) for line in data.split(b"\n"))
    return [e.insert_id for e in entries if e is not None and query.matches(e)]


services = st.sampled_from(["nba-phase3-analytics-processors", "grading", "phase3-to-grading", ""])


texts = st.one_of(
    st.sampled_from(
        [
            "📋 Level 1: running 3 processors: A",
            "✅ Level 2 complete (2/2 succeeded)",
            "DependencyFailureError: TeamOffense failed",
            "Starting X",
            'quote " and \\ back',
        ]
    ),
    st.text(max_size=40),
)


@st.composite
def raw_entries(draw):
    raw = {
        "insertId": draw(st.text(alphabet="abcdef0123456789", max_size=8)),
        "timestamp": draw(
            st.sampled_from(
                ["2026-02-05T12:05:00Z", "2026-02-05T12:05:00.123456789Z", "2026-02-04T10:10:00+00:00", "garbage", ""]
            )
        ),
        # Any case (the parser upper-cases), escapes/non-ASCII ("crıtıcal" upper-cases to
        # CRITICAL), padding that must not count, and non-strings.
        "severity": draw(
            st.sampled_from(
                [
                    *list(SEVERITIES),
                    "warning",
                    "Error",
                    "eRRoR",
                    "critical",
                    "crıtıcal",
                    " ERROR",
                    "ERROR ",
                    "",
                    "BOGUS",
                    7,
                    None,
                ]
            )
        ),
        "resource": draw(
            st.one_of(
                st.just({"labels": {"service_name": draw(services)}}),
                st.just({"labels": {"function_name": draw(services)}}),
                st.just("not a dict"),
                st.just({}),
            )
        ),
    }
    if draw(st.booleans()):
        raw["textPayload"] = draw(texts)
    else:
        # A nested "severity" (some loggers put one in the payload) must not hide the real one.
        raw["jsonPayload"] = {
            "message": draw(texts),
            "n": 1,
            **({"severity": draw(st.sampled_from(["INFO", "ERROR", "debug"]))} if draw(st.booleans()) else {}),
        }
    for key in draw(st.lists(st.sampled_from(list(raw)), max_size=2)):
        raw.pop(key, None)
    return dict(draw(st.permutations(list(raw.items()))))  # any key order


def encode(raw, style: int) -> bytes:
    """Compact orjson (exports), or the stdlib's spaced and \\u-escaped form."""
    return orjson.dumps(raw) if style == 0 else json.dumps(raw, indent=None).encode()
