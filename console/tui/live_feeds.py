"""Live feeds of the console, between refreshes: a log stream (the check with a `LogFeed`:
the sequential trace and its alerts) and pushed document changes (the checks with a
`DocumentFeed`: Firestore on_snapshot for Phase 3). Which check follows what is the checks'
own `live` hook (panels/spec.py), found through panels/dispatch.py: no check is named here.

An object the app owns (not a mixin): it takes what it needs in its constructor, runs its
feeds in the owner's thread workers and hands what they find to the owner as messages
(`ResultPushed`, `LiveTraceUpdated`; post_message never blocks). `start` follows a game
date and stops the feeds of the previous one; `stop` ends them all (the app unmounting).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, Protocol

from textual import log
from textual.dom import DOMNode
from textual.worker import get_current_worker

from console.core.backend import Backend
from console.core.clock import Clock
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.errors import SourceError, first_line
from console.core.freshness import with_data_at
from console.core.models import CheckResult, Status
from console.logs.live_trace import LiveTrace
from console.logs.query import LogQuery
from console.logs.source import LogSource
from console.tui.messages import LiveTraceUpdated, ResultPushed
from panels.dispatch import live_feeds, log_feed
from panels.spec import CheckSpec, DocumentFeed

IDLE_POLL_MAX = 1.0  # seconds between two polls of a still log stream
LogSourceFactory = Callable[..., LogSource]  # (settings, clock[, query]) -> an open source


class Subscription(Protocol):
    def unsubscribe(self) -> None: ...


@dataclass
class _Run:
    """The feeds of one game date: stopped together when the date changes."""

    game_date: date
    generation: int
    stop: threading.Event = field(default_factory=threading.Event)
    watches: list[Subscription] = field(default_factory=list)  # live document listeners (gcp)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stopped(self) -> bool:
        return self.stop.is_set()

    def close(self) -> None:
        self.stop.set()
        with self.lock:
            handles, self.watches = self.watches, []
        for handle in handles:
            try:
                handle.unsubscribe()
            except Exception as exc:  # noqa: BLE001 - a listener that will not close must not block the UI
                log.warning(f"unsubscribe: {exc!r}")


def _error_result(spec: CheckSpec[Any], message: str) -> CheckResult:
    return CheckResult(id=spec.id, title=spec.title, status=Status.ERROR, summary=message, error=message)


class LiveFeeds:
    def __init__(
        self,
        owner: DOMNode,
        settings: Settings,
        clock: Clock,
        open_log_source: LogSourceFactory,
        backend: Callable[[], Backend],
    ) -> None:
        """`owner` runs the workers and receives the messages (the app); `backend` is called
        in the workers only (it may open the source)."""
        self.owner, self.settings, self.clock = owner, settings, clock
        self.open_log_source, self.backend = open_log_source, backend
        self._run: _Run | None = None

    def start(self, game_date: date, generation: int) -> None:
        """Follow `game_date` (its processing morning's logs, its Phase 3 document); the
        feeds of the date shown before stop."""
        self.stop()
        run = self._run = _Run(game_date, generation)
        self.owner.workers.cancel_group(self.owner, "live-trace")
        self.owner.run_worker(
            partial(self._trace_job, run), thread=True, name="live trace", group="live-trace", exit_on_error=False
        )
        self.owner.run_worker(
            partial(self._document_job, run), thread=True, name="phase3 watch", group="doc-watch", exit_on_error=False
        )

    def stop(self) -> None:
        if self._run is not None:
            self._run.close()
            self._run = None

    # ------------------------------------------------------------------ live sequential trace

    def _trace_job(self, run: _Run) -> None:
        """Follow the analytics service's log stream for the shown morning, so the sequential
        panel moves as Level lines arrive and a violation is announced at once."""
        worker = get_current_worker()
        settings = self.settings
        found = log_feed()
        if found is None:
            return  # no check follows a log stream
        spec, feed = found
        day = run.game_date + settings.processing_offset
        source = self.open_log_source(settings, self.clock, LogQuery(service=feed.service(settings)))
        trace = LiveTrace(settings, day)

        # Stops on cancel, on a date change and when the app unmounts: a thread still polling
        # at exit would keep the event loop's executor (and the process) from shutting down.
        def stopped() -> bool:
            return worker.is_cancelled or run.stopped()

        wait = settings.logs.poll_seconds
        try:
            while not stopped():
                try:
                    batch = source.poll()
                    update = trace.feed(batch) if batch else None
                    verdict = update.verdict if update is not None else None
                    result = None
                    if verdict is not None:  # the panel's data age: the newest line
                        result = feed.judge(verdict.status, verdict.summary, verdict.value)
                        result = with_data_at(result, [max(e.timestamp for e in batch)])
                except Exception as exc:  # noqa: BLE001 - data must not end the stream: a panel error
                    message = f"live log stream: {type(exc).__name__}: {first_line(exc)}"
                    self.owner.post_message(ResultPushed(spec.id, _error_result(spec, message), run.game_date))
                    run.stop.wait(max(settings.logs.poll_seconds, 5.0))
                    continue
                if update is not None and (result is not None or update.alerts) and not stopped():
                    # post_message never blocks (call_from_thread would, and can hang at exit).
                    self.owner.post_message(LiveTraceUpdated(update, run.generation, result, spec.title))
                if batch:
                    wait = settings.logs.poll_seconds
                else:
                    run.stop.wait(wait)
                    # While nothing arrives the polls space out (doubling, up to IDLE_POLL_MAX
                    # or the configured interval if longer): an idle console stays under 1 %
                    # of a core. The first new entry brings the interval back.
                    wait = min(wait * 2, max(settings.logs.poll_seconds, IDLE_POLL_MAX))
        finally:
            source.close()

    # ------------------------------------------------------------------ live Phase 3 document

    def _document_job(self, run: _Run) -> None:
        """Where the backend can push document changes (Firestore on_snapshot on gcp), a check
        with a DocumentFeed follows them at once instead of waiting for its next refresh."""
        backend = self.backend()
        watch = getattr(backend, "watch_document", None)
        if watch is None:
            return  # the local backend: refreshes re-read the document file
        for spec, feed in live_feeds():
            if isinstance(feed, DocumentFeed):
                self._watch_document(run, watch, backend, spec, feed)

    def _watch_document(
        self, run: _Run, watch: Callable[..., Subscription], backend: Backend, spec: CheckSpec[Any], feed: DocumentFeed
    ) -> None:
        game_date = run.game_date

        def changed(fields: dict[str, Any] | None) -> None:
            ctx = CheckContext(settings=self.settings, game_date=game_date, as_of=self.clock.now())
            try:
                result = feed.judge(fields, ctx, backend)
            except SourceError as exc:  # a malformed document: an error on the panel, not a dead listener
                failed(exc)
                return
            self.owner.post_message(ResultPushed(spec.id, result, game_date))

        def failed(error: SourceError) -> None:
            self.owner.post_message(ResultPushed(spec.id, _error_result(spec, f"live listener: {error}"), game_date))

        ctx = CheckContext(settings=self.settings, game_date=game_date, as_of=self.clock.now())
        handle = watch(feed.collection, feed.document(ctx), changed, failed)
        with run.lock:
            run.watches.append(handle)
        if run.stopped():  # the date changed while the listener was opening
            run.close()
