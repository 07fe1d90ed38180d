"""`nba-console tail | replay | demo`: live logs without the TUI (and the demo with it).

Plain, pipe-friendly output: one line per entry, flushed as it arrives; a closed pipe
(`| head`) ends the command quietly.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

from console.cli.broken_pipe import quiet_stdout
from console.core.clock import DEMO_END, DEMO_START, ReplayClock, SystemClock
from console.core.log_entry import LogEntry
from console.core.timefmt import for_people, parse_duration
from console.logs.live_trace import LiveTrace, TraceUpdate
from console.logs.query import LogQuery, parse_severity

DEMO_GAME_DATE = date(2026, 2, 4)


def register(sub: argparse._SubParsersAction) -> None:
    tail = sub.add_parser("tail", help="print the logs, filtered, then keep following (like tail -f)")
    _query_options(tail)
    tail.add_argument("--no-follow", action="store_true", help="print what is there and exit")
    tail.add_argument(
        "--interval", type=_interval, default=None, help="seconds between idle polls (default logs.poll_seconds)"
    )
    tail.set_defaults(func=cmd_tail)

    replay = sub.add_parser("replay", help="replay an exported log file at its own pace, with the live trace verdict")
    replay.add_argument("file", type=Path, help="a JSON array or NDJSON of Cloud Logging entries")
    replay.add_argument("--speed", type=_positive, default=60.0, help="times faster than real time (default 60)")
    replay.add_argument(
        "--max-gap",
        type=_duration,
        default=timedelta(minutes=5),
        help="skip idle stretches longer than this (log time, default 5m)",
    )
    _query_options(replay, since=False)
    replay.set_defaults(func=cmd_replay)

    demo = sub.add_parser("demo", help="the morning of 2026-02-05 unfolding on an accelerated clock")
    demo.add_argument("--speed", type=_positive, default=60.0, help="times faster than real time (default 60)")
    demo.add_argument("--headless", action="store_true", help="print the morning instead of opening the TUI")
    demo.add_argument(
        "--start",
        type=_clock_time,
        default=time_of_day(6, 55),
        help="where the replay starts, ET on 2026-02-05 (default 06:55, just before Phase 3)",
    )
    demo.set_defaults(func=cmd_demo)


def _query_options(p: argparse.ArgumentParser, since: bool = True) -> None:
    p.add_argument("--service", help="only this service (Cloud Run service or function name)")
    p.add_argument("--severity", type=_severity, help="at least this severity (DEBUG INFO NOTICE WARNING ERROR ...)")
    p.add_argument("--grep", action="append", default=[], metavar="RE", help="text regex (repeatable: any matches)")
    if since:
        p.add_argument("--since", type=_duration, help="only entries newer than this: 30m, 2h, 7d")


def _arg_error(func: Callable) -> Callable:
    def wrapped(text: str):
        try:
            return func(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    wrapped.__name__ = func.__name__.lstrip("_").replace("parse_", "")
    return wrapped


_duration = _arg_error(parse_duration)
_severity = _arg_error(parse_severity)


MAX_SPEED = 1e9  # thirty years a second: a finite bound, so the replay clock stays computable


def _bounded(text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not low < value <= high:  # also refuses inf and nan
        raise ValueError(f"{text!r} must be a number above {low:g} and at most {high:g}")
    return value


@_arg_error
def _positive(text: str) -> float:
    """--speed: times faster than real time."""
    return _bounded(text, 0.0, MAX_SPEED)


@_arg_error
def _interval(text: str) -> float:
    return _bounded(text, 0.0, 3600.0)


def query_from_args(args: argparse.Namespace, now: datetime) -> LogQuery:
    since = getattr(args, "since", None)
    return LogQuery(
        service=args.service, severity=args.severity, patterns=tuple(args.grep), since=now - since if since else None
    )


def format_plain(entry: LogEntry, tz, service_width: int = 0) -> str:
    """One line; the service padded to `service_width` (the longest service the config knows,
    see `service_width`) so the messages start in one column."""
    from console.logs.plain_line import plain_text

    return plain_text(entry, tz, service_width)


def service_width(settings) -> int:
    """The service column's width: the longest name the config knows (a longer one unknown to
    it still prints whole, one line pushed right)."""
    return max(map(len, settings.services.names()), default=0)


class _Out:
    """stdout that turns a closed pipe into a clean stop."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.closed = False

    def line(self, text: str) -> bool:
        return self._write(text + "\n")

    def chunk(self, data: bytes) -> bool:
        """Many lines at once (already encoded), flushed once: a search's output."""
        binary = getattr(self.stream, "buffer", None)
        if binary is None:
            return self._write(data.decode("utf-8", "replace"))
        self.stream.flush()  # what was written as text goes first
        return self._write(data, binary)

    def _write(self, data, stream=None) -> bool:
        stream = stream or self.stream
        if self.closed:
            return False
        try:
            stream.write(data)
            stream.flush()
        except BrokenPipeError:
            if self.stream is sys.stdout:
                quiet_stdout()
            self.closed = True
        return not self.closed


def _settings(args):
    from console.cli import settings_from_args

    return settings_from_args(args)


# ------------------------------------------------------------------ tail


def open_source(settings, query: LogQuery, clock=None, follow: bool = True):
    if settings.backend == "gcp":
        if not follow:  # one listing and done: the stream would have nothing to add
            from console.backends.gcp_log_source import open_gcp_source

            return open_gcp_source(settings, query, clock, follow=False)
        from console.backends.gcp_errors import translate
        from console.backends.gcp_log_tail import open_gcp_tail

        try:
            return open_gcp_tail(settings, query, clock)
        except Exception as exc:  # no credentials: one line, exit 2, no traceback
            raise translate(exc, "logging") from exc
    from console.backends.local_log_source import LocalLogSource
    from console.core.errors import ErrorKind, SourceError
    from console.local.scenario import current_dir

    if current_dir(settings) is None:
        raise SourceError(ErrorKind.NO_DATA, f"no local data in {settings.data_dir}: run `nba-console local seed-demo`")
    return LocalLogSource.for_settings(settings, query)


def unknown_service(settings, service: str | None) -> str | None:
    """The refusal for a `--service` the config does not know (a typo would otherwise print
    nothing and look like a quiet service), else None."""
    known = settings.services.names()
    if service is None or service in known:
        return None
    return f"unknown service {service[:80]!r}; the config knows: {', '.join(known)}"


def cmd_tail(args, out: _Out | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    settings = _settings(args)
    refusal = unknown_service(settings, args.service)
    if refusal:
        print(f"nba-console tail: {refusal}", file=sys.stderr)
        return 2
    out = out or _Out()
    query = query_from_args(args, SystemClock().now())
    if args.no_follow and settings.backend != "gcp":
        return _print_local_files(settings, query, out)
    source = open_source(settings, query, follow=not args.no_follow)
    interval = args.interval if args.interval is not None else settings.logs.poll_seconds
    reported, failed = None, False
    try:
        while True:
            batch = source.poll()
            for entry in batch:
                if not out.line(format_plain(entry, settings.tz, service_width(settings))):
                    return 0
            error = getattr(source, "error", None)
            if error and error != reported and error != "no log files yet":
                print(f"nba-console tail: {error}", file=sys.stderr)
            failed = failed or bool(error and error != "no log files yet")
            reported = error
            if not batch:
                if args.no_follow:
                    skipped = getattr(source, "skipped", 0)
                    if skipped:
                        from console.core.errors import skipped_note

                        print(f"nba-console tail: {skipped_note(skipped)}", file=sys.stderr)
                    # An unreadable source is an error for whoever reads the exit code.
                    return 2 if failed else 0
                sleep(interval)
    finally:
        source.close()


def _print_local_files(settings, query: LogQuery, out: _Out) -> int:
    """`tail --no-follow` on the local backend: its log files through the search path
    (`logs search`'s), merged by time; an unreadable file is said and the others printed."""
    from console.core.errors import ErrorKind, SourceError, skipped_note
    from console.local.scenario import current_dir
    from console.logs import search
    from console.logs.plain_line import PlainLine

    root = current_dir(settings)
    if root is None:
        raise SourceError(ErrorKind.NO_DATA, f"no local data in {settings.data_dir}: run `nba-console local seed-demo`")
    errors: list[str] = []
    plain = PlainLine(settings.tz, service_width(settings))
    files = search.find([root / "logs"] if (root / "logs").is_dir() else [], query, plain, errors=errors, by_name=True)
    try:
        for chunk in search.written(files, plain):
            if not out.chunk(chunk):
                return 0
        skipped = sum(f.skipped for f in files)
    finally:
        search.close_all(files)
    for error in errors:
        print(f"nba-console tail: {error}", file=sys.stderr)
    if skipped:
        print(f"nba-console tail: {skipped_note(skipped)}", file=sys.stderr)
    return 2 if errors else 0


# ------------------------------------------------------------------ replay


def _print_update(update: TraceUpdate, out: _Out, tz, last: dict) -> None:
    for alert in update.alerts:
        out.line(f"!! {alert.day} {alert.message}")
    if update.verdict is not None:
        key = (update.day, update.verdict.status, update.verdict.summary)
        if key != last.get("key"):
            last["key"] = key
            out.line(f"== trace {update.day}: {update.verdict.status.value.upper()} {update.verdict.summary}")


def run_replay(
    entries: list[LogEntry],
    settings,
    speed: float,
    max_gap: timedelta | None,
    out: _Out,
    sleep: Callable[[float], None] = time.sleep,
    day: date | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    on_tick: Callable[[datetime, bool], None] | None = None,
) -> LiveTrace:
    """Release entries as an accelerated clock reaches them, printing lines and trace news."""
    from console.backends.local_log_source import ReplaySource

    entries = sorted(entries, key=lambda e: e.timestamp)
    if not entries and start is None:
        return LiveTrace(settings, day)
    clock = ReplayClock(start or entries[0].timestamp, speed, end)
    source = ReplaySource(entries, clock)
    trace = LiveTrace(settings, day)
    last: dict[str, object] = {}  # the last verdict printed (_print_update)
    while not out.closed:
        # Read before polling: every later entry is newer than this, so judging "as of"
        # it never runs ahead of the lines printed next.
        polled_at = clock.now()
        batch = source.poll()
        for entry in batch:  # trace news right under the line that caused it
            out.line(format_plain(entry, settings.tz, service_width(settings)))
            _print_update(trace.feed([entry]), out, settings.tz, last)
            if on_tick:  # judged as of the line's own time, whatever the speed
                on_tick(entry.timestamp, True)
        if on_tick:
            on_tick(max([polled_at] + [e.timestamp for e in batch[-1:]]), False)
        if source.done and (end is None or clock.now() >= end):
            break
        target = source.next_at or end
        if target is None:  # not done, yet nothing due: cannot happen (ReplaySource), but never a crash
            break
        gap = target - clock.now()
        if max_gap is not None and gap > max_gap and source.next_at is not None:
            out.line(f"   ... {_human(gap)} without entries, skipped")
            clock.start += gap  # ReplayClock: moving the origin jumps the replay forward
            continue
        sleep(min(max(gap.total_seconds() / speed, 0.0), 0.25))
    return trace


def _human(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def cmd_replay(args, out: _Out | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    from console.backends.local_log_source import load_log_file
    from console.core.safefile import UnsafeFileError

    settings = _settings(args)
    out = out or _Out()
    query = query_from_args(args, datetime.now(UTC))
    try:  # the search path (`logs search`'s), filtered there; the file is held whole only in matches
        entries = load_log_file(args.file, int(settings.local.max_file_mb * 1_000_000), query)
    except UnsafeFileError as exc:
        raise ValueError(f"cannot replay {exc}") from None
    except OSError as exc:
        raise ValueError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    if not entries:
        out.line(f"{args.file}: no log entries to replay")
        return 0
    trace = run_replay(entries, settings, args.speed, args.max_gap, out, sleep)
    result = trace.verdict()
    out.line(f"== verdict {trace.day}: {result.status.value.upper()} {result.summary}")
    return 1 if result.status.value == "fail" else 0


# ------------------------------------------------------------------ demo


def _ensure_demo(settings) -> None:
    from console.cli.local_command import seed_demo
    from console.local.scenario import current_dir

    if settings.backend == "local" and current_dir(settings) is None:
        from console.core.safety import ReadOnlyError, check_writable

        try:
            check_writable(settings, f"seed the demo into {settings.data_dir} (there is no local data yet)")
        except ReadOnlyError as exc:
            raise ValueError(str(exc)) from None  # cli.main prints it and exits 2
        seed_demo(settings)


def _clock_time(text: str) -> time_of_day:
    from console.core.timefmt import parse_clock_time

    try:
        clock = parse_clock_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if clock is None:
        raise argparse.ArgumentTypeError(f"{text[:60]!r} is not a time of day like 06:55, 6:55 or 6:55am")
    return clock


def demo_start(settings, start: time_of_day | None) -> datetime:
    if start is None:
        return DEMO_START
    moment = datetime.combine(DEMO_END.astimezone(settings.tz).date(), start, tzinfo=settings.tz)
    return min(max(moment, DEMO_START - timedelta(hours=6)), DEMO_END)


def cmd_demo(args, out: _Out | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    settings = _settings(args).model_copy(update={"backend": "local"})
    _ensure_demo(settings)
    start = demo_start(settings, getattr(args, "start", None))
    if not args.headless and out is None and sys.stdout.isatty():
        from console.tui.app import NbaConsoleApp

        # Panels refresh every couple of seconds: at 60x that is every two minutes of the morning.
        fast = settings.model_copy(update={"refresh_seconds": min(settings.refresh_seconds, 2.0)})
        from console.cli import run_console

        clock = ReplayClock(start, args.speed, DEMO_END)
        return run_console(NbaConsoleApp(settings=fast, clock=clock, game_date=DEMO_GAME_DATE))
    return demo_headless(settings, args.speed, out or _Out(), sleep, start)


def demo_headless(
    settings, speed: float, out: _Out, sleep: Callable[[float], None] = time.sleep, start: datetime = DEMO_START
) -> int:
    """The demo morning as text: log lines in order, and each check's status as it changes."""
    from console.backends.local_backend import LocalBackend
    from console.services.runner import CheckContext, run_all

    backend = LocalBackend(settings)
    entries = [e for path in backend.log_files() for e in backend._entries(path)]
    history = [e for e in entries if e.timestamp < start]
    for entry in sorted(history, key=lambda e: e.timestamp)[-10:]:
        out.line(format_plain(entry, settings.tz, service_width(settings)))
    out.line(
        f"--- replaying {for_people(start, settings.tz)} "
        f"to {for_people(DEMO_END, settings.tz, 'clock')} at {speed:g}x ---"
    )
    statuses: dict[str, tuple] = {}
    last_check: list[datetime | None] = [None]

    def on_tick(now: datetime, arrived: bool) -> None:
        # Re-judge when lines arrive and every 5 minutes of demo time: processors complete,
        # grading rows appear.
        if not arrived and last_check[0] is not None and now - last_check[0] < timedelta(minutes=5) and now < DEMO_END:
            return
        last_check[0] = now
        report = run_all(backend, CheckContext(settings=settings, game_date=DEMO_GAME_DATE, as_of=now))
        for c in report.checks:
            if statuses.get(c.id) != (c.status, c.summary):
                statuses[c.id] = (c.status, c.summary)
                out.line(f"   [{for_people(now, settings.tz, 'clock')}] {c.id}: {c.status.value.upper()} {c.summary}")

    future = [e for e in entries if e.timestamp >= start]
    trace = run_replay(
        future,
        settings,
        speed,
        None,
        out,
        sleep,
        day=start.astimezone(settings.tz).date(),
        start=start,
        end=DEMO_END,
        on_tick=on_tick,
    )
    backend.close()
    result = trace.verdict()
    out.line(f"== verdict {trace.day}: {result.status.value.upper()} {result.summary}")
    return 0
