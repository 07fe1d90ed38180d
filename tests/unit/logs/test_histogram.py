"""The volume strip's counts (console/logs/histogram.py): buckets of a round width that follows
the span, never more than the columns, every entry counted once in its level; and the live
buffer's counts stay those of the rows it shows through arrivals, drops, pauses and filters."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from console.core.log_entry import LogEntry
from console.logs.buffer import LogBuffer
from console.logs.histogram import WIDTHS, TimeCounts, level_of, width_text
from console.logs.query import LogQuery, severity_rank

T0 = datetime(2026, 2, 5, 11, tzinfo=UTC)
SEVERITIES = ["DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "bogus"]


def entry(second: float, severity: str = "INFO", text: str = "x") -> LogEntry:
    return LogEntry(timestamp=T0 + timedelta(seconds=second), severity=severity, text=text, service="svc")


def recount(entries) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for e in entries:
        c = out.setdefault(math.floor(e.timestamp.timestamp()), [0, 0, 0])
        c[level_of(severity_rank(e.severity))] += 1
    return out


@given(
    seconds=st.lists(st.integers(0, 3 * 86400), min_size=1, max_size=60),
    columns=st.integers(1, 250),
)
def test_buckets_cover_every_entry_once_within_the_columns(seconds, columns):
    counts = TimeCounts()
    for s in seconds:
        counts.add(s, s % 3)
    h = counts.buckets(columns)
    assert (h is not None and len(h.counts) <= columns) or h.width > WIDTHS[-1]
    assert h.start % h.width == 0 and h.start <= min(seconds)
    assert sum(sum(c) for c in h.counts) == len(seconds)
    for s in set(seconds):
        assert h.bucket_of(s) == (s - h.start) // h.width
    narrower = [w for w in WIDTHS if w < h.width]
    if narrower and h.width <= WIDTHS[-1]:  # the narrowest round width that fits
        w = narrower[-1]
        assert (max(seconds) - (min(seconds) - min(seconds) % w)) // w + 1 > columns


def test_the_width_follows_the_span():
    counts = TimeCounts()
    counts.add(0, 0)
    counts.add(59, 0)
    assert counts.buckets(80).width == 1
    counts.add(4 * 3600, 2)
    assert counts.buckets(80).width == 300  # 4 h over 80 columns: 5 minutes a bar
    assert width_text(300) == "5m" and width_text(3600) == "1h" and width_text(45) == "45s"
    assert TimeCounts().buckets(80) is None


@settings(max_examples=150, deadline=None)
@given(
    ops=st.lists(
        st.one_of(
            st.tuples(
                st.just("add"), st.lists(st.tuples(st.integers(0, 600), st.sampled_from(SEVERITIES)), max_size=8)
            ),
            st.tuples(st.just("pause"), st.none()),
            st.tuples(st.just("resume"), st.none()),
            st.tuples(st.just("filter"), st.sampled_from(["", "sev:warning", "x1", "sev:error"])),
        ),
        max_size=25,
    ),
    capacity=st.integers(1, 12),
)
def test_the_buffer_counts_what_it_shows(ops, capacity):
    from console.logs.query import parse_filter_text

    buf = LogBuffer(capacity)
    n = 0
    for op, arg in ops:
        if op == "add":
            batch = []
            for second, severity in arg:
                batch.append(entry(second, severity, f"x{n % 3}"))
                n += 1
            buf.extend(batch)
        elif op == "pause":
            buf.pause()
        elif op == "resume":
            buf.resume()
        else:
            buf.set_query(parse_filter_text(arg) if arg else LogQuery())
        shown = buf.shown_slice(0, buf.shown_count)
        assert buf.counts.seconds == recount(shown)
        assert buf.counts.total == len(shown)
