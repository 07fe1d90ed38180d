"""Live feeds of the console, between refreshes: the analytics log stream (the sequential
panel and its alerts) and pushed document changes (Firestore on_snapshot for Phase 3).

A mixin of NbaConsoleApp: it uses the app's settings, clock, generation, states and backend.
Both feeds run in thread workers that post messages (never block on the UI thread), stop
when the date changes and when the app unmounts.
"""

from __future__ import annotations

import threading
from datetime import date
from functools import partial

from textual import log
from textual.message import Message
from textual.worker import get_current_worker

from console.core.context import CheckContext
from console.core.errors import SourceError, first_line
from console.core.freshness import with_data_at
from console.core.models import CheckResult, Status
from console.logs.live_trace import LiveTrace, TraceUpdate
from console.logs.query import LogQuery
from panels.phase3 import PHASE3_COLLECTION, phase3_from_fields

IDLE_POLL_MAX = 1.0  # seconds between two polls of a still log stream


class LiveFeeds:
    def _init_live_feeds(self) -> None:
        self._live_stop = threading.Event()
        self._watches: list[object] = []  # live document listeners (gcp), unsubscribed on change
        self._watch_lock = threading.Lock()

    def start_live_feeds(self) -> None:
        self.start_live_trace()
        self.start_document_watch()

    def stop_live_feeds(self) -> None:
        self._live_stop.set()
        self._stop_watches()

    # ------------------------------------------------------------------ live sequential trace

    # The log screen leaves notifications and panel updates to the app's own stream.
    owns_live_trace = True

    def start_live_trace(self) -> None:
        """Follow the analytics service's log stream for the shown morning, so the sequential
        panel moves as Level lines arrive and a violation is announced at once, between
        refreshes."""
        self.workers.cancel_group(self, "live-trace")
        if self.processing_date is None:
            return
        self.run_worker(
            partial(self._live_trace_job, self.processing_date, self.generation),
            thread=True,
            name="live trace",
            group="live-trace",
            exit_on_error=False,
        )

    def _live_trace_job(self, day: date, generation: int) -> None:
        worker = get_current_worker()
        source = self.log_source_factory(self.settings, self.clock, LogQuery(service=self.settings.services.analytics))
        trace = LiveTrace(self.settings, day)

        # Stops on cancel, on a date change and when the app unmounts: a thread still polling
        # at exit would keep the event loop's executor (and the process) from shutting down.
        def stopped() -> bool:
            return worker.is_cancelled or self._live_stop.is_set() or generation != self.generation

        wait = self.settings.logs.poll_seconds
        try:
            while not stopped():
                try:
                    batch = source.poll()
                    update = trace.feed(batch) if batch else None
                    if update is not None and update.result is not None:  # the panel's data age: the newest line
                        update.result = with_data_at(update.result, [max(e.timestamp for e in batch)])
                except Exception as exc:  # noqa: BLE001 - data must not end the stream: a panel error
                    message = f"live log stream: {type(exc).__name__}: {first_line(exc)}"
                    self.post_message(
                        self.ResultPushed(
                            "sequential_execution",
                            CheckResult(
                                id="sequential_execution",
                                title="Sequential execution",
                                status=Status.ERROR,
                                summary=message,
                                error=message,
                            ),
                            day - self.settings.processing_offset,
                        )
                    )
                    self._live_stop.wait(max(self.settings.logs.poll_seconds, 5.0))
                    continue
                if update is not None and (update.result is not None or update.alerts) and not worker.is_cancelled:
                    # post_message never blocks (call_from_thread would, and can hang at exit).
                    self.post_message(self.LiveTraceUpdated(update, generation))
                if batch:
                    wait = self.settings.logs.poll_seconds
                else:
                    self._live_stop.wait(wait)
                    # While nothing arrives the polls space out (doubling, up to IDLE_POLL_MAX
                    # or the configured interval if longer): an idle console stays under 1 %
                    # of a core. The first new entry brings the interval back.
                    wait = min(wait * 2, max(self.settings.logs.poll_seconds, IDLE_POLL_MAX))
        finally:
            source.close()

    class LiveTraceUpdated(Message):
        def __init__(self, update: TraceUpdate, generation: int) -> None:
            super().__init__()
            self.update, self.generation = update, generation

    def on_live_feeds_live_trace_updated(self, message: LiveTraceUpdated) -> None:
        update = message.update
        if message.generation != self.generation:
            return  # the user moved to another date meanwhile
        for alert in update.alerts:
            if self.first_telling(alert.message):  # not again when the user comes back to the date
                self.notify(alert.message, title="Sequential execution", severity="error", timeout=30)
        if update.result is not None:
            # A violation was just announced above: the status change is not told twice.
            self.apply_result("sequential_execution", update.result, announce=not update.alerts)
            self.redraw()

    # ------------------------------------------------------------------ live Phase 3 document

    def start_document_watch(self) -> None:
        """Where the backend can push document changes (Firestore on_snapshot on gcp), the
        Phase 3 panel follows them at once instead of waiting for its next refresh."""
        self._stop_watches()
        if self.game_date is None:
            return
        self.run_worker(
            partial(self._open_document_watch, self.game_date, self.generation),
            thread=True,
            name="phase3 watch",
            group="doc-watch",
            exit_on_error=False,
        )

    def _open_document_watch(self, game_date: date, generation: int) -> None:
        watch = getattr(self.backend(), "watch_document", None)
        if watch is None:
            return  # the local backend: refreshes re-read the document file

        def changed(fields) -> None:
            ctx = CheckContext(settings=self.settings, game_date=game_date, as_of=self.clock.now())
            # With the backend: past the deadline an incomplete document is judged overdue,
            # as the refresh judges it (whether there were games is remembered from it).
            try:
                result = phase3_from_fields(fields, ctx, self.backend())
            except SourceError as exc:  # a malformed document: an error on the panel, not a dead listener
                failed(exc)
                return
            self.post_message(self.ResultPushed("phase3_completion", result, game_date))

        def failed(error: SourceError) -> None:
            message = f"live listener: {error}"
            self.post_message(
                self.ResultPushed(
                    "phase3_completion",
                    CheckResult(
                        id="phase3_completion",
                        title="Phase 3 completion",
                        status=Status.ERROR,
                        summary=message,
                        error=message,
                    ),
                    game_date,
                )
            )

        handle = watch(PHASE3_COLLECTION, (game_date + self.settings.processing_offset).isoformat(), changed, failed)
        with self._watch_lock:
            self._watches.append(handle)
        if generation != self.generation:  # the date changed while the listener was opening
            self._stop_watches()

    def _stop_watches(self) -> None:
        with self._watch_lock:
            handles, self._watches = self._watches, []
        for handle in handles:
            try:
                handle.unsubscribe()
            except Exception as exc:  # noqa: BLE001 - a listener that will not close must not block the UI
                log.warning(f"unsubscribe: {exc!r}")
