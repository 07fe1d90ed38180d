"""The Cloud Logging source against a fake client: cursor, de-dup, 429 back-off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console.backends.gcp_log_source import Backoff, GcpLogSource, is_rate_limited
from console.core.clock import FixedClock
from console.logs.query import LogQuery

T0 = datetime(2026, 2, 5, 12, tzinfo=UTC)


class TooManyRequests(Exception):
    code = 429


def raw(i: int, text: str = "x") -> dict:
    return {
        "insertId": f"id{i}",
        "timestamp": (T0 + timedelta(seconds=i)).isoformat().replace("+00:00", "Z"),
        "severity": "INFO",
        "textPayload": f"{text} {i}",
        "resource": {"labels": {"service_name": "nba-phase3-analytics-processors"}},
    }


class FakeClient:
    def __init__(self, pages):
        self.pages = list(pages)
        self.calls = []

    def list_entries(self, **kwargs):
        self.calls.append(kwargs)
        page = self.pages.pop(0) if self.pages else []
        if isinstance(page, Exception):
            raise page
        return iter(page)


class Ticker:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def source(client, ticker, **kw):
    q = LogQuery(service="nba-phase3-analytics-processors", since=T0)
    return GcpLogSource(
        client,
        "p",
        q,
        clock=FixedClock(T0),
        monotonic=ticker,
        poll_interval=5,
        lag=timedelta(seconds=30),
        backoff=Backoff(rng=lambda: 1.0),
        **kw,
    )


def test_polls_with_a_cursor_and_drops_duplicates():
    client = FakeClient([[raw(1), raw(2)], [raw(2), raw(3)]])
    t = Ticker()
    src = source(client, t)
    assert [e.insert_id for e in src.poll()] == ["id1", "id2"]
    assert client.calls[0]["filter_"].endswith('timestamp>="2026-02-05T12:00:00Z"')
    assert client.calls[0]["resource_names"] == ["projects/p"]
    assert src.poll() == []  # before the poll interval: no request
    t.t = 5
    assert [e.insert_id for e in src.poll()] == ["id3"]
    # Second request re-asks for the last 30 s before the cursor (late arrivals), but not before `since`.
    assert 'timestamp>="2026-02-05T12:00:00Z"' in client.calls[1]["filter_"]


def test_cursor_moves_forward_minus_lag():
    client = FakeClient([[raw(100)], []])
    t = Ticker()
    src = source(client, t)
    src.poll()
    t.t = 5
    src.poll()
    assert 'timestamp>="2026-02-05T12:01:10Z"' in client.calls[1]["filter_"]


def test_429_backs_off_exponentially_then_recovers():
    client = FakeClient([TooManyRequests("slow down"), TooManyRequests("slow down"), [raw(1)]])
    t = Ticker()
    src = source(client, t)
    assert src.poll() == [] and "429" in src.error
    assert src.poll() == []  # still backing off: no request made
    assert len(client.calls) == 1
    t.t = 1.0  # first wait: base 1 s
    assert src.poll() == [] and len(client.calls) == 2
    t.t = 2.9  # second wait: 2 s
    assert src.poll() == [] and len(client.calls) == 2
    t.t = 3.0
    assert [e.insert_id for e in src.poll()] == ["id1"]
    assert src.error is None and src.backoff.attempts == 0


def test_other_errors_are_reported_not_raised():
    client = FakeClient([PermissionError("denied")])
    src = source(client, Ticker())
    assert src.poll() == []
    assert "PermissionError" in src.error


def test_full_page_is_followed_at_once_from_the_cursor():
    client = FakeClient([[raw(1), raw(2)], [raw(3)]])
    t = Ticker()
    src = source(client, t, max_per_poll=2)
    src.poll()
    assert [e.insert_id for e in src.poll()] == ["id3"]  # no wait after a full page
    assert 'timestamp>="2026-02-05T12:00:02Z"' in client.calls[1]["filter_"]


def test_backoff_is_capped_and_rate_limit_detection():
    b = Backoff(base=1, factor=2, cap=10, rng=lambda: 1.0)
    assert [b.failure() for _ in range(6)] == [1, 2, 4, 8, 10, 10]
    assert is_rate_limited(TooManyRequests()) and not is_rate_limited(ValueError())
