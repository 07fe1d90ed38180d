"""Cloud Logging through the official clients against the fake logging server (issue 5):
`tail_entries` on the gRPC TailLogEntries stream, and `GcpLogSource` (the polling source the
TUI uses on gcp) on the HTTP `entries:list` with the handoff's filter and a 429."""

from __future__ import annotations

import queue
import threading
from datetime import timedelta

import pytest

from console.backends.gcp_log_source import Backoff, GcpLogSource
from console.backends.gcp_logs import Deduper, render_filter, tail_entries
from console.core.clock import FixedClock
from console.core.errors import ErrorKind, SourceError
from console.core.models import LogEntry
from console.logs.query import LogQuery
from tests.emulators.fixtures import TEST_PROJECT
from tests.gcp.tail_helpers import SERVICE, T0, entry, wait_until

TAIL_FILTER = render_filter(SERVICE, start=T0, patterns=("Level 1", "Level 2"))


class Consumer:
    """Iterates `tail_entries` in a thread (the call blocks), handing entries to a queue."""

    def __init__(self, client, **kw):
        self.stop = threading.Event()
        self.got: queue.Queue = queue.Queue()
        self.error: BaseException | None = None
        self.finished = threading.Event()
        self.stream = tail_entries(client, TEST_PROJECT, TAIL_FILTER, should_stop=self.stop.is_set, **kw)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for e in self.stream:
                self.got.put(e)
        except BaseException as exc:  # noqa: BLE001 - the test asserts on it
            self.error = exc
        finally:
            self.finished.set()

    def take(self, n: int, timeout: float = 10.0) -> list[LogEntry]:
        return [self.got.get(timeout=timeout) for _ in range(n)]


def test_tail_converts_filters_and_dedupes_then_stops_cleanly(fake_logging, tail_client):
    consumer = Consumer(tail_client)
    assert fake_logging.wait_for_tail_subscribers(1, timeout=10)
    assert fake_logging.tail_requests[0]["filter"] == (
        'resource.labels.service_name="nba-phase3-analytics-processors" '
        'AND (textPayload=~"Level 1" OR textPayload=~"Level 2") AND timestamp>="2026-02-05T11:00:00Z"'
    )
    assert fake_logging.tail_requests[0]["resourceNames"] == [f"projects/{TEST_PROJECT}"]

    fake_logging.push_tail(
        [
            entry("a1", "📋 Level 1: team processors", 1),
            entry("a1", "📋 Level 1: team processors", 1),  # a repeat within one response
            entry("x9", "Level 1 of another service", 2, service="nba-scrapers"),  # the server's filter drops it
            entry("a2", "✅ Level 1 complete", 3, severity="NOTICE"),
        ]
    )
    first = consumer.take(2)
    assert [(e.insert_id, e.text, e.service, e.severity, e.timestamp) for e in first] == [
        ("a1", "📋 Level 1: team processors", SERVICE, "INFO", T0 + timedelta(seconds=1)),
        ("a2", "✅ Level 1 complete", SERVICE, "NOTICE", T0 + timedelta(seconds=3)),
    ]
    assert all(isinstance(e, LogEntry) for e in first)

    # A later response repeating a2 (a reconnect overlap) yields only what is new.
    fake_logging.push_tail([entry("a2", "✅ Level 1 complete", 3), entry("b1", "📋 Level 2: player processors", 4)])
    [second] = consumer.take(1)
    assert second.insert_id == "b1"

    consumer.stop.set()  # checked after the next response
    fake_logging.push_tail([entry("b2", "✅ Level 2 complete", 5)])
    assert consumer.finished.wait(10) and consumer.error is None
    assert [e.insert_id for e in list(consumer.got.queue)] == ["b2"]
    # The generator's return cancels the call: the server sees its stream end.
    wait_until(lambda: fake_logging.tail_subscriber_count == 0, what="the stream to close on the server")


def test_tail_ends_when_the_server_ends_the_stream(fake_logging, tail_client):
    consumer = Consumer(tail_client)
    assert fake_logging.wait_for_tail_subscribers(1, timeout=10)
    fake_logging.push_tail([entry("c1", "📋 Level 1: team processors", 1)])
    assert [e.insert_id for e in consumer.take(1)] == ["c1"]
    fake_logging.end_tail_streams()
    assert consumer.finished.wait(10) and consumer.error is None
    wait_until(lambda: fake_logging.tail_subscriber_count == 0, what="the stream to end")


def test_closing_the_generator_cancels_the_stream(fake_logging, tail_client):
    stream = tail_entries(tail_client, TEST_PROJECT, TAIL_FILTER)
    got: queue.Queue = queue.Queue()
    thread = threading.Thread(target=lambda: got.put(next(stream)), daemon=True)
    thread.start()
    assert fake_logging.wait_for_tail_subscribers(1, timeout=10)
    fake_logging.push_tail([entry("d1", "📋 Level 1: team processors", 1)])
    assert got.get(timeout=10).insert_id == "d1"
    thread.join(10)
    stream.close()  # the screen goes away while the stream is idle
    wait_until(lambda: fake_logging.tail_subscriber_count == 0, what="the stream to be cancelled")


def test_a_shared_deduper_drops_what_a_previous_stream_yielded(fake_logging, tail_client):
    """The caller's reconnect loop keeps one Deduper: entries replayed on reconnect are dropped."""
    dedupe = Deduper()
    first = Consumer(tail_client, dedupe=dedupe)
    assert fake_logging.wait_for_tail_subscribers(1, timeout=10)
    fake_logging.push_tail([entry("e1", "📋 Level 1: team processors", 1)])
    assert [e.insert_id for e in first.take(1)] == ["e1"]
    fake_logging.end_tail_streams()
    assert first.finished.wait(10)
    wait_until(lambda: fake_logging.tail_subscriber_count == 0, what="the first stream to end")

    second = Consumer(tail_client, dedupe=dedupe)
    assert fake_logging.wait_for_tail_subscribers(1, timeout=10)
    fake_logging.push_tail([entry("e1", "📋 Level 1: team processors", 1), entry("e2", "✅ Level 1 complete", 2)])
    assert [e.insert_id for e in second.take(1)] == ["e2"]
    fake_logging.end_tail_streams()
    assert second.finished.wait(10) and second.got.empty()


def test_a_429_on_the_tail_is_translated_to_a_quota_error(fake_logging, tail_client):
    fake_logging.fail_next_tail(1, status=429)
    with pytest.raises(SourceError) as raised:
        list(tail_entries(tail_client, TEST_PROJECT, TAIL_FILTER))
    assert raised.value.kind is ErrorKind.QUOTA
    assert fake_logging.tail_subscriber_count == 0


# ------------------------------------------------------------------ the polling source


def test_gcp_log_source_polls_entries_list_with_the_handoff_filter_and_backs_off_on_429(fake_logging, logging_client):
    fake_logging.add_entries(
        [
            entry("p1", "📋 Level 1: team processors", 60),
            entry("p2", "✅ Level 1 complete", 120),
            entry("p3", "📋 Level 2: player processors", 130),
            entry("p0", "📋 Level 1: before the window", -60),
            entry("q1", "Level 1 elsewhere", 70, service="nba-scrapers"),
            entry("q2", "Starting processor", 80),
        ]
    )
    fake_logging.fail_next(1, status=429)
    ticks = [0.0]
    query = LogQuery(service=SERVICE, patterns=("Level 1", "Level 2"), since=T0)
    source = GcpLogSource(
        logging_client,
        TEST_PROJECT,
        query,
        clock=FixedClock(T0 + timedelta(minutes=5)),
        monotonic=lambda: ticks[0],
        poll_interval=5,
        backoff=Backoff(base=2.0, rng=lambda: 1.0),
    )
    handoff = (
        'resource.labels.service_name="nba-phase3-analytics-processors" '
        'AND (textPayload=~"Level 1" OR textPayload=~"Level 2") AND timestamp>="2026-02-05T11:00:00Z"'
    )

    assert source.poll() == []  # the 429
    assert "429" in source.error
    assert fake_logging.received_filters == [handoff]
    assert source.poll() == [] and len(fake_logging.list_requests) == 1  # backing off: no request
    ticks[0] = 1.9
    assert source.poll() == [] and len(fake_logging.list_requests) == 1
    ticks[0] = 2.0  # the back-off (base 2 s, no jitter) has passed
    got = source.poll()
    assert source.error is None
    assert [(e.insert_id, e.text, e.service) for e in got] == [
        ("p1", "📋 Level 1: team processors", SERVICE),
        ("p2", "✅ Level 1 complete", SERVICE),
        ("p3", "📋 Level 2: player processors", SERVICE),
    ]
    assert fake_logging.received_filters == [handoff, handoff]
    body = fake_logging.list_requests[-1]
    assert body["resourceNames"] == [f"projects/{TEST_PROJECT}"] and body["orderBy"] == "timestamp asc"

    # Next poll: the cursor minus the lag, and what was seen is not repeated.
    fake_logging.add_entries([entry("p4", "✅ Level 2 complete", 140)])
    ticks[0] = 7.0
    assert [e.insert_id for e in source.poll()] == ["p4"]
    assert fake_logging.received_filters[-1].endswith('timestamp>="2026-02-05T11:01:40Z"')
