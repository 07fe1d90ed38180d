"""The log screen: a live tail of a LogSource (filter box, pause/follow, a bounded buffer, the
live sequential trace), or an export opened in it (`logs open`, `o`: indexed in the
background, console/logs/export_view.py). Both with the volume strip (`i`), the next / previous
error (`e` / `E`), copy as JSON (`c`), SQL (`;`) and saved filters (`ctrl+s`, `F`); those live
in log_tools.py.

Thin: sources, filtering, the buffer, the index and the trace are pure modules; this file only
draws. The list is a line-API ScrollView, so drawing costs the visible rows, not the rows held.
"""

from __future__ import annotations

import contextlib
import threading
import time

import orjson
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from console.core.models import CheckResult, LogEntry
from console.logs.buffer import LogBuffer
from console.logs.live_trace import LiveTrace, TraceUpdate
from console.logs.parse import entry_to_dict
from console.logs.query import parse_filter_text
from console.tui.gc_tuning import settle_heap
from console.tui.screens.log_tools import LogTools
from console.tui.widgets.console_footer import ConsoleFooter
from console.tui.widgets.log_histogram import LogHistogram
from console.tui.widgets.log_view import FollowChanged, LogView
from panels.dispatch import live_trace_result

# A busy stream is handed to the screen at most this often: polled again right after each
# hand-over, 5,000 entries/s came as ~200 batches of 25 a second, each a UI-thread turn
# (buffer, trace, status, a repaint request) queued ahead of the keys. Batched per frame at
# 30 fps, the screen shows the same entries with a 33 ms delay at most.
DELIVERY_GAP = 1 / 30
HISTOGRAM_SECONDS = 0.5  # the volume strip is rebucketed at most this often (and only when it changed)
EXPORT_PAINT_GAP = 0.1  # an export's loading steps reach the screen at most this often


class EntryScreen(ModalScreen[None]):
    """The whole entry as Cloud Logging holds it (jsonPayload, labels, ids)."""

    HELP_SECTION = (100, "Logs: one entry (enter)")  # where `?` lists its keys

    DEFAULT_CSS = """
    EntryScreen { align: center middle; }
    EntryScreen > Vertical { width: 90%; height: 85%; border: thick $accent; background: $surface; }
    """
    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close")]

    def __init__(self, entry: LogEntry):
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        from rich.syntax import Syntax  # here: most log screens never open an entry (~70 ms of import)

        data = entry_to_dict(self.entry)
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
        with Vertical():
            yield Static(f"{self.entry.severity} {self.entry.service} {self.entry.insert_id}", id="entry-title")
            with VerticalScroll():
                yield Static(Syntax(text, "json", word_wrap=True), id="entry-json")


class LogsScreen(Screen):
    """`LogsScreen(settings, source)`: tails `source` (a LogSource) until dismissed;
    `LogsScreen(settings, export=ExportView(paths))`: shows an export."""

    HELP_SECTION = (80, "Logs (l)")  # where `?` lists its keys

    DEFAULT_CSS = """
    LogsScreen #logs-top { dock: top; height: auto; }
    /* A bad filter is said right under the box it was typed in, whole (it wraps). */
    LogsScreen #logs-filter-error { height: auto; color: $text-error; padding: 0 1; display: none; }
    LogsScreen #logs-filter-error.-shown { display: block; }
    /* In the flow under the list, not docked: a second bottom dock lies under the Footer. */
    LogsScreen #logs-status { height: 1; background: $panel; }
    LogsScreen #logs-error { height: auto; max-height: 3; background: $error; color: $text;
                             text-style: bold; display: none; }
    LogsScreen #logs-error.-shown { display: block; }
    """
    BINDINGS = [
        Binding("space", "pause", "Pause", id="logs_pause"),
        Binding("f", "follow", "Follow", id="logs_follow"),
        Binding("slash", "focus_filter", "Filter", id="logs_filter"),
        Binding("e", "next_error(1)", "Next error", id="logs_next_error"),
        Binding("E", "next_error(-1)", "Prev error", id="logs_prev_error"),
        Binding("c", "copy_entry", "Copy", id="logs_copy_entry"),
        Binding("semicolon", "sql", "SQL", id="logs_sql"),
        Binding("i", "histogram", "Histogram", id="logs_histogram"),
        Binding("ctrl+s", "save_filter", "Save filter", id="logs_save_filter"),
        Binding("F", "saved_filters", "Filters", id="logs_saved_filters"),
        Binding("o", "open_files", "Open file", id="logs_open_files"),
        Binding("escape", "leave", "Back", id="logs_back"),
    ]

    class TraceUpdated(Message):
        """A fresh result of the check the live stream feeds, for its panel."""

        def __init__(self, result: CheckResult):
            super().__init__()
            self.result = result

    def __init__(
        self,
        settings,
        source=None,
        *,
        open_source=None,
        clock=None,
        trace_day=None,
        name: str | None = None,
        export=None,
    ):
        """`source`: an open LogSource; or `open_source`, called in the screen's worker (opening
        may find credentials and open a stream: never on the UI thread), "opening…" meanwhile;
        or `export`: an ExportView (console/logs/export_view.py), indexed in the screen's worker."""
        super().__init__(name=name)
        self.settings = settings
        self.source = source
        self._open_source = open_source
        self._source_lock = threading.Lock()
        self.clock = clock
        self.export = export  # an ExportView, or None: the live stream of `source`
        self.buffer = export if export is not None else LogBuffer(settings.logs.buffer_entries)
        self.tools = LogTools(self)
        self.trace = LiveTrace(settings, trace_day)
        self.trace_result: CheckResult | None = None
        self.filter_error: str | None = None
        self._banner: str | None = None  # the error line shown, to lay out only when it changes
        self.source_error: str | None = None
        self.alerts: list[str] = []
        self.batches = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="logs-top"):
            yield Input(
                placeholder="filter: regex (smart case)   sev:warning   svc:phase3   since:2h", id="logs-filter"
            )
            yield Static("", id="logs-filter-error")
        yield LogHistogram(self.settings.tz, id="logs-histogram")
        width = max(map(len, self.settings.services.names()), default=24)
        yield LogView(self.buffer, self.settings.tz, service_width=width, id="logs-view")
        yield Static("", id="logs-status")
        # An unreadable source is a visible line of its own, never an empty screen.
        yield Static("", id="logs-error")
        yield ConsoleFooter()

    def on_mount(self) -> None:
        settle_heap()  # up to 100,000 held entries: full collections must not re-walk the startup heap
        self.view.focus()
        if self.export is not None:
            self.view.follow = False  # an export is read from its top, not followed
            self.sub_title = ", ".join(str(p) for p in self.export.paths)
            self._load_export()
        else:
            self._pump()
        self._update_status()
        self.set_interval(HISTOGRAM_SECONDS, self.tools.sync_histogram)

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    @property
    def histogram(self) -> LogHistogram:
        return self.query_one(LogHistogram)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # Nothing arrives in an export: no pause, no follow.
        return not (action in ("pause", "follow") and self.export is not None)

    # ------------------------------------------------------------------ an export

    @work(thread=True, exclusive=True, group="log-source", name="export loader", exit_on_error=False)
    def _load_export(self) -> None:
        """Index the export and run the filter over it, step by step, handing the screen a
        repaint at most every EXPORT_PAINT_GAP; idle (a filter done, all loaded) it waits."""
        worker, export = get_current_worker(), self.export
        painted = 0.0
        while not worker.is_cancelled:
            try:
                busy = export.step()
            except Exception as exc:  # noqa: BLE001 - a file that cannot be read must not take the screen down
                export.errors.append(f"{type(exc).__name__}: {exc}")
                busy = False
            now = time.monotonic()
            if now - painted >= EXPORT_PAINT_GAP or not busy:
                painted = now
                try:
                    self.app.call_from_thread(self._export_progress)
                except RuntimeError:  # the app is shutting down
                    break
            if not busy:
                time.sleep(0.05)

    def _export_progress(self) -> None:
        if not self.is_attached:
            return
        try:
            self.view.sync()
        except NoMatches:
            return
        self.source_error = "; ".join(self.export.errors) or None
        self._update_status()

    # ------------------------------------------------------------------ the stream

    @work(thread=True, exclusive=True, group="log-source", name="log source", exit_on_error=False)
    def _pump(self) -> None:
        worker = get_current_worker()
        if self.source is None and not self._open_in_worker(worker):
            return
        interval = getattr(self.settings.logs, "poll_seconds", 0.2)
        delivered = 0.0
        while not worker.is_cancelled:
            try:
                batch = self.source.poll()
                error = getattr(self.source, "error", None)
            except Exception as exc:  # noqa: BLE001 - the source must not take the screen down
                batch, error = [], f"{type(exc).__name__}: {exc}"
            if worker.is_cancelled:
                break
            if batch or error != self.source_error:
                try:
                    self.app.call_from_thread(self.ingest, batch, error)
                except RuntimeError:  # the app is shutting down
                    break
                delivered = time.monotonic()
            if not batch:
                time.sleep(interval)
            elif (wait := delivered + DELIVERY_GAP - time.monotonic()) > 0:
                time.sleep(wait)

    def _open_in_worker(self, worker) -> bool:
        """Open the source (in the worker); False when it cannot be, said on the screen."""
        try:
            source = self._open_source()
        except Exception as exc:  # noqa: BLE001 - a source that cannot be opened: say so, keep running
            message = f"cannot open live logs: {exc}"
            with contextlib.suppress(RuntimeError):  # the app is shutting down
                self.app.call_from_thread(self._open_failed, message)
            return False
        with self._source_lock:  # against on_unmount: the source is closed exactly once
            if worker.is_cancelled:  # left while it opened: nobody will poll it
                source.close()
                return False
            self.source = source
        with contextlib.suppress(RuntimeError):  # "opening…" gives way to the stream's status
            self.app.call_from_thread(self._update_status)
        return True

    def _open_failed(self, message: str) -> None:
        self.notify(message, severity="error")
        self.ingest([], message)

    def ingest(self, batch: list[LogEntry], error: str | None = None) -> None:
        """Runs on the UI thread with what the source produced."""
        if not self.is_attached:  # a batch that was in flight when the screen closed
            return
        try:
            view = self.view
        except NoMatches:  # the screen is being taken down (app exit): its widgets are gone
            return
        self.source_error = error
        if batch:
            self.batches += 1
            try:
                self.buffer.extend(batch)
                self._trace(self.trace.feed(batch))
            except Exception as exc:  # noqa: BLE001 - data must not end the console: say it here
                self.source_error = f"could not take in {len(batch)} entries: {type(exc).__name__}: {exc}"
                self.notify(self.source_error, title="live logs", severity="error", timeout=10)
            view.sync()
        self._update_status()

    def _trace(self, update: TraceUpdate) -> None:
        self.alerts += [a.message for a in update.alerts]
        result = live_trace_result(update.verdict)  # the result of the check the stream feeds
        if getattr(self.app, "owns_live_trace", False):
            # The console follows the same stream for its panel and announces alerts itself.
            self.trace_result = result or self.trace_result
            return
        for alert in update.alerts:
            self.notify(alert.message, title=result.title if result else "live trace", severity="error", timeout=30)
        if result is not None:
            self.trace_result = result
            self.post_message(self.TraceUpdated(result))
            push = getattr(self.app, "push_check_result", None)
            if callable(push):
                push(result)

    def on_unmount(self) -> None:
        with self._source_lock:
            self.workers.cancel_group(self, "log-source")
            if self.source is not None:
                self.source.close()
        if self.export is not None:
            self.export.close()
        self.tools.close()

    # ------------------------------------------------------------------ keys and filter

    def on_input_changed(self, event: Input.Changed) -> None:
        now = self.clock.now() if self.clock else None
        try:
            query = parse_filter_text(event.value, now)
        except ValueError as exc:
            self.filter_error = str(exc)  # keep the last good filter while typing
        else:
            self.filter_error = None
            self.buffer.set_query(query)
            self.view.sync()
        self._show_filter_error()
        self._update_status()

    def _show_filter_error(self) -> None:
        """Said under the box, in full: an empty list with no word why is the worst answer."""
        self.query_one("#logs-filter", Input).set_class(bool(self.filter_error), "-invalid")
        said = self.query_one("#logs-filter-error", Static)
        said.update(Text(f"✘ {self.filter_error} (the last good filter still applies)") if self.filter_error else "")
        said.set_class(bool(self.filter_error), "-shown")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.view.focus()

    def filter_text(self) -> str:
        return self.query_one("#logs-filter", Input).value

    def set_filter_text(self, text: str) -> None:
        """A saved filter recalled: into the box, applied as if typed."""
        self.query_one("#logs-filter", Input).value = text  # Input.Changed applies it

    def on_log_view_opened(self, event: LogView.Opened) -> None:
        self.app.push_screen(EntryScreen(event.entry))

    def on_follow_changed(self, _: FollowChanged) -> None:
        self._update_status()
        self.histogram.show_cursor(self.tools.cursor_ts())

    def on_log_histogram_jump(self, event: LogHistogram.Jump) -> None:
        self.tools.jump(event.start, event.until)

    def action_next_error(self, step: int) -> None:
        self.tools.next_error(step)

    def action_copy_entry(self) -> None:
        self.tools.copy_entry()

    def action_sql(self) -> None:
        self.tools.sql()

    def action_histogram(self) -> None:
        strip = self.histogram
        if strip.has_focus:
            self.view.focus()
        else:
            self.tools.sync_histogram()
            strip.focus()

    def action_save_filter(self) -> None:
        self.tools.save_filter()

    def action_saved_filters(self) -> None:
        self.tools.list_filters()

    def action_open_files(self) -> None:
        self.tools.open_files()

    def action_pause(self) -> None:
        if self.buffer.paused:
            self.buffer.resume()
            self.view.sync()
        else:
            self.buffer.pause()
        self._update_status()

    def action_follow(self) -> None:
        if self.buffer.paused:
            self.buffer.resume()
        self.view.follow = True
        self.view.sync()
        self._update_status()

    def action_focus_filter(self) -> None:
        # Now, not deferred like Widget.focus: keys typed ahead after `/` are the filter's text.
        self.set_focus(self.query_one("#logs-filter", Input))

    def action_leave(self) -> None:
        if self.query_one("#logs-filter", Input).has_focus or self.histogram.has_focus:
            self.view.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def status_text(self) -> Text:
        b = self.buffer
        out = Text()
        if self.export is not None:
            return self.tools.export_status(out, self.filter_error)
        if self.source is None and not self.source_error:
            return out.append("opening the log source…", "dim")
        if b.paused:
            out.append("PAUSED", "bold yellow").append(f" ({b.pending:,} waiting)")
        else:
            out.append("following", "bold green") if self.view.follow else out.append("scrolled")
        out.append(f" · {len(b):,} held · {b.shown_count:,} shown · ")
        out.append(f"{b.dropped:,} dropped", "bold red" if b.dropped else "")
        if self.trace_result is not None:
            status = self.trace_result.status.value
            out.append(" · trace ").append(status.upper(), {"ok": "green", "fail": "bold red"}.get(status, "yellow"))
        if self.filter_error:
            out.append(" · filter not applied (see above)", "red")
        skipped = getattr(self.source, "skipped", 0)
        if isinstance(skipped, int) and skipped:
            from console.core.errors import skipped_note

            out.append(f" · {skipped_note(skipped)}", "yellow")
        return out

    def error_line(self) -> str:
        """The source's error as the screen shows it (empty when there is none)."""
        error = self.source_error
        if not error or error == "no log files yet":
            return ""
        return f"⚠ {error}"

    def _update_status(self) -> None:
        try:
            self.query_one("#logs-status", Static).update(self.status_text(), layout=False)
            line = self.error_line()
            if line != self._banner:  # its height may change: lay out only then, not per batch
                self._banner = line
                banner = self.query_one("#logs-error", Static)
                banner.update(line)
                banner.set_class(bool(line), "-shown")
        except NoMatches:  # a batch that arrived while the screen was being taken down
            pass
