"""Memory bounded by what is held (issue 24, item 3): the log screen's buffer, the live trace,
the file follower and a check judging a log file hold as much after 4x the entries as after
1x (tracemalloc), so an hour-long stream or a gigabyte file costs what is kept, not what
passed."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest

from console.backends.local_log_source import LocalLogSource
from console.core.config import Settings
from console.core.context import CheckContext
from console.logs.buffer import LogBuffer
from console.logs.live_trace import LiveTrace
from console.logs.parse import parse_line
from console.logs.query import LogQuery
from panels import sequential

pytestmark = pytest.mark.slow  # every test here takes about 3 s or more (pytest --durations)

SETTINGS = Settings()
SERVICE = SETTINGS.services.analytics
T0 = datetime(2026, 2, 5, 12, tzinfo=UTC)


def line(i: int, text: str | None = None) -> bytes:
    return orjson.dumps(
        {
            "insertId": f"id-{i:09d}",
            "timestamp": (T0 + timedelta(milliseconds=i)).isoformat(),
            "severity": "INFO",
            "textPayload": text or f"Processed batch {i}: {i % 97} rows",
            "resource": {"type": "cloud_run_revision", "labels": {"service_name": SERVICE if i % 3 else "grading"}},
        }
    )


def batches(n: int, size: int = 500, text: str | None = None):
    for start in range(0, n, size):
        yield [parse_line(line(i, text)) for i in range(start, min(n, start + size))]


def held_after(feed, n: int) -> int:
    """Bytes still allocated after feeding n entries (the fed objects themselves dropped)."""
    gc.collect()
    tracemalloc.start()
    try:
        keep = feed(n)
        gc.collect()
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del keep
    return current


def assert_flat(feed, n: int = 4_000) -> None:
    small, large = held_after(feed, n), held_after(feed, 4 * n)
    assert large < small * 1.15 + 200_000, (small, large)


def test_the_buffer_holds_its_capacity_not_the_stream():
    def feed(n):
        buffer = LogBuffer(capacity=1_000)
        for batch in batches(n):
            buffer.extend(batch)
        assert len(buffer) == 1_000 and buffer.dropped == n - 1_000
        return buffer

    assert_flat(feed)


def test_a_filtered_or_paused_buffer_is_bounded_too():
    def feed(n):
        buffer = LogBuffer(capacity=1_000, query=LogQuery(patterns=("batch",)))
        for i, batch in enumerate(batches(n)):
            if i == len(range(0, n, 500)) // 2:
                buffer.pause()  # the second half waits, bounded the same way
            buffer.extend(batch)
        assert buffer.pending == 1_000
        return buffer

    assert_flat(feed)


def test_the_live_trace_does_not_keep_its_lines():
    level = "📋 Level 1: running 2 processors: TeamOffenseGameSummaryProcessor, TeamDefenseGameSummaryProcessor"

    def feed(n):
        trace = LiveTrace(SETTINGS, date(2026, 2, 5))
        for batch in batches(n, text=level):
            trace.feed(batch)
        assert trace.verdict().value.events == sum(1 for i in range(n) if i % 3)
        return trace

    assert_flat(feed, 1_000)


def test_following_a_growing_file_holds_only_the_buffer(tmp_path):
    def feed(n):
        folder = tmp_path / f"logs-{n}"
        folder.mkdir()
        source, buffer = LocalLogSource(folder), LogBuffer(capacity=1_000)
        with (folder / "app.ndjson").open("ab") as fh:
            for start in range(0, n, 1_000):
                fh.write(b"".join(line(i) + b"\n" for i in range(start, start + 1_000)))
                fh.flush()
                buffer.extend(source.poll())
        assert buffer.received == n
        source.close()
        return buffer

    assert_flat(feed)


@pytest.mark.parametrize("kind", ["ndjson", "json"])
def test_judging_a_big_log_file_keeps_peak_memory_bounded(demo_settings, monkeypatch, kind):
    """check --only sequential_execution's read: the peak over a file 4x larger is the same,
    NDJSON or a JSON array (an export)."""
    from console.backends.local_backend import LocalBackend
    from console.logs import json_stream, window_scan

    monkeypatch.setattr(window_scan, "CHUNK", 1 << 20)  # both files span several chunks
    monkeypatch.setattr(json_stream, "CHUNK", 1 << 20)

    logs = demo_settings.data_dir / "current" / "logs"
    ctx = CheckContext(settings=demo_settings, game_date=date(2026, 2, 4), as_of=T0 + timedelta(days=1))

    def peak(n: int) -> tuple[int, str]:
        for old in logs.glob("big*"):
            old.unlink()
        with (logs / f"big{n}.{kind}").open("wb") as fh:
            if kind == "ndjson":
                for start in range(0, n, 5_000):
                    fh.write(b"".join(line(i) + b"\n" for i in range(start, start + 5_000)))
            else:
                fh.write(b"[\n" + b",\n".join(line(i) for i in range(n)) + b"\n]\n")
        backend = LocalBackend(demo_settings)
        gc.collect()
        tracemalloc.start()
        try:
            result = sequential.fetch(backend, ctx)
            _, top = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            backend.close()
        return top, result.status.value

    (small, status), (large, status_large) = peak(10_000), peak(40_000)
    assert status == status_large == "ok"  # the demo's in-order night, read past 40,000 other lines
    assert large < small * 1.3 + 3_000_000, (small, large)  # a one-off (an interpreter table resized) aside
    assert large < 12_000_000  # a chunk and its lines, not the 12 MB file's entries (~60 MB)
