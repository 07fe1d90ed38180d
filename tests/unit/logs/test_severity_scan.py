"""The Hyperscan prefilter for `severity>=X` (console/logs/severity_scan.py): the lines it
finds must include every line decode-then-filter (orjson + entry_from_dict + matches) keeps,
for every spelling the parser accepts, so `logs search` stays exact. Exports come from the
hand-written line strategy of test_severity_prefilter (escaped keys and values, whitespace,
any case, dotless i, non-string values, nested and duplicate keys, truncated lines), plus
values built from the characters that upper-case into ASCII."""

from __future__ import annotations

import os
import sys
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.logs import parse, severity_scan
from console.logs.parse import parse_line, scan_ndjson
from console.logs.query import SEVERITIES, LogQuery
from console.logs.search import SearchError, count
from tests.helpers.examples import examples
from tests.helpers.log_exports import decoded_then_filtered, escaped, exports

pytestmark = pytest.mark.skipif(not severity_scan.available(), reason="hyperscan has no wheel here")

FLOORS = [s for s in SEVERITIES if s != "DEFAULT"]


def kept_line_starts(data: bytes, query: LogQuery) -> list[int]:
    """Start offsets of the lines decode-then-filter keeps (lines split on b"\\n")."""
    starts, pos = [], 0
    for line in data.split(b"\n"):
        entry = parse_line(line)
        if entry is not None and query.matches(entry):
            starts.append(pos)
        pos += len(line) + 1
    return starts


def line_starts(data, names) -> list[int]:
    return [start for start, _ in severity_scan.line_bounds(data, names)]


def count_in_file(data: bytes, query: LogQuery) -> int:
    """`logs search --count`'s answer (0 for a file that is not a log: no line is an entry)."""
    fd, path = tempfile.mkstemp(suffix=".ndjson")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            return count([path], query)[0]
        except SearchError:
            assert not any(parse_line(line) for line in data.split(b"\n"))
            return 0
    finally:
        os.unlink(path)


def test_upcase_to_ascii_is_every_character_that_upper_cases_into_ascii_letters():
    found = {
        chr(c)
        for c in range(0x80, sys.maxunicode + 1)
        if not 0xD800 <= c < 0xE000 and chr(c).upper().isascii() and chr(c).upper().isalpha()
    }
    assert found == set(severity_scan.UPCASE_TO_ASCII)


@st.composite
def odd_values(draw) -> str:
    """A JSON string whose characters are ASCII letters, \\u escapes of letters, and the
    non-ASCII letters that upper-case into ASCII, raw (UTF-8) or escaped."""
    pool = st.sampled_from(list("eEiIrRoOcCtTaAlLmMgGnNyY") + list(severity_scan.UPCASE_TO_ASCII))
    out = [
        escaped(ch, draw(st.booleans())) if draw(st.integers(0, 3)) == 0 else ch
        for ch in draw(st.lists(pool, max_size=9))
    ]
    return '"' + "".join(out) + '"'


@st.composite
def odd_exports(draw) -> bytes:
    lines = []
    for i in range(draw(st.integers(1, 8))):
        key = draw(st.sampled_from(["severity", "sev\\u0065rity", "severit\\u0079"]))
        lines.append(f'{{"timestamp":"2026-02-05T12:00:00Z","insertId":"i{i}","{key}":{draw(odd_values())}}}')
    lines.append('{"timestamp":"2026-02-05T12:00:00Z","insertId":"crit","severity":"CR\\u0131T\u0131CAL"}')
    return "\n".join(lines).encode()


@pytest.mark.slow
@settings(max_examples=examples(300), deadline=None)
@given(exports(), st.sampled_from(FLOORS))
def test_every_kept_line_is_a_candidate(data, floor):
    query = LogQuery(severity=floor)
    starts = line_starts(data, query.severity_names)
    assert starts == sorted(set(starts))
    assert set(kept_line_starts(data, query)) <= set(starts)


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None)
@given(odd_exports(), st.sampled_from(FLOORS))
def test_values_of_non_ascii_letters_and_escapes_are_candidates(data, floor):
    query = LogQuery(severity=floor)
    assert set(kept_line_starts(data, query)) <= set(line_starts(data, query.severity_names))
    assert [e.insert_id for e in scan_ndjson(data, query)] == decoded_then_filtered(data, query)


@settings(max_examples=examples(60), deadline=None)
@given(st.one_of(exports(), odd_exports()), st.sampled_from(FLOORS))
def test_search_count_is_decode_then_filter_with_and_without_hyperscan(data, floor):
    query = LogQuery(severity=floor)
    expected = len(decoded_then_filtered(data, query))
    assert count_in_file(data, query) == expected
    saved = severity_scan.hyperscan
    severity_scan.hyperscan = None  # the `re` prefilter, as where Hyperscan has no wheel
    try:
        assert not severity_scan.available()
        assert count_in_file(data, query) == expected
    finally:
        severity_scan.hyperscan = saved


def test_each_line_once_in_order_first_and_last_without_newline():
    data = (
        b'{"severity":"error","timestamp":"2026-02-05T12:00:00Z","jsonPayload":{"severity":"ERROR"}}\n'
        b'{"severity":"INFO","timestamp":"2026-02-05T12:00:01Z"}\n'
        b'{"severity":"Alert","timestamp":"2026-02-05T12:00:02Z"}'
    )
    second = data.index(b"\n") + 1
    third = data.index(b"\n", second) + 1
    assert line_starts(data, LogQuery(severity="ERROR").severity_names) == [0, third]
    assert line_starts(b"", ("ERROR",)) == []
    assert line_starts(data, ()) == []
    assert list(parse.candidate_lines(data, LogQuery(severity="ERROR"))) == [data[: second - 1], data[third:]]
    assert severity_scan.line_bounds(data + b"\n", ("ERROR", "ALERT")) == [(0, second - 1), (third, len(data))]


def test_windows_split_on_line_boundaries_and_take_lines_longer_than_a_window(monkeypatch):
    long_text = "x" * 300
    lines = [
        f'{{"timestamp":"2026-02-05T12:00:00Z","severity":"{sev}","textPayload":"{text}"}}'
        for sev, text in [
            ("ERROR", "a"),
            ("INFO", long_text),
            ("critical", long_text),
            ("INFO", "b"),
            ("EMERGENCY", "c"),
            ("ERR\\u004fR", long_text),
        ]
    ]
    data = "\n".join(lines).encode()
    query = LogQuery(severity="ERROR")
    whole = line_starts(data, query.severity_names)
    monkeypatch.setattr(severity_scan, "WINDOW", 128)
    assert line_starts(data, query.severity_names) == whole
    assert whole == kept_line_starts(data, query)
    assert len(whole) == 4


def test_an_mmap_is_scanned_and_can_be_closed_afterwards():
    data = b'{"timestamp":"2026-02-05T12:00:00Z","severity":"ERROR"}\n' * 3
    assert count_in_file(data, LogQuery(severity="ERROR")) == 3  # the search closes its mmap
    assert count_in_file(data, LogQuery(severity="CRITICAL")) == 0


def test_threads_scanning_at_once_take_turns_instead_of_failing():
    from concurrent.futures import ThreadPoolExecutor

    data = b'{"timestamp":"2026-02-05T12:00:00Z","severity":"ERROR"}\n' * 50_000
    names = LogQuery(severity="ERROR").severity_names

    def scan() -> list[int]:
        return [len(severity_scan.line_bounds(data, names)) for _ in range(3)]

    with ThreadPoolExecutor(4) as pool:
        runs = [pool.submit(scan) for _ in range(4)]
    # result() raises what a thread raised (ScratchInUseError before the lock), failing the test.
    assert [n for run in runs for n in run.result()] == [50_000] * 12
