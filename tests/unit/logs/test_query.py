"""LogQuery: the Cloud Logging filter, local matching, the raw prefilter, durations."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.core.timefmt import parse_duration
from console.logs import candidates as logcandidates
from console.logs.parse import candidate_lines, entry_from_dict, parse_line, scan_ndjson
from console.logs.query import SEVERITIES, LogQuery, parse_filter_text, parse_severity
from tests.helpers.log_exports import encode, raw_entries, services
from tests.helpers.outcome import outcome


def test_renders_the_handoff_filter_exactly():
    q = LogQuery(
        service="nba-phase3-analytics-processors",
        patterns=("Level 1", "Level 2"),
        since=datetime(2026, 2, 5, 11, 0, tzinfo=UTC),
    )
    assert q.to_filter() == (
        'resource.labels.service_name="nba-phase3-analytics-processors" '
        'AND (textPayload=~"Level 1" OR textPayload=~"Level 2") AND timestamp>="2026-02-05T11:00:00Z"'
    )


def test_filter_escapes_quotes_and_backslashes_and_adds_severity():
    q = LogQuery(severity="warn", patterns=(r'say "hi"\d',))
    assert q.to_filter() == r'severity>=WARNING AND textPayload=~"say \"hi\"\\d"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30m", 1800), ("2h", 7200), ("7d", 604800), ("45s", 45), ("1w", 604800), ("1.5h", 5400), (" 2H ", 7200)],
)
def test_durations(text, expected):
    assert parse_duration(text) == timedelta(seconds=expected)


@pytest.mark.parametrize("text", ["", "30", "m", "-5m", "0m", "2 hours", "3x", "1e3m"])
def test_bad_durations_say_what_is_expected(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@given(st.text(max_size=12))
def test_duration_parser_never_crashes_otherwise(text):
    parsed = outcome(lambda: parse_duration(text), ValueError)
    if isinstance(parsed, ValueError):
        assert "duration" in str(parsed)
    else:
        assert parsed > timedelta(0)


@given(st.integers(min_value=1, max_value=10_000), st.sampled_from("smhdw"))
def test_duration_round_trip(n, unit):
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
    if n * seconds > 3650 * 86400:  # over ten years: refused with the limit, never an overflow
        with pytest.raises(ValueError, match="at most 3650d"):
            parse_duration(f"{n}{unit}")
    else:
        assert parse_duration(f"{n}{unit}").total_seconds() == n * seconds


def test_bad_regex_and_severity_are_value_errors():
    with pytest.raises(ValueError, match="regular expression"):
        LogQuery(patterns=("Level (",))
    with pytest.raises(ValueError, match="unknown severity"):
        parse_severity("loud")


def test_filter_box_tokens():
    now = datetime(2026, 2, 5, 12, tzinfo=UTC)
    q = parse_filter_text("sev:warning svc:grading since:2h Level 1", now)
    assert (q.severity, q.service, q.patterns, q.since) == (
        "WARNING",
        "grading",
        ("Level 1",),
        now - timedelta(hours=2),
    )
    assert parse_filter_text("").is_empty


# ---------------------------------------------------------------- raw prefilter == decoded filter


queries = st.builds(
    LogQuery,
    service=st.one_of(st.none(), services.filter(bool)),
    severity=st.one_of(st.none(), st.sampled_from(list(SEVERITIES))),
    patterns=st.one_of(
        st.just(()),
        st.tuples(
            st.sampled_from(["Level 1", "Level 2", "Level \\d", "^Starting", "DependencyFailureError", "a|b", '"'])
        ),
        st.just(("Level 1", "Level 2")),
    ),
)


@pytest.mark.slow
@pytest.mark.parametrize("anchor_rate", [-1.0, 1 / 256, float("inf")])  # whole-needle find / auto / anchor
@given(st.lists(st.tuples(raw_entries(), st.integers(0, 1)), max_size=15), queries, st.binary(max_size=30))
def test_scan_equals_decode_then_filter(anchor_rate, raws, query, junk):
    """The byte prefilter never changes the answer: same entries as decoding everything,
    whichever candidate finder (anchored byte, whole needle, severity pattern) runs."""
    lines = [encode(r, style) for r, style in raws] + [junk.replace(b"\n", b" "), b"{not json", b"[]", b""]
    data = b"\n".join(lines)
    expected = [e for e in (parse_line(line) for line in data.split(b"\n")) if e is not None and query.matches(e)]
    with patch.object(logcandidates, "_MAX_ANCHOR_RATE", anchor_rate):
        got = list(scan_ndjson(data, query))
    assert [(e.insert_id, e.text, e.severity) for e in got] == [(e.insert_id, e.text, e.severity) for e in expected]


@given(
    st.lists(st.sampled_from([b"Level 1", b"Level 2", b"LLevel 1Level 2", b"level 1", b"L", b"x", b"\n"]), max_size=40)
)
def test_candidate_lines_are_each_matching_line_once_in_order(parts):
    data = b"".join(parts)
    query = LogQuery(patterns=("Level 1", "Level 2"))
    expected = [line for line in data.split(b"\n") if b"Level 1" in line or b"Level 2" in line]
    for rate in (-1.0, float("inf")):
        with patch.object(logcandidates, "_MAX_ANCHOR_RATE", rate):
            assert list(candidate_lines(data, query)) == expected


def test_severity_prefilter_finds_every_spelling_the_parser_accepts():
    query = LogQuery(severity="ERROR")
    for value in ["ERROR", "error", "Critical", "emergency", "crıtıcal", "ALERT"]:
        line = orjson.dumps({"timestamp": "2026-02-05T12:00:00Z", "severity": value})
        assert query.raw_may_match(line) and query.raw_may_match(json.dumps(json.loads(line)).encode())
    for value in ["INFO", "warning", "ERRORS", "", "DEFAULT"]:
        assert not query.raw_may_match(orjson.dumps({"severity": value, "jsonPayload": {"severity": "INFO"}}))


@given(st.binary(max_size=200))
def test_parser_survives_any_bytes(data):
    for line in data.split(b"\n"):
        entry = parse_line(line)
        assert entry is None or entry.timestamp.tzinfo is not None


@given(raw_entries())
def test_entry_from_dict_never_raises(raw):
    entry = entry_from_dict(raw)
    if entry is not None:
        assert entry.severity == entry.severity.upper()


def test_matches_uses_json_payload_message():
    e = entry_from_dict({"timestamp": "2026-02-05T12:00:00Z", "jsonPayload": {"message": "📋 Level 1: go"}})
    assert LogQuery(patterns=(re.escape("Level 1"),)).matches(e)
