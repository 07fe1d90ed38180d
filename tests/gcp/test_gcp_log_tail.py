"""GcpTailSource (console/backends/gcp_log_tail.py) through the official clients against the fake
logging server: entries through poll(), the backfill, reconnects with de-duplication, a 429
backed off, close() ending the server-side stream, and the fallback to polling."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from console.backends.gcp_log_source import Backoff, GcpLogSource
from console.backends.gcp_log_tail import GcpTailSource
from console.core.clock import FixedClock
from console.logs.query import LogQuery
from tests.emulators.fixtures import TEST_PROJECT
from tests.emulators.logging_server import make_entry
from tests.gcp.tail_helpers import SERVICE, T0, entry, wait_until

QUERY = LogQuery(service=SERVICE, patterns=("Level 1", "Level 2"), since=T0)


def tail_threads() -> list[threading.Thread]:
    """The live-tail threads still running (the source names its thread; one source per test)."""
    return [t for t in threading.enumerate() if t.name == "gcp-log-tail"]


def drain(source, n: int, timeout: float = 10.0) -> list[str]:
    """poll() until n entries came (poll never blocks); their insertIds in order."""
    got: list[str] = []

    def enough() -> bool:
        got.extend(e.insert_id for e in source.poll())
        return len(got) >= n

    wait_until(enough, timeout, what=f"{n} entries (got {got})")
    return got


@pytest.fixture
def make_source(fake_logging, tail_client, logging_client):
    made: list[GcpTailSource] = []

    def make(**kw) -> GcpTailSource:
        kw.setdefault("list_client", logging_client)
        kw.setdefault("clock", FixedClock(T0 + timedelta(minutes=5)))
        kw.setdefault("backoff", Backoff(base=0.05, cap=0.2))
        source = GcpTailSource(tail_client, TEST_PROJECT, QUERY, **kw)
        made.append(source)
        return source

    yield make
    for source in made:
        source.close()
    # The next test starts with no stream of ours still open on the session's server.
    wait_until(lambda: fake_logging.tail_subscriber_count == 0, what="streams to close")


def test_backfill_then_live_entries_arrive_through_poll_without_repeats(fake_logging, make_source):
    fake_logging.add_entries(
        [
            entry("h1", "📋 Level 1: team processors", 10),
            entry("h2", "✅ Level 1 complete", 20),
            entry("zz", "Starting processor", 30),
        ]
    )  # not a Level line
    source = make_source()
    assert fake_logging.wait_for_tail_subscribers(1, timeout=10)
    assert drain(source, 2) == ["h1", "h2"]  # the backfill, so the screen is not empty
    assert fake_logging.received_filters == [QUERY.to_filter()]
    assert fake_logging.tail_requests[0]["filter"] == QUERY.to_filter()
    assert "live tail" in source.describe()

    # The stream repeating a backfilled entry shows only what is new.
    fake_logging.push_tail([entry("h2", "✅ Level 1 complete", 20), entry("s1", "📋 Level 2: player processors", 40)])
    assert drain(source, 1) == ["s1"]
    assert source.poll() == [] and source.error is None and source.backfilled == 2


def test_a_server_ended_stream_reconnects_and_drops_the_replayed_overlap(fake_logging, make_source):
    source = make_source()
    assert fake_logging.wait_for_tail_subscribers(1, timeout=10)
    fake_logging.push_tail([entry("r1", "📋 Level 1: team processors", 1)])
    assert drain(source, 1) == ["r1"]

    fake_logging.end_tail_streams()
    assert fake_logging.wait_for_tail_subscriptions(2), "the source did not reconnect"
    fake_logging.push_tail([entry("r1", "📋 Level 1: team processors", 1), entry("r2", "✅ Level 1 complete", 2)])
    assert drain(source, 1) == ["r2"]
    assert source.poll() == []
    assert source.connects == 2 and source.backfilled == 0  # history fetched on the first connect only
    assert len(fake_logging.list_requests) == 1


def test_a_429_sets_error_backs_off_and_recovers(fake_logging, make_source):
    fake_logging.fail_next_tail(1, status=429)
    source = make_source(backoff=Backoff(base=0.5, cap=1.0, rng=lambda: 1.0))
    wait_until(lambda: source.error is not None, what="the 429 to be reported")
    assert "quota" in source.error and "reconnecting in" in source.error
    assert fake_logging.wait_for_tail_subscriptions(1), "the source did not reconnect"
    assert source.delays == [0.5]  # one back-off (base, no jitter) before the second stream
    assert len(fake_logging.tail_requests) == 2
    assert source.error is not None  # still disconnected as far as we know: no response yet

    fake_logging.push_tail([entry("q1", "📋 Level 1: team processors", 1)])
    assert drain(source, 1) == ["q1"]
    assert source.error is None


def test_close_ends_the_server_side_stream_promptly(fake_logging, make_source):
    source = make_source()
    assert fake_logging.wait_for_tail_subscribers(1, timeout=10)
    assert fake_logging.tail_subscriber_count == 1
    started = time.monotonic()
    source.close()  # the stream is idle: should_stop alone would never be looked at
    took = time.monotonic() - started
    wait_until(lambda: fake_logging.tail_subscriber_count == 0, timeout=5, what="the server to see the stream end")
    assert not tail_threads()
    assert took < 5  # close() did not wait out its join timeout
    assert source.poll() == []


def test_close_during_a_back_off_returns_at_once(fake_logging, make_source):
    fake_logging.fail_next_tail(1, status=503)
    source = make_source(backoff=Backoff(base=30, cap=30, rng=lambda: 1.0))
    wait_until(lambda: source.error is not None, what="the failure")
    started = time.monotonic()
    source.close()
    assert not tail_threads() and time.monotonic() - started < 5
    assert len(fake_logging.tail_requests) == 1


def test_falls_back_to_polling_when_the_tail_is_unimplemented(fake_logging, make_source, logging_client):
    fake_logging.tail_unimplemented = True
    fake_logging.add_entries([entry("f1", "📋 Level 1: team processors", 10)])
    made = []

    def fallback(dedupe):
        poller = GcpLogSource(
            logging_client, TEST_PROJECT, QUERY, clock=FixedClock(T0 + timedelta(minutes=5)), poll_interval=0.05
        )
        poller.dedupe = dedupe
        made.append(poller)
        return poller

    source = make_source(fallback=fallback)
    wait_until(lambda: source.fallback is not None, what="the fallback")
    assert "polling" in source.describe() and "live tail unavailable" in source.describe()
    assert drain(source, 1) == ["f1"]  # from the backfill; the poller does not repeat it
    fake_logging.add_entries([entry("f2", "✅ Level 1 complete", 20)])
    assert drain(source, 1) == ["f2"]  # from polling entries:list
    assert made and len(fake_logging.list_requests) >= 2
    assert fake_logging.tail_subscriber_count == 0 and not tail_threads()


# ------------------------------------------------------------------ the wiring


@pytest.fixture
def gcp_env(fake_logging, monkeypatch):
    """The console's own client factory pointed at the fake server, as a user would by hand."""
    from console.backends.gcp_clients import LOGGING_ENDPOINT_ENV, LOGGING_GRPC_ENV

    monkeypatch.setenv(LOGGING_ENDPOINT_ENV, fake_logging.http_endpoint)
    monkeypatch.setenv(LOGGING_GRPC_ENV, fake_logging.grpc_target)
    yield fake_logging
    wait_until(lambda: fake_logging.tail_subscriber_count == 0, what="streams to close")


def test_open_log_source_on_gcp_is_the_live_tail(gcp_env):
    from console.backends.log_stream import open_log_source
    from console.core.config import load_settings

    gcp_env.add_entries([entry("w0", "📋 Level 1: team processors", 10)])
    settings = load_settings(backend="gcp", project=TEST_PROJECT)
    source = open_log_source(settings, FixedClock(T0 + timedelta(minutes=5)), QUERY)
    try:
        assert isinstance(source, GcpTailSource) and "live tail" in source.describe()
        assert gcp_env.wait_for_tail_subscribers(1, timeout=10)
        gcp_env.push_tail([entry("w1", "✅ Level 1 complete", 20)])
        assert drain(source, 2) == ["w0", "w1"]
    finally:
        source.close()


def test_the_tail_command_on_gcp_follows_the_stream(gcp_env, monkeypatch):
    import io
    import threading

    from console.cli import build_parser
    from console.cli.logs_command import _Out, cmd_tail

    now = datetime.now(UTC)  # the command's --since counts back from the real clock

    def recent(i, text, ago):
        return make_entry(
            text, project=TEST_PROJECT, service_name=SERVICE, timestamp=now - timedelta(seconds=ago), insert_id=i
        )

    gcp_env.add_entries([recent("c0", "📋 Level 1: team processors", 60), recent("old", "📋 Level 1: older", 3600)])
    args = build_parser().parse_args(
        [
            "--backend",
            "gcp",
            "--project",
            TEST_PROJECT,
            "tail",
            "--service",
            SERVICE,
            "--grep",
            "Level 1",
            "--grep",
            "Level 2",
            "--since",
            "30m",
        ]
    )
    stream = io.StringIO()
    done = threading.Event()

    class Enough(Exception):
        pass

    def sleep(seconds):  # the command's idle wait: ends it once both lines are out
        if stream.getvalue().count("\n") >= 2:
            raise Enough
        time.sleep(0.02)

    def run():
        try:
            cmd_tail(args, _Out(stream), sleep)
        except Enough:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    assert gcp_env.wait_for_tail_subscribers(1, timeout=10)
    gcp_env.push_tail([recent("c0", "📋 Level 1: team processors", 60), recent("c1", "✅ Level 2 complete", 1)])
    assert done.wait(10), stream.getvalue()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "Level 1: team processors" in lines[0] and "Level 2 complete" in lines[1]
    assert gcp_env.tail_requests[0]["filter"].startswith(f'resource.labels.service_name="{SERVICE}"')
