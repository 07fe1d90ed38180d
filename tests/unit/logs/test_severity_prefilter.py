"""`severity>=X` over raw bytes: the prefilter (LogQuery.severity_bytes + ESCAPED_KEY_LETTER,
candidates._severity_starts) may let through lines the decoded filter rejects, never drop one it
keeps. Lines are written by hand here, not by a JSON encoder, so they carry the spellings an
encoder never produces but the parser (orjson + entry_from_dict) accepts: \\u-escaped letters
in the key or the value, whitespace around the colon, any case, look-alike non-ASCII letters,
non-string severities, duplicate and nested keys, truncated lines."""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.logs.parse import parse_line, scan_ndjson
from console.logs.query import SEVERITIES, LogQuery
from console.logs.search import SearchError, count
from tests.helpers.examples import examples
from tests.helpers.log_exports import decoded_then_filtered, exports


@pytest.mark.slow
@settings(max_examples=examples(400), deadline=None)
@given(exports(), st.sampled_from([s for s in SEVERITIES if s != "DEFAULT"]))
def test_severity_prefilter_keeps_every_line_the_decoded_filter_keeps(data, floor):
    query = LogQuery(severity=floor)
    expected = decoded_then_filtered(data, query)
    assert [e.insert_id for e in scan_ndjson(data, query)] == expected
    for line in data.split(b"\n"):
        entry = parse_line(line)
        if entry is not None and query.matches(entry):
            assert query.raw_may_match(line)


@settings(max_examples=examples(60), deadline=None)
@given(exports())
def test_search_count_over_a_file_agrees_with_decode_then_filter(data):
    query = LogQuery(severity="ERROR")
    fd, path = tempfile.mkstemp(suffix=".ndjson")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            found = count([path], query)[0]
        except SearchError:  # not a log: no line is an entry
            assert not any(parse_line(line) for line in data.split(b"\n"))
            found = 0
        assert found == len(decoded_then_filtered(data, query))
    finally:
        os.unlink(path)


def test_odd_spellings_of_a_high_severity_are_all_found():
    query = LogQuery(severity="ERROR")
    spellings = [
        b'"severity":"ERROR"',
        b'"severity" : "error"',
        b'"severity":\t"eRrOr"',
        b'"severity":"Critical"',
        b'"sev\\u0065rity":"ERROR"',
        b'"severit\\u0079":"alert"',
        b'"severity":"\\u0045RROR"',
        b'"severity":"ERR\\u004fR"',
        b'"severity":"cr\\u0131t\\u0131cal"',
        b'"severity":"cr\xc4\xb1t\xc4\xb1cal"',
        b'"severity":"EMERGENC\\u0059"',
        b'"\\u0073\\u0065\\u0076\\u0065\\u0072\\u0069\\u0074\\u0079":"ERROR"',
    ]
    data = b"\n".join(
        b'{"timestamp":"2026-02-05T12:00:00Z","insertId":"%d",%s}' % (i, s) for i, s in enumerate(spellings)
    )
    assert len(decoded_then_filtered(data, query)) == len(spellings)
    assert [e.insert_id for e in scan_ndjson(data, query)] == [str(i) for i in range(len(spellings))]


def test_low_and_non_string_severities_are_not_candidates():
    query = LogQuery(severity="ERROR")
    for value in [b'"INFO"', b'"warning"', b'"ERRORS"', b'""', b"500", b"null", b'"FATAL"']:
        line = b'{"timestamp":"2026-02-05T12:00:00Z","severity":%s,"jsonPayload":{"severity":"INFO"}}' % value
        assert not query.raw_may_match(line)
        assert list(scan_ndjson(line, query)) == []
