"""Cloud Logging as a log source: `list_entries` polled with a timestamp cursor.

Written against google-cloud-logging's public `Client.list_entries`; the client is
injected (the real one, one pointed at the test server, or a fake), so the cursor,
de-duplication and back-off logic here is testable without a network. The live screens use
the TailLogEntries stream (source_gcp_tail.py); this polling source is its fallback where the
tail is refused, and `tail --no-follow`'s one listing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from console.core.backoff import BackoffPolicy, full_jitter_floor_half
from console.core.clock import Clock, SystemClock
from console.core.deadline import run_with_deadline
from console.core.models import LogEntry
from console.logs.dedupe import Deduper
from console.logs.parse import entry_from_dict
from console.logs.query import LogQuery

ASCENDING = "timestamp asc"  # google.cloud.logging.ASCENDING


@dataclass
class Backoff:
    """The sources' back-off state (they are polled, so they schedule their next try rather
    than sleep): `failure()` returns the wait before the next try, from the one policy
    (core/backoff.py) with a jitter between half and all of the ceiling."""

    base: float = 1.0
    factor: float = 2.0
    cap: float = 60.0
    rng: Callable[[], float] = field(default=random.random)
    attempts: int = 0

    def failure(self) -> float:
        self.attempts += 1
        # Never less than half the ceiling: a burst of 429s must actually slow us down.
        policy = BackoffPolicy(self.base, self.factor, self.cap, full_jitter_floor_half(self.rng))
        return policy.delay(self.attempts)

    def success(self) -> None:
        self.attempts = 0


def is_rate_limited(exc: BaseException) -> bool:
    """HTTP 429 (TooManyRequests) or gRPC RESOURCE_EXHAUSTED; both carry code 429 in api_core."""
    return getattr(exc, "code", None) == 429 or type(exc).__name__ in ("TooManyRequests", "ResourceExhausted")


def _as_dict(item: Any) -> Any:
    if isinstance(item, dict):
        return item
    to_api = getattr(item, "to_api_repr", None)
    return to_api() if callable(to_api) else None


class GcpLogSource:
    def __init__(
        self,
        client: Any,
        project: str,
        query: LogQuery | None = None,
        clock: Clock | None = None,
        poll_interval: float = 5.0,
        lag: timedelta = timedelta(seconds=30),
        max_per_poll: int = 1000,
        default_since: timedelta = timedelta(minutes=10),
        monotonic: Callable[[], float] = time.monotonic,
        backoff: Backoff | None = None,
        follow: bool = True,
        timeout_s: float = 60.0,
    ):
        self.client = client
        self.project = project
        self.query = query or LogQuery()
        self.clock = clock or SystemClock()
        self.poll_interval = poll_interval
        # Entries can land a little after their timestamp; re-asking for the last `lag`
        # and de-duplicating by insertId catches them without repeating lines.
        self.lag = lag
        self.max_per_poll = max_per_poll
        self.monotonic = monotonic
        self.backoff = backoff or Backoff()
        self.dedupe = Deduper()
        self.cursor: datetime = self.query.since or (self.clock.now() - default_since)
        self._not_before = 0.0
        self.error: str | None = None
        self.requests = 0
        self._full = False
        self.follow = follow  # False: one listing (`tail --no-follow`), so no "retrying in" on errors
        # One listing (every page of it) is bounded by gcp.query_timeout_s: the HTTP client's
        # own timeout is 60 s per request, and a server that accepts and never answers would
        # hold `tail --no-follow` (or a screen's poll) that long.
        self.timeout_s = timeout_s

    def next_filter(self) -> str:
        # After a full page, continue exactly from the cursor (the lag window could hold
        # more than a page and we would ask for the same page for ever).
        since = self.cursor if (not self.requests or self._full) else self.cursor - self.lag
        if self.query.since:
            since = max(since, self.query.since)
        return self.query.with_(since=since).to_filter()

    def poll(self) -> list[LogEntry]:
        now = self.monotonic()
        if now < self._not_before:
            return []
        flt = self.next_filter()

        def listing() -> list[Any]:
            items = self.client.list_entries(
                resource_names=[f"projects/{self.project}"],
                filter_=flt,
                order_by=ASCENDING,
                max_results=self.max_per_poll,
            )
            return [_as_dict(i) for i in items]

        try:
            # A listing still running at the deadline is abandoned to its daemon thread (and
            # its socket timeout); what it returns later is dropped with it.
            finished, raw = run_with_deadline(listing, self.timeout_s, self.timeout_s, name="logs listing")
            if not finished:
                raise ListingTimeout(f"Cloud Logging did not answer within {self.timeout_s:g} s (gcp.query_timeout_s)")
        except Exception as exc:  # noqa: BLE001 - a source must never crash the screen
            delay = self.backoff.failure()
            self._not_before = now + (delay if is_rate_limited(exc) else max(delay, self.poll_interval))
            self.error = f"{_one_line(exc)}; retrying in {delay:.0f}s" if self.follow else _one_line(exc)
            return []
        self.requests += 1
        self.backoff.success()
        self.error = None
        entries = [e for e in (entry_from_dict(r) for r in raw) if e is not None and self.query.matches(e)]
        fresh = self.dedupe.fresh(entries)
        if entries:
            self.cursor = max(self.cursor, max(e.timestamp for e in entries))
        # A full page means more is waiting: ask again at once rather than after the interval.
        self._full = len(raw) >= self.max_per_poll
        self._not_before = now if self._full else now + self.poll_interval
        fresh.sort(key=lambda e: e.timestamp)
        return fresh

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return f"Cloud Logging {self.project}: {self.query.to_filter() or '(all)'}"


class ListingTimeout(Exception):
    """One listing did not finish within gcp.query_timeout_s (the message says so)."""


def _one_line(exc: BaseException) -> str:
    """The same one-line message `check` gives for this error (rate limit, auth, refused ...)."""
    if isinstance(exc, ListingTimeout):
        return str(exc)
    if is_rate_limited(exc):
        return "Cloud Logging rate limited (429)"
    try:
        from console.backends.gcp_errors import translate

        return f"Cloud Logging: {translate(exc, 'logging')}"
    except ImportError:  # pragma: no cover - the google libraries are part of the install
        return f"Cloud Logging {type(exc).__name__}: {exc}".splitlines()[0]


def open_gcp_source(settings, query: LogQuery, clock: Clock | None = None, follow: bool = True) -> GcpLogSource:
    from console.backends.gcp_clients import ClientFactory, check_credentials_file  # late: local never loads it
    from console.backends.gcp_errors import translate

    factory = ClientFactory(settings.project)
    try:
        if not factory.logging_endpoint:
            check_credentials_file()
        # The one factory, so NBA_CONSOLE_LOGGING_ENDPOINT reaches `tail --no-follow` too.
        client = factory.logging()
    except Exception as exc:  # no credentials: one line and exit 2, never a traceback
        raise translate(exc, "logging") from exc
    return GcpLogSource(
        client,
        settings.project,
        query,
        clock,
        poll_interval=settings.logs.gcp_poll_seconds,
        follow=follow,
        timeout_s=settings.gcp.query_timeout_s,
    )
