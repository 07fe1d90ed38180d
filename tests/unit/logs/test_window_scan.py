"""A check's streamed read of a log file (console/logs/window_scan.py) gives what the whole-file
read gave: the same entries of the service in the window, the same newest line, the same
malformed count, the same refusal of a file that is not a log, and so the same trace; also
when the file is read in small chunks, and when a later scan continues one of a file that
grew (or was rewritten) since."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from unittest import mock

import orjson
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.core.config import Settings
from console.logs import window_scan
from console.logs.parse import MalformedLog, parse_log_file
from console.logs.trace import TraceParser, trace_from_entries
from console.logs.window_scan import scan_json_file, scan_ndjson_file
from tests.helpers.examples import examples
from tests.helpers.outcome import outcome

SETTINGS = Settings()
SERVICE = SETTINGS.services.analytics
START = datetime(2026, 2, 5, 5, tzinfo=UTC)
END = START + timedelta(hours=6)
TEXTS = [
    "📋 Level 1: running 2 processors: TeamOffenseGameSummaryProcessor, TeamDefenseGameSummaryProcessor",
    "📋 Level 2: running 1 processor: PlayerGameSummaryProcessor",
    "✅ Level 1 complete (2/2 succeeded)",
    "✅ Level 2 complete (0/1 succeeded)",
    "Starting PlayerGameSummaryProcessor",
    "TeamOffenseGameSummaryProcessor completed in 8 min",
    "DependencyFailureError: TeamOffenseGameSummaryProcessor not complete",
    "Processed batch 7",
    "",
]
PARSER = TraceParser(SETTINGS.log_patterns)


def is_trace(entry) -> bool:
    return PARSER.parse(entry) is not None


entries = st.fixed_dictionaries(
    {
        "timestamp": st.integers(-120, 480).map(lambda m: (START + timedelta(minutes=m)).isoformat()),
        "severity": st.sampled_from(["INFO", "ERROR", "debug"]),
        "textPayload": st.sampled_from(TEXTS),
        "resource": st.sampled_from([SERVICE, "grading", SERVICE + "-x", ""]).map(
            lambda s: {"type": "cloud_run_revision", "labels": {"service_name": s}}
        ),
        "insertId": st.text("abc123", max_size=4),
    }
).map(orjson.dumps)
escaped = st.just(
    b'{"timestamp":"2026-02-05T07:00:00Z","textPayload":"\\u2705 Level 1 complete (1/1 succeeded)",'
    b'"resource":{"labels":{"service_name":"nba-phase3-analytics-processo\\u0072s"}}}'
)
malformed = st.sampled_from(
    [
        b"garbage",
        b"[1, 2]",
        b'{"no": "time"}',
        b'{"timestamp": "yesterday"}',
        b"   ",
        b"",
        b'{"timestamp":\r"2026-02-05T07:00:00Z"}',
    ]
)
lines = st.lists(st.one_of(entries, entries, entries, escaped, malformed), max_size=40)


def document(items: list[bytes], newline: bytes, final: bool) -> bytes:
    return newline.join(items) + (newline if final and items else b"")


def whole_file(data: bytes):
    """The old path: every entry of the file parsed, then the service's in the window."""
    entries, skipped = parse_log_file(data, ndjson=True)
    kept = sorted(
        (e for e in entries if e.service == SERVICE and START <= e.timestamp <= END), key=lambda e: e.timestamp
    )
    return kept, skipped


def streamed(path: Path, keep=None, previous=None, end=END):
    state, answer = scan_ndjson_file(path, SERVICE, START, end, keep, previous)
    answer.check_is_log()
    return state, answer


def same(path: Path, data: bytes, answer) -> None:
    whole = outcome(lambda: whole_file(data), MalformedLog)
    if isinstance(whole, MalformedLog):
        with pytest.raises(MalformedLog) as got:
            answer.check_is_log()
        assert got.value.line == whole.line
        return
    expected, skipped = whole
    answer.check_is_log()
    assert answer.skipped == skipped
    assert answer.newest == (max(e.timestamp for e in expected) if expected else None)
    kept = sorted(answer.kept, key=lambda e: e.timestamp)
    assert kept == [e for e in expected if is_trace(e)]
    # The trace judged from the kept lines is the trace judged from every line.
    assert trace_from_entries(kept, SETTINGS).verdict() == trace_from_entries(expected, SETTINGS).verdict()


@hsettings(max_examples=examples(150), suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(lines, st.sampled_from([b"\n", b"\r\n"]), st.booleans(), st.integers(8, 600))
def test_streamed_read_equals_whole_file_read(tmp_path, items, newline, final, chunk):
    data = document(items, newline, final)
    path = tmp_path / "f.ndjson"
    path.write_bytes(data)
    with mock.patch.object(window_scan, "CHUNK", chunk):
        _state, answer = scan_ndjson_file(path, SERVICE, START, END, is_trace)
    same(path, data, answer)


@hsettings(max_examples=examples(150), suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(lines, st.booleans(), st.data())
def test_a_scan_continued_after_appends_equals_a_fresh_one(tmp_path, items, final, data_):
    data = document(items, b"\n", final)
    cut = data_.draw(st.integers(0, len(data)))
    path = tmp_path / "f.ndjson"
    path.write_bytes(data[:cut])
    state, _ = scan_ndjson_file(path, SERVICE, START, END, is_trace)
    with path.open("ab") as fh:
        fh.write(data[cut:])
    _, answer = scan_ndjson_file(path, SERVICE, START, END, is_trace, previous=state)
    same(path, data, answer)


@hsettings(max_examples=examples(60), suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(lines, st.integers(-180, 480))
def test_a_scan_reused_for_a_later_end_equals_a_fresh_one(tmp_path, items, minutes):
    """The live console's window ends at "now", later at every refresh."""
    data = document(items, b"\n", True)
    path = tmp_path / "f.ndjson"
    path.write_bytes(data)
    earlier = START + timedelta(minutes=minutes)
    state, _ = scan_ndjson_file(path, SERVICE, START, earlier, is_trace)
    _, continued = scan_ndjson_file(path, SERVICE, START, END, is_trace, previous=state)
    _, fresh = scan_ndjson_file(path, SERVICE, START, END, is_trace)
    assert (continued.kept, continued.newest, continued.skipped) == (fresh.kept, fresh.newest, fresh.skipped)


def test_a_file_rewritten_past_its_old_size_is_read_again(tmp_path):
    path = tmp_path / "f.ndjson"
    first = [
        orjson.dumps(
            {
                "timestamp": "2026-02-05T07:00:00Z",
                "textPayload": TEXTS[0],
                "resource": {"labels": {"service_name": SERVICE}},
            }
        )
    ]
    path.write_bytes(b"\n".join(first) + b"\n")
    state, _ = scan_ndjson_file(path, SERVICE, START, END, is_trace)
    other = orjson.dumps(
        {
            "timestamp": "2026-02-05T08:00:00Z",
            "textPayload": TEXTS[2],
            "resource": {"labels": {"service_name": SERVICE}},
        }
    )
    path.write_bytes(other + b"\n" + other + b"\n")  # copytruncate, then more than before
    _, answer = scan_ndjson_file(path, SERVICE, START, END, is_trace, previous=state)
    assert [e.text for e in answer.kept] == [TEXTS[2], TEXTS[2]]


def test_a_json_array_gives_what_its_whole_parse_gives(tmp_path):
    items = [
        {
            "timestamp": f"2026-02-05T0{h}:00:00Z",
            "textPayload": TEXTS[h % 4],
            "resource": {"labels": {"service_name": SERVICE if h % 2 else "grading"}},
        }
        for h in range(10)
    ]
    path = tmp_path / "f.json"
    path.write_bytes(orjson.dumps([*items, {"no": "time"}], option=orjson.OPT_INDENT_2))
    scan = scan_json_file(path, SERVICE, START, END, is_trace)
    entries, skipped = parse_log_file(path.read_bytes(), ndjson=False)
    assert scan.skipped == skipped == 1
    assert scan.kept == [e for e in entries if e.service == SERVICE and START <= e.timestamp <= END and is_trace(e)]
    (tmp_path / "bad.json").write_bytes(b"[{")
    with pytest.raises(MalformedLog):
        scan_json_file(tmp_path / "bad.json", SERVICE, START, END, is_trace)


def test_a_refresh_sees_what_was_appended_and_what_was_rewritten(demo_backend, demo_settings):
    """The console's backend reads only the appended bytes on its next refresh; the verdict
    is the one a fresh read gives, also after the file is replaced by another."""
    from console.backends.local_backend import LocalBackend
    from console.core.context import CheckContext
    from panels import sequential

    ctx = CheckContext(settings=demo_settings, game_date=date(2026, 2, 4), as_of=datetime(2026, 2, 6, tzinfo=UTC))
    path = demo_settings.data_dir / "current" / "logs" / "live.ndjson"

    def add(text: str, minute: int) -> None:
        with path.open("ab") as fh:
            fh.write(
                orjson.dumps(
                    {
                        "timestamp": f"2026-02-05T15:{minute:02d}:00Z",
                        "textPayload": text,
                        "resource": {"labels": {"service_name": SERVICE}},
                    }
                )
                + b"\n"
            )

    add("Processed batch 1", 0)
    assert sequential.fetch(demo_backend, ctx).status.value == "ok"
    add("DependencyFailureError: TeamOffenseGameSummaryProcessor not complete", 1)
    result = sequential.fetch(demo_backend, ctx)
    assert result.status.value == "fail" and "DependencyFailureError" in result.summary
    assert result == sequential.fetch(LocalBackend(demo_settings), ctx)  # same as a fresh read
    path.write_bytes(b"")  # rotated away: a new, empty file
    add("Processed batch 2", 2)
    add("Processed batch 3", 3)
    add("Processed batch 4", 4)
    assert sequential.fetch(demo_backend, ctx).status.value == "ok"


def test_a_line_longer_than_any_entry_is_skipped_not_held(tmp_path, monkeypatch):
    """A file with no newline for megabytes (a binary dump, a torn export) costs a chunk."""
    import tracemalloc

    monkeypatch.setattr(window_scan, "MAX_LINE", 1 << 20)
    monkeypatch.setattr(window_scan, "CHUNK", 1 << 18)
    good = orjson.dumps(
        {
            "timestamp": "2026-02-05T07:00:00Z",
            "textPayload": TEXTS[2],
            "resource": {"labels": {"service_name": SERVICE}},
        }
    )
    path = tmp_path / "f.ndjson"
    path.write_bytes(good + b"\n" + b"x" * (8 << 20) + b"\n" + good + b"\n" + b"y" * (3 << 20))
    tracemalloc.start()
    try:
        state, answer = streamed(path, is_trace)
        _, top = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [e.text for e in answer.kept] == [TEXTS[2], TEXTS[2]] and answer.skipped == 2
    assert top < 4 << 20
    with path.open("ab") as fh:  # the second long line ends; one more entry after it
        fh.write(b"\n" + good + b"\n")
    _, more = streamed(path, is_trace, previous=state)
    assert len(more.kept) == 3 and more.skipped == 2


@hsettings(max_examples=examples(100), suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(lines, st.booleans(), st.integers(8, 600))
def test_a_streamed_json_array_equals_its_whole_parse(tmp_path, items, indent, chunk):
    """The same entries as an array (pretty or compact), malformed ones included."""
    from console.logs import json_stream

    decoded = []
    for item in items:
        try:
            decoded.append(orjson.loads(item))
        except orjson.JSONDecodeError:
            continue
    data = orjson.dumps(decoded, option=orjson.OPT_INDENT_2 if indent else 0)
    path = tmp_path / "f.json"
    path.write_bytes(data)
    with mock.patch.object(json_stream, "CHUNK", chunk):
        scan = scan_json_file(path, SERVICE, START, END, is_trace)
    entries, skipped = parse_log_file(data, ndjson=False)
    expected = sorted(
        (e for e in entries if e.service == SERVICE and START <= e.timestamp <= END), key=lambda e: e.timestamp
    )
    assert scan.skipped == skipped
    assert scan.newest == (max(e.timestamp for e in expected) if expected else None)
    assert sorted(scan.kept, key=lambda e: e.timestamp) == [e for e in expected if is_trace(e)]
