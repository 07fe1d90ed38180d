"""The log parser never raises on what the platform (or a bad export) may contain."""

from __future__ import annotations

import functools
from datetime import UTC

import orjson
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.core.config import Settings
from console.logs.parse import (
    MalformedLog,
    entry_from_dict,
    parse_json_document,
    parse_log_file,
    parse_ndjson_lines,
    parse_timestamp,
)
from console.logs.trace import TraceParser
from tests.helpers.examples import examples
from tests.helpers.outcome import outcome

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_entry_from_anything_never_raises(value):
    entry = entry_from_dict(value)
    assert entry is None or entry.timestamp.tzinfo is not None


@given(
    st.dictionaries(
        st.sampled_from(["timestamp", "textPayload", "severity", "resource", "insertId", "jsonPayload"]),
        json_values,
        max_size=6,
    )
)
def test_entry_shaped_dicts_never_raise(value):
    entry_from_dict(value)


@given(st.binary(max_size=300))
@hsettings(max_examples=examples(200))
def test_byte_soup_is_entries_or_one_malformed_log(data):
    """Whatever the bytes: entries (malformed ones counted), or MalformedLog naming a line
    of the file; never another exception."""
    list(parse_ndjson_lines(data.splitlines()))
    for ndjson in (False, True):
        parsed = outcome(functools.partial(parse_log_file, data, ndjson), MalformedLog)
        if isinstance(parsed, MalformedLog):
            assert 1 <= parsed.line <= max(1, len(data.splitlines())) and parsed.reason
        else:
            entries, skipped = parsed
            assert skipped >= 0 and all(e.timestamp.tzinfo for e in entries)


ENTRY = b'{"timestamp": "2026-02-05T12:00:00Z", "textPayload": "hello"}'


def test_not_json_is_a_malformed_log_with_line_and_reason():
    with pytest.raises(MalformedLog) as info:
        list(parse_json_document(b"not json\n"))
    assert info.value.line == 1 and "invalid JSON" in info.value.reason
    assert info.value.at("logs/phase3.json").startswith("logs/phase3.json:1: invalid JSON")
    with pytest.raises(MalformedLog, match="line 3"):
        parse_log_file(b"[\n" + ENTRY + b",\n oops]", ndjson=False)
    with pytest.raises(MalformedLog, match="expected a JSON array"):
        parse_log_file(b'"a string"', ndjson=False)
    with pytest.raises(MalformedLog, match="line 2"):
        parse_log_file(b"\nnot json\nnor this\n", ndjson=True)


def test_malformed_entries_in_a_valid_file_are_skipped_and_counted():
    entries, skipped = parse_log_file(b"[" + ENTRY + b', {"no": "timestamp"}, 3, "x"]', ndjson=False)
    assert len(entries) == 1 and skipped == 3
    entries, skipped = parse_log_file(ENTRY + b"\n{broken\n" + ENTRY + b"\n\n[]\n", ndjson=True)
    assert len(entries) == 2 and skipped == 2


@given(st.text(max_size=200))
def test_trace_parser_on_any_text(text):
    from datetime import datetime

    from console.core.models import LogEntry

    TraceParser(Settings().log_patterns).parse(LogEntry(timestamp=datetime.now(UTC), text=text))


def test_nanosecond_timestamps_and_payloads():
    assert parse_timestamp("2026-02-05T12:05:00.123456789Z").microsecond == 123456
    assert parse_timestamp("garbage") is None
    raw = {
        "timestamp": "2026-02-05T12:05:00Z",
        "jsonPayload": {"message": "hi", "n": 1},
        "severity": "warning",
        "resource": {"labels": {"function_name": "grading"}},
        "insertId": "x1",
    }
    entry = entry_from_dict(raw)
    assert (entry.text, entry.severity, entry.service, entry.insert_id) == ("hi", "WARNING", "grading", "x1")


def test_malformed_lines_are_skipped_not_fatal():
    lines = [
        b'{"timestamp": "2026-02-05T12:05:00Z", "textPayload": "ok"}',
        b"{broken",
        b"[]",
        b"",
        b'{"textPayload": "no time"}',
    ]
    assert [e.text for e in parse_ndjson_lines(lines)] == ["ok"]
    assert list(parse_json_document(b'{"timestamp": "2026-02-05T12:05:00Z"}'))
    with pytest.raises(MalformedLog):  # a JSON string is not a log: an error, not "no entries"
        list(parse_json_document(orjson.dumps("string")))


def test_level_lines_parse_with_the_handoffs_text():
    from datetime import datetime

    from console.core.models import LogEntry

    parser = TraceParser(Settings().log_patterns)
    at = datetime(2026, 2, 5, 12, tzinfo=UTC)
    start = parser.parse(
        LogEntry(
            timestamp=at,
            text="📋 Level 1: running 3 processors: TeamOffenseGameSummaryProcessor, "
            "TeamDefenseGameSummaryProcessor, UpcomingTeamGameContextProcessor",
        )
    )
    assert start.kind == "level_start" and start.level == 1 and len(start.processors) == 3
    done = parser.parse(LogEntry(timestamp=at, text="✅ Level 2 complete (2/2 succeeded)"))
    assert (done.kind, done.level, done.succeeded, done.total) == ("level_complete", 2, 2, 2)
    assert (
        parser.parse(LogEntry(timestamp=at, text="PlayerGameSummaryProcessor completed")).processor
        == "PlayerGameSummaryProcessor"
    )
    assert parser.parse(LogEntry(timestamp=at, text="something else")) is None


def test_parsed_entry_keeps_the_line_not_a_dict_and_decodes_it_on_demand():
    line = (
        b'{"insertId":"a1","timestamp":"2026-02-05T12:00:00Z","severity":"error","resource":'
        b'{"labels":{"service_name":"grading"}},"jsonPayload":{"message":"boom","n":2}}'
    )
    (entry,) = parse_ndjson_lines([line])
    assert entry.raw_bytes == line  # what the buffer holds: the bytes, not a decoded dict
    assert entry.raw == orjson.loads(line)
    assert entry.json_payload == {"message": "boom", "n": 2}
    assert (entry.text, entry.severity, entry.service) == ("boom", "ERROR", "grading")
    copy = entry.model_copy(update={"text": "other"})
    assert copy.text == "other" and copy.raw == entry.raw and copy != entry
    assert entry.model_copy() == entry


def test_entry_built_from_a_dict_keeps_it_compactly():
    raw = {"timestamp": "2026-02-05T12:00:00Z", "textPayload": "hi", "labels": {"k": "v"}}
    entry = entry_from_dict(raw)
    assert entry.raw == raw and entry.raw_bytes == orjson.dumps(raw) and entry.json_payload is None
