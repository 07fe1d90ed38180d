"""An export in the log screen (console/logs/export_view.py): once loaded, its rows are the
file's entries in time order (oldest or newest first, whatever order the file is in, read in
small steps forwards or backwards), the filter over them is `LogQuery.matches`, from the index
or by decoding, and the histogram counts what is shown. Only the index and a bounded cache of
decoded entries are held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.logs import export_view
from console.logs.export_view import CACHE, ExportView
from console.logs.parse import entry_from_dict
from console.logs.query import LogQuery, parse_filter_text
from tests.helpers.log_exports import raw_entries

T0 = datetime(2026, 2, 5, 11, tzinfo=UTC)


def load(view: ExportView) -> ExportView:
    while view.step():
        pass
    return view


def key(e) -> tuple:
    return (e.timestamp, e.insert_id, e.severity, e.service, e.text)


def expected(items: list[dict], query: LogQuery, newest_first: bool) -> list[tuple]:
    entries = [e for e in (entry_from_dict(r) for r in items) if e is not None and query.matches(e)]
    return [key(e) for e in sorted(entries, key=lambda e: e.timestamp, reverse=newest_first)]


filters = st.sampled_from(["", "sev:warning", "svc:grading", "level", "Level 1", "since:3000d", "sev:error svc:nba"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raws=st.lists(raw_entries(), max_size=40),
    order=st.sampled_from(["ascending", "descending", "any"]),
    newest_first=st.booleans(),
    as_array=st.booleans(),
    text=filters,
    chunk=st.sampled_from([64, 700, 1 << 20]),
)
def test_loaded_rows_are_the_entries_in_time_order_and_the_filter_is_matches(
    tmp_path_factory, monkeypatch, raws, order, newest_first, as_array, text, chunk
):
    monkeypatch.setattr(export_view, "CHUNK", chunk)  # many steps, read forwards or backwards
    monkeypatch.setattr(export_view, "FILTER_STEP", 7)
    if order != "any":
        raws = sorted(raws, key=lambda r: str(r.get("timestamp")), reverse=order == "descending")
    folder = tmp_path_factory.mktemp("export")
    path = folder / ("export.json" if as_array else "export.ndjson")
    if as_array:
        path.write_bytes(orjson.dumps(raws, option=orjson.OPT_INDENT_2))
    else:
        path.write_bytes(b"\n".join(orjson.dumps(r) for r in raws))
    view = load(ExportView([path], newest_first=newest_first))
    try:
        assert view.loaded and view.in_order
        rows = [key(view.shown(i)) for i in range(view.shown_count)]
        assert sorted(rows, key=lambda r: r[0], reverse=newest_first) == rows
        assert sorted(rows, key=repr) == sorted(expected(raws, LogQuery(), newest_first), key=repr)
        query = parse_filter_text(text, datetime.now(UTC))
        view.set_query(query)
        load(view)
        got = [key(view.shown(i)) for i in range(view.shown_count)]
        assert sorted(got, key=repr) == sorted(expected(raws, query, newest_first), key=repr)
        assert view.counts.total == len(got)
    finally:
        view.close()


def write_ndjson(path, seconds, severity=lambda s: "ERROR" if s % 10 == 0 else "INFO"):
    lines = [
        orjson.dumps(
            {
                "insertId": f"i{s}",
                "timestamp": (T0 + timedelta(seconds=s)).isoformat().replace("+00:00", "Z"),
                "severity": severity(s),
                "resource": {"labels": {"service_name": "grading"}},
                "textPayload": f"line {s}",
            }
        )
        for s in seconds
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")


def test_several_files_are_merged_by_time(tmp_path):
    write_ndjson(tmp_path / "a.ndjson", range(0, 100, 2))
    write_ndjson(tmp_path / "b.ndjson", range(1, 100, 2))
    view = load(ExportView([tmp_path]))
    assert [view.shown(i).insert_id for i in range(5)] == ["i0", "i1", "i2", "i3", "i4"]
    assert view.shown_count == 100


def test_the_first_step_shows_the_end_the_screen_needs_first(tmp_path, monkeypatch):
    monkeypatch.setattr(export_view, "CHUNK", 2000)
    write_ndjson(tmp_path / "x.ndjson", range(1000))
    oldest = ExportView([tmp_path / "x.ndjson"])
    oldest.step()
    assert 0 < oldest.shown_count < 1000 and oldest.shown(0).insert_id == "i0"
    newest = ExportView([tmp_path / "x.ndjson"], newest_first=True)
    newest.step()  # read backwards: the newest entries first
    assert 0 < newest.shown_count < 1000 and newest.shown(0).insert_id == "i999"
    assert not newest.loaded and newest.progress < 1


def test_e_and_jumps_use_the_index(tmp_path):
    write_ndjson(tmp_path / "x.ndjson", range(100))
    view = load(ExportView([tmp_path / "x.ndjson"]))
    assert view.next_at_least(0, 500, 1) == 10
    assert view.next_at_least(10, 500, -1) == 0
    assert view.next_at_least(90, 500, 1) is None
    start = (T0 + timedelta(seconds=42)).timestamp()
    assert view.first_at_or_after(start, start + 5) == 42


def test_only_a_bounded_cache_of_entries_is_held(tmp_path):
    write_ndjson(tmp_path / "x.ndjson", range(CACHE + 500))
    view = load(ExportView([tmp_path / "x.ndjson"]))
    for i in range(view.shown_count):
        view.shown(i)
    assert view.entries_held <= CACHE  # the entries themselves: never the whole file


@pytest.mark.parametrize("content", [b"", b"not json\n", b"[1, 2"])
def test_files_without_entries_or_broken_open_empty_and_say_so(tmp_path, content):
    path = tmp_path / ("x.json" if content.startswith(b"[") else "x.ndjson")
    path.write_bytes(content)
    view = load(ExportView([path]))
    assert view.shown_count == 0
    assert bool(view.errors) == content.startswith(b"[")
    assert view.skipped == (1 if content == b"not json\n" else 0)


def test_a_missing_file_is_refused_with_its_name(tmp_path):
    from console.logs.search import SearchError

    with pytest.raises(SearchError, match=r"nope\.json"):
        ExportView([tmp_path / "nope.json"])
    with pytest.raises(SearchError, match="no log files"):
        ExportView([tmp_path])
