"""Following files (growth, partial lines, rotation, truncation), replay and de-duplication."""

from __future__ import annotations

import os
from datetime import timedelta

import orjson

from console.backends.local_log_source import Deduper, FileFollower, LocalLogSource, ReplaySource, load_log_file
from console.core.clock import FixedClock
from console.logs.parse import entry_from_dict
from console.logs.query import LogQuery
from tests.helpers.log_lines import T0, line, texts


def test_follows_growth_and_buffers_a_partial_last_line(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_bytes(line(1) + line(2)[:20])
    f = FileFollower(path)
    assert texts(f.poll()) == ["line 1"]
    assert f.poll() == []  # still no newline: nothing half-parsed
    with open(path, "ab") as fh:
        fh.write(line(2)[20:] + line(3))
    assert texts(f.poll()) == ["line 2", "line 3"]


def test_rotation_drains_old_file_then_reads_new_one(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_bytes(line(1))
    f = FileFollower(path)
    assert texts(f.poll()) == ["line 1"]
    with open(path, "ab") as fh:  # written just before rotation, without its newline yet
        fh.write(line(2) + line(3)[:-1])
    os.rename(path, tmp_path / "a.ndjson.1")
    path.write_bytes(line(4))
    assert texts(f.poll()) == ["line 2", "line 3", "line 4"]
    assert f.stats.rotations == 1
    with open(path, "ab") as fh:
        fh.write(line(5))
    assert texts(f.poll()) == ["line 5"]


def test_truncation_starts_over(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_bytes(line(1) + line(2))
    f = FileFollower(path)
    assert len(f.poll()) == 2
    path.write_bytes(line(3))  # same inode, shorter: copytruncate
    assert texts(f.poll()) == ["line 3"]
    assert f.stats.truncations == 1


def test_not_from_start_only_new_lines(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_bytes(line(1))
    f = FileFollower(path, from_start=False)
    assert f.poll() == []
    with open(path, "ab") as fh:
        fh.write(line(2))
    assert texts(f.poll()) == ["line 2"]


def test_oversized_line_is_dropped_not_buffered(tmp_path, monkeypatch):
    import console.backends.local_log_source as ls

    monkeypatch.setattr(ls, "MAX_PARTIAL", 100)
    path = tmp_path / "a.ndjson"
    path.write_bytes(b"x" * 500)
    f = FileFollower(path)
    assert f.poll() == []
    with open(path, "ab") as fh:
        fh.write(b"yyy\n" + line(1))
    assert texts(f.poll()) == ["line 1"]
    assert f.stats.dropped_partial_bytes >= 500


def test_json_array_file_rewritten_gives_only_new_entries(tmp_path):
    path = tmp_path / "a.json"
    rows = [orjson.loads(line(i)) for i in range(3)]
    path.write_bytes(orjson.dumps(rows))
    f = FileFollower(path)
    assert len(f.poll()) == 3
    path.write_bytes(orjson.dumps([*rows, orjson.loads(line(3))]))
    assert texts(f.poll()) == ["line 3"]


def test_local_source_applies_query_and_picks_up_new_files(tmp_path):
    (tmp_path / "a.ndjson").write_bytes(line(1, service="x") + line(2, service="y"))
    src = LocalLogSource(tmp_path, LogQuery(service="y"))
    assert texts(src.poll()) == ["line 2"]
    (tmp_path / "b.ndjson").write_bytes(line(3, service="y"))
    assert texts(src.poll()) == ["line 3"]
    src.close()


def test_deduper_is_bounded_and_drops_repeats():
    d = Deduper(capacity=3)
    es = [entry_from_dict(orjson.loads(line(i))) for i in range(5)]
    assert len(d.fresh(es[:3] + es[:3])) == 3
    assert len(d.fresh(es[3:])) == 2
    assert len(d) == 3
    assert len(d.fresh(es[:1])) == 1  # forgotten after capacity: seen as new


def test_replay_releases_in_time_order(tmp_path):
    es = [entry_from_dict(orjson.loads(line(i))) for i in (3, 1, 2)]
    clock = FixedClock(T0 + timedelta(seconds=1))
    src = ReplaySource(es, clock)
    assert texts(src.poll()) == ["line 1"]
    clock.advance(timedelta(seconds=5))
    assert texts(src.poll()) == ["line 2", "line 3"]
    assert src.done


def test_load_log_file_reads_both_formats(tmp_path):
    a, b = tmp_path / "x.log", tmp_path / "y.log"
    a.write_bytes(orjson.dumps([orjson.loads(line(1))]))
    b.write_bytes(line(2) + b"garbage\n")
    assert texts(load_log_file(a)) == ["line 1"]
    assert texts(load_log_file(b)) == ["line 2"]


def test_logs_search_count_agrees_with_the_scanner(tmp_path):
    from console.logs.parse import scan_ndjson
    from console.logs.search import count

    path = tmp_path / "x.ndjson"
    data = b"".join(line(i, "Level 1 go" if i % 3 == 0 else None, "svc" if i % 2 else "other") for i in range(50))
    path.write_bytes(data + b"{broken")
    for q in (
        LogQuery(patterns=("Level 1",)),
        LogQuery(service="svc", patterns=("Level 1",)),
        LogQuery(severity="INFO"),
        LogQuery(patterns=("Level \\d",)),
    ):
        assert count([path], q, workers=1)[0] == len(list(scan_ndjson(data, q))) > 0
    (tmp_path / "empty.ndjson").write_bytes(b"")
    assert count([tmp_path / "empty.ndjson"], LogQuery(patterns=("x",))) == (0, 0)


def test_an_empty_deduper_is_still_truthy():
    shared = Deduper()
    assert (shared or Deduper()) is shared and len(shared) == 0


def test_folder_listing_kept_while_still_yet_a_new_file_is_always_found(tmp_path):
    """The listing is reused while the folder's mtime is unchanged, but only once the folder
    had been still for a while: a file created in the same tick of the file system's coarse
    clock (same mtime as the listing saw) is still found on the next poll."""
    (tmp_path / "a.ndjson").write_bytes(line(1, "first"))
    source = LocalLogSource(tmp_path)
    assert texts(source.poll()) == ["first"]
    # A folder that changed just now: a new file with the mtime restored is still found.
    seen = os.stat(tmp_path).st_mtime_ns
    (tmp_path / "b.ndjson").write_bytes(line(2, "second"))
    os.utime(tmp_path, ns=(seen, seen))
    assert texts(source.poll()) == ["second"]
    # A settled folder: its listing is kept, and a real change (new mtime) is seen at once.
    old = seen - 10_000_000_000
    os.utime(tmp_path, ns=(old, old))
    assert source.poll() == [] and source._listing_key is not None
    (tmp_path / "c.ndjson").write_bytes(line(3, "third"))
    assert texts(source.poll()) == ["third"]
    (tmp_path / "c.ndjson").unlink()
    (tmp_path / "b.ndjson").unlink()
    assert source.poll() == [] and [p.name for p in source.files()] == ["a.ndjson"]
