"""The log screen's bounded buffer against a plain model of it: whatever the sequence of
arrivals, pauses, resumes and filters, it holds the newest `capacity` entries, shows those the
filter passes (in arrival order), and counts every entry it let go."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from console.core.models import LogEntry
from console.logs.buffer import LogBuffer
from console.logs.query import LogQuery
from tests.helpers.examples import examples

T0 = datetime(2026, 2, 5, 12, tzinfo=UTC)
QUERIES = [LogQuery(), LogQuery(severity="ERROR"), LogQuery(patterns=("7",))]


class Model:
    def __init__(self, capacity):
        self.capacity, self.rows, self.pending = capacity, deque(maxlen=capacity), deque(maxlen=capacity)
        self.query, self.paused, self.dropped, self.received = QUERIES[0], False, 0, 0

    def extend(self, entries):
        self.received += len(entries)
        target = self.pending if self.paused else self.rows
        self.dropped += max(0, len(target) + len(entries) - self.capacity)
        target.extend(entries)

    def resume(self):
        self.paused = False
        pending, self.pending = list(self.pending), deque(maxlen=self.capacity)
        self.dropped += max(0, len(self.rows) + len(pending) - self.capacity)
        self.rows.extend(pending)

    def shown(self):
        return [e for e in self.rows if self.query.matches(e)]


def make(n: int) -> LogEntry:
    return LogEntry(
        timestamp=T0 + timedelta(seconds=n),
        insert_id=str(n),
        text=f"line {n}",
        severity="ERROR" if n % 3 == 0 else "INFO",
    )


steps = st.lists(
    st.one_of(
        st.tuples(st.just("extend"), st.integers(0, 40)),
        st.tuples(st.just("pause"), st.just(0)),
        st.tuples(st.just("resume"), st.just(0)),
        st.tuples(st.just("query"), st.integers(0, len(QUERIES) - 1)),
    ),
    max_size=40,
)


@settings(max_examples=examples(200), deadline=None)
@given(capacity=st.integers(1, 30), steps=steps)
def test_buffer_matches_a_plain_model(capacity, steps):
    buf, model, made = LogBuffer(capacity), Model(capacity), 0
    for op, arg in steps:
        if op == "extend":
            batch = [make(made + i) for i in range(arg)]
            made += arg
            buf.extend(batch)
            model.extend(batch)
        elif op == "pause":
            buf.pause()
            model.paused = True
        elif op == "resume":
            buf.resume()
            model.resume()
        else:
            buf.set_query(QUERIES[arg])
            model.query = QUERIES[arg]
        shown = model.shown()
        assert len(buf) == len(model.rows)
        assert (buf.received, buf.dropped, buf.pending) == (model.received, model.dropped, len(model.pending))
        assert buf.shown_count == len(shown)
        assert [buf.shown(i) for i in range(buf.shown_count)] == shown
        assert buf.shown_slice(1, 4) == shown[1:4]


def test_a_long_stream_compacts_the_view_and_keeps_the_newest():
    buf = LogBuffer(1000, LogQuery(severity="ERROR"))
    for start in range(0, 20_000, 500):
        buf.extend(make(n) for n in range(start, start + 500))
    assert len(buf) == 1000 and buf.dropped == 19_000
    shown = [buf.shown(i) for i in range(buf.shown_count)]
    assert [e.insert_id for e in shown] == [str(n) for n in range(19_000, 20_000) if n % 3 == 0]
    # The dropped rows ahead of the view were let go, not kept forever. Internal (private: the
    # compaction has no public view): its public effect is memory, measured with tracemalloc in
    # tests/unit/test_log_memory_bounded.py.
    assert len(buf._shown) < 5000
