"""`nba-console watch`: the morning check on a schedule, with notifications (console/services/watch.py)."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime, timedelta

from console.core.config import Settings
from console.core.config_errors import ConfigError
from console.core.config_sections import NotifyChannel

EXIT_ERROR = 2


def register(sub: argparse._SubParsersAction) -> None:
    from console.cli import _date_options

    watch = sub.add_parser(
        "watch",
        help="run the morning check on a schedule and notify on changes",
        description="`watch status` prints when the watch last ran and exits 1 when it is silent (its last "
        "run older than twice its period): for a second monitor to call.",
    )
    _date_options(watch)
    watch.add_argument("status", nargs="?", choices=["status"], help="is the watch running? (exit 1: silent)")
    watch.add_argument("--every", type=_duration, help="time between runs (default watch.every, 5m)")
    watch.add_argument("--until", type=_clock_time, help="end of the morning in the configured zone (default 11:00)")
    watch.add_argument("--once", action="store_true", help="one run with the same memory (for cron)")
    watch.add_argument("--notify", action="append", metavar="NAME", help="channel from [[notify]] (repeatable)")
    watch.add_argument("--report-dir", type=__import__("pathlib").Path, help="write the end-of-morning report here")
    watch.add_argument("--speed", type=float, help="with --at: replay the morning from --at at SPEED x real time")
    watch.add_argument(
        "--heartbeat-url",
        help="a dead-man's-switch URL pinged after each completed run (default: $[watch] heartbeat_url_env)",
    )
    watch.set_defaults(func=cmd_watch)


def _duration(text: str) -> timedelta:
    from console.core.timefmt import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _clock_time(text: str):
    from datetime import time

    try:
        return time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time of day (HH:MM)") from None


def pick_channels(settings: Settings, names: list[str] | None) -> list[NotifyChannel]:
    """The channels asked for (or watch.notify, or every configured one, or stdout); an unknown
    name is refused."""
    configured = {c.name: c for c in settings.notify}
    if len(configured) != len(settings.notify):
        raise ConfigError("[[notify]]: two channels have the same name")
    # `stdout` needs no configuration; with no channel at all, changes go there rather than nowhere.
    configured.setdefault("stdout", NotifyChannel(name="stdout", kind="stdout"))
    wanted = names or settings.watch.notify or [c.name for c in settings.notify] or ["stdout"]
    unknown = [n for n in wanted if n not in configured]
    if unknown:
        known = ", ".join(configured) or "none configured"
        raise ConfigError(f"--notify {', '.join(unknown)}: no such [[notify]] channel ({known})")
    return [configured[n] for n in dict.fromkeys(wanted)]


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a captured or redirected one included)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _setup_logging() -> None:
    logger = logging.getLogger("nba_console.watch")
    if not logger.handlers:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("nba-console watch: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def cmd_watch_status(args: argparse.Namespace) -> int:
    """One line: `watch 3m ago (fail)` and exit 0, or `WATCH SILENT 2h …` and exit 1."""
    from console.cli import settings_from_args
    from console.core.team import TeamStoreError, watch_silence, watch_status_line
    from console.services.team_records import open_team_store

    settings = settings_from_args(args)
    store = open_team_store(settings)
    try:
        beat = store.heartbeat()
    except TeamStoreError as exc:
        print(f"nba-console: cannot read the watch heartbeat: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        store.close()
    silence = watch_silence(beat, datetime.now(UTC), args.every)
    line = watch_status_line(silence)
    if beat is not None:
        line += f"; last run {beat.at.astimezone(settings.tz):%Y-%m-%d %H:%M %Z}"
        line += f" on {beat.host}" if beat.host else ""
        line += f", every {_words(args.every or timedelta(seconds=beat.every_s))}"
    print(line)
    return 1 if silence.silent else 0


def _words(period: timedelta) -> str:
    from console.core.team import ago

    return ago(period)


def cmd_watch(args: argparse.Namespace) -> int:
    if args.status:
        return cmd_watch_status(args)
    import os

    from console.backends import open_backend
    from console.cli import settings_from_args
    from console.core.clock import Clock, FixedClock, ReplayClock, SystemClock
    from console.services.notify import describe
    from console.services.runner import default_game_date, parse_at
    from console.services.watch import Watcher, run_schedule

    _setup_logging()
    log = logging.getLogger("nba_console.watch")
    settings = settings_from_args(args)
    # The watch changes nothing on the platform; its memory (what it told, the outbox) is the
    # console's own state, which read-only does not close (console/core/safety.py says why).
    channels = pick_channels(settings, args.notify)
    ws = settings.watch
    every, until_time = args.every or ws.every, args.until or ws.until

    now = datetime.now(UTC)
    game_date = args.game_date
    if game_date is None:
        backend = open_backend(settings)
        try:
            game_date = default_game_date(backend, settings, now)
        finally:
            backend.close()
    processing_date = game_date + settings.processing_offset
    until = datetime.combine(processing_date, until_time, tzinfo=settings.tz)
    start = parse_at(args.at, processing_date, settings, now) if args.at else now
    if args.speed is not None and (args.speed <= 0 or not args.at):
        raise ValueError("--speed needs --at (the replay's start) and a positive number")
    clock: Clock
    if args.speed:
        clock = ReplayClock(start=start, speed=args.speed, end=max(start, until))
    elif args.at:
        clock = FixedClock(start)  # judged as of --at; without --once the schedule steps instantly
    else:
        clock = SystemClock()

    heartbeat_url = args.heartbeat_url or (os.environ.get(ws.heartbeat_url_env) if ws.heartbeat_url_env else None)
    if ws.heartbeat_url_env and not heartbeat_url:
        log.warning("$%s is not set: no heartbeat ping", ws.heartbeat_url_env)
    watcher = Watcher(
        settings,
        channels,
        game_date,
        open_backend,
        report_dir=args.report_dir,
        until=until,
        every=every,
        heartbeat_url=heartbeat_url,
    )
    if not args.once:  # cron runs stay to one line each
        log.info(
            "games %s until %s, channels: %s",
            game_date,
            until.strftime("%H:%M %Z"),
            ", ".join(describe(c) for c in channels) or "none",
        )

    def show(outcome) -> None:
        local = outcome.report.as_of.astimezone(settings.tz).strftime("%H:%M %Z")
        told = ", ".join(f"{c['check']} {c['kind']} {c['status']}" for c in outcome.changes) or "no change"
        log.info("%s %s: %s (%s)", local, outcome.report.status.value, told, outcome.delivery_text())

    if args.once:
        try:
            outcome = watcher.run(clock.now())
        except OSError as exc:  # the state dir unwritable, or another watch holds the lock too long
            log.error("cannot keep the watch state in %s: %s", settings.state_dir, exc.strerror or exc)
            return EXIT_ERROR
        show(outcome)
        return EXIT_ERROR if outcome.failed or outcome.heartbeat_problem else 0
    outcomes = run_schedule(watcher, clock, every, until, on_run=show)
    if not outcomes or outcomes[-1].report.as_of < until:
        log.error("the last run of the morning failed; no summary was sent")
        return EXIT_ERROR
    return 0
