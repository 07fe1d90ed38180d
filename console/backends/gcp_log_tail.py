"""Cloud Logging as a live log source: the TailLogEntries stream, with polling as a fallback.

`GcpTailSource` runs `tail_entries` (backends/gcp_logs.py) in a daemon thread and hands
entries to the screen through a bounded queue, so `poll()` never blocks. The thread owns
reconnecting: a stream the service ends (it closes tail sessions after a while) is re-opened
at once, a failed one after the shared jittered `Backoff`, and one `Deduper` spans every
connection so the overlap a reconnect replays is dropped. On the first connection the
recent history is fetched once with `list_entries`, so the screen does not start empty.
Where the tail itself is refused (UNIMPLEMENTED, e.g. a proxy or emulator without it, or
permission denied on `logging.logEntries.tail`), the source falls back to the polling
`GcpLogSource` and says so in `describe()`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from console.backends.gcp_log_source import Backoff, GcpLogSource
from console.core.clock import Clock, SystemClock
from console.core.errors import ErrorKind, SourceError
from console.core.models import LogEntry
from console.logs.dedupe import Deduper
from console.logs.query import LogQuery

DEFAULT_BACKFILL = timedelta(minutes=10)


def _tail_refused(err: SourceError) -> bool:
    """The tail endpoint will not work however long we wait: use polling instead."""
    if err.kind is ErrorKind.PERMISSION:
        return True
    cause = err.__cause__
    code = getattr(cause, "grpc_status_code", None) or getattr(cause, "code", None)
    return getattr(code, "name", None) == "UNIMPLEMENTED" or type(cause).__name__ == "MethodNotImplemented"


class GcpTailSource:
    """LogSource over TailLogEntries: `poll()` drains what the stream thread queued."""

    def __init__(
        self,
        tail_client: Any,
        project: str,
        query: LogQuery | None = None,
        *,
        list_client: Any = None,
        clock: Clock | None = None,
        backfill: timedelta = DEFAULT_BACKFILL,
        backoff: Backoff | None = None,
        queue_size: int = 10_000,
        max_per_poll: int = 5_000,
        fallback: Callable[[Deduper], Any] | None = None,
        start: bool = True,
        timeout_s: float = 60.0,
    ):
        self.tail_client = tail_client
        self.list_client = list_client
        self.project = project
        self.query = query or LogQuery()
        self.clock = clock or SystemClock()
        self.backfill = backfill
        self.backoff = backoff or Backoff()
        self.max_per_poll = max_per_poll
        self._make_fallback = fallback
        self.timeout_s = timeout_s  # the backfill's bound (gcp.query_timeout_s)
        # One Deduper for the backfill, every stream and the fallback. Passed explicitly
        # everywhere: an empty Deduper is falsy (it has __len__), so `x or Deduper()` would
        # silently swap it for a fresh one.
        self.dedupe = Deduper()
        self._queue: queue.Queue[LogEntry] = queue.Queue(maxsize=queue_size)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._call: Any = None  # the open gRPC call, cancelled by close()
        self._error: str | None = None
        self.fallback: Any = None  # the polling source, once the tail was refused
        self.fallback_reason: str | None = None
        # Figures for tests and the status line.
        self.connects = 0
        self.backfilled = 0
        self.delays: list[float] = []
        self._thread = threading.Thread(target=self._run, name="gcp-log-tail", daemon=True)
        if start:
            self._thread.start()

    # ------------------------------------------------------------------ LogSource
    @property
    def error(self) -> str | None:
        if self.fallback is not None:
            return getattr(self.fallback, "error", None)
        return self._error

    def poll(self) -> list[LogEntry]:
        out: list[LogEntry] = []
        while len(out) < self.max_per_poll:
            try:
                out.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if self.fallback is not None:
            out.extend(self.fallback.poll())
        return out

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            call = self._call
        if call is not None:
            _cancel(call)
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        if self.fallback is not None:
            self.fallback.close()

    def describe(self) -> str:
        flt = self.query.to_filter() or "(all)"
        if self.fallback is not None:
            return f"Cloud Logging {self.project} (polling; live tail unavailable: {self.fallback_reason}): {flt}"
        return f"Cloud Logging {self.project} (live tail): {flt}"

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        from console.backends.gcp_logs import tail_entries

        flt = self.query.to_filter()
        while not self._stop.is_set():
            got_any = False
            try:
                for entry in tail_entries(
                    self.tail_client,
                    self.project,
                    flt,
                    should_stop=self._stop.is_set,
                    dedupe=self.dedupe,
                    on_stream=self._opened,
                ):
                    if not got_any:
                        got_any = True
                        self.backoff.success()
                        self._error = None
                    if self.query.matches(entry):
                        self._put(entry)
            except SourceError as err:
                if self._stop.is_set():
                    return  # close() cancelled the call; the CANCELLED error is ours
                if _tail_refused(err) and self._make_fallback is not None:
                    self._fall_back(self._make_fallback, str(err))
                    return
                self._wait(str(err))
                continue
            except Exception as err:  # noqa: BLE001 - the thread must never die silently
                if self._stop.is_set():
                    return
                self._wait(f"log tail: {type(err).__name__}: {err}")
                continue
            finally:
                with self._lock:
                    self._call = None
            # The service ended the stream. A stream that gave something is re-opened at
            # once; one that ended empty might be a loop of instant ends, so it backs off.
            if not got_any and not self._stop.is_set():
                self._wait(None)

    def _opened(self, call: Any) -> None:
        with self._lock:
            self._call = call
        if self._stop.is_set():  # close() ran before we had a call to cancel
            _cancel(call)
            return
        self.connects += 1
        if self.connects == 1:
            self._backfill()

    def _backfill(self) -> None:
        """Once, after the stream is open (so nothing falls between the two): the recent
        history from list_entries, through the shared Deduper the stream then consults."""
        if self.list_client is None:
            return
        from console.backends.gcp_logs import fetch_entries
        from console.core.deadline import run_with_deadline

        flt = self.query.with_(since=self.query.since or (self.clock.now() - self.backfill)).to_filter()
        # Bounded by gcp.query_timeout_s: a listing server that accepts and never answers
        # would otherwise hold the stream (and the first error) for the HTTP client's 60 s.
        # The listing de-duplicates on its own Deduper, merged below only if it finished in
        # time: a listing abandoned at the deadline must not mark entries as already shown.
        try:
            finished, entries = run_with_deadline(
                lambda: fetch_entries(self.list_client, self.project, flt, attempts=1, dedupe=Deduper()),
                self.timeout_s,
                self.timeout_s,
                name="logs backfill",
            )
        except SourceError as err:
            self._error = f"recent history not loaded: {err}"
            return
        if not finished:
            self._error = (
                f"recent history not loaded: Cloud Logging did not answer within "
                f"{self.timeout_s:g} s (gcp.query_timeout_s)"
            )
            return
        for entry in entries:
            if self.query.matches(entry) and not self.dedupe.seen(entry):
                self._put(entry)
                self.backfilled += 1

    def _put(self, entry: LogEntry) -> None:
        # Bounded: when the screen stops draining, the stream thread waits (and gRPC flow
        # control slows the server) instead of memory growing; close() still ends it.
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=0.1)
                return
            except queue.Full:
                continue

    def _wait(self, message: str | None) -> None:
        delay = self.backoff.failure()
        self.delays.append(delay)
        if message:
            self._error = f"{message}; reconnecting in {delay:.0f}s"
        self._stop.wait(delay)  # close() interrupts it

    def _fall_back(self, make: Callable[[Deduper], Any], reason: str) -> None:
        self.fallback_reason = reason
        self.fallback = make(self.dedupe)
        self._error = None


def _cancel(call: Any) -> None:
    cancel = getattr(call, "cancel", None)
    if callable(cancel):
        try:
            cancel()
        except Exception:  # noqa: BLE001, S110 - cancelling a finished call is harmless
            pass


def open_gcp_tail(settings, query: LogQuery | None, clock: Clock | None = None, factory: Any = None) -> GcpTailSource:
    """The live source for the TUI and `nba-console tail`; clients from the one factory
    (which honours NBA_CONSOLE_LOGGING_GRPC / NBA_CONSOLE_LOGGING_ENDPOINT)."""
    from console.backends.gcp_clients import ClientFactory

    factory = factory or ClientFactory(settings.project)
    list_client = factory.logging()
    tail_client = factory.logging_tail()
    query = query or LogQuery()

    def fallback(dedupe: Deduper) -> GcpLogSource:
        source = GcpLogSource(
            list_client,
            settings.project,
            query,
            clock=clock,
            poll_interval=settings.logs.gcp_poll_seconds,
            timeout_s=settings.gcp.query_timeout_s,
        )
        source.dedupe = dedupe  # what the backfill already showed is not shown again
        return source

    return GcpTailSource(
        tail_client,
        settings.project,
        query,
        list_client=list_client,
        clock=clock,
        fallback=fallback,
        timeout_s=settings.gcp.query_timeout_s,
    )
