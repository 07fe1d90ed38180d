"""Memory soak (issue 24, item 3): the real console in a real terminal (a pty of the given
size) with the log screen open, while NDJSON entries are appended to the demo's log folder at
a steady rate; prints the console's RSS over time (psutil) and, at the end, minute 30 against
minute 5 and the RSS after an idle stretch. Asserts nothing; the figures go in BENCHMARKS.md.

    .venv/bin/python benchmarks/soak.py [--rate 5000] [--minutes 30] [--after 2] [--every 60]
                                        [--size 200x50] [--keep] [--data-dir DIR] [--date D]

The console runs as a user runs it (`nba-console --data-dir DIR`, the system clock, the
default game date), on a demo seeded into a fresh temporary folder; the appended entries are
stamped "now", so they fall in the processing day the sequential panel judges, and one in
200 is a Level line of the analytics service. Its panels refresh on their own schedule
(every 60 s), reading the growing file as `check` does.

`--data-dir DIR --date D --rate 0`: an idle console on existing data instead (e.g. the 1 GB
file big_log_bench.py leaves with `--keep`), its panels on game date D, the log screen open.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".venv" / "bin" / "nba-console"
SERVICES = [
    "nba-phase3-analytics-processors",
    "nba-phase4-precompute",
    "prediction-worker",
    "nba-scrapers",
    "prediction-coordinator",
]
SEVERITIES = ["INFO"] * 14 + ["DEBUG"] * 3 + ["WARNING", "ERROR", "NOTICE"]
LINE = (
    '{{"insertId":"soak-{i:012d}","logName":"projects/nba-props-platform/logs/run.googleapis.com%2Fstdout",'
    '"receiveTimestamp":"{ts}","resource":{{"type":"cloud_run_revision","labels":{{"service_name":"{svc}",'
    '"revision_name":"{svc}-00042-xyz","location":"us-west2","project_id":"nba-props-platform"}}}},'
    '"severity":"{sev}","textPayload":"{text}","timestamp":"{ts}"}}\n'
)
HELD = re.compile(rb"([\d,]+) held \xc2\xb7 ([\d,]+) shown \xc2\xb7 ([\d,]+) dropped")
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def text_for(i: int) -> str:
    if i % 200 == 0:
        return (
            "\\ud83d\\udccb Level 1: running 3 processors: "
            "TeamOffenseGameSummaryProcessor, TeamDefenseGameSummaryProcessor"
        )
    return f"Processed batch {i} for game_date=2026-02-04: {i % 97} rows written in {i % 13}.{i % 10}s"


def entry_lines(start: int, n: int) -> str:
    ts = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return "".join(
        LINE.format(i=i, ts=ts, svc=SERVICES[i % 5], sev=SEVERITIES[i % 20], text=text_for(i))
        for i in range(start, start + n)
    )


class Terminal:
    """The console on a pty of `cols` x `rows`; the screen's bytes are read and dropped (a
    terminal that never reads would stall the app), the last 64 KiB kept to look for text."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int, rows: int):
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its terminal
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execve(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        self.tail = b""
        self.read_bytes = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.read_bytes += len(chunk)
                self.tail = (self.tail + chunk)[-(1 << 16) :]

    def wait_for(self, needle: bytes, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if needle in self.tail:
                    return True
            time.sleep(0.1)
        return False

    def counts(self) -> tuple[int, int, int] | None:
        """(held, shown, dropped) as the log screen's status line last said them."""
        with self._lock:
            found = HELD.findall(ANSI.sub(b"", self.tail))
        if not found:
            return None
        held, shown, dropped = (int(x.replace(b",", b"")) for x in found[-1])
        return held, shown, dropped

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)


class Writer(threading.Thread):
    """Appends `rate` entries a second in 20 batches, as a busy logger would."""

    def __init__(self, path: Path, rate: int):
        super().__init__(daemon=True)
        self.path, self.rate = path, rate
        self.written = 0
        self.stop = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        with open(self.path, "a", encoding="utf-8") as fh:
            while not self.stop.is_set():
                due = int((time.monotonic() - start) * self.rate)
                if due > self.written:
                    n = min(due - self.written, self.rate)  # never more than a second at once
                    fh.write(entry_lines(self.written, n))
                    fh.flush()
                    self.written += n
                self.stop.wait(0.05)


def mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=int, default=5000, help="entries appended per second")
    ap.add_argument("--minutes", type=float, default=30, help="how long entries are appended")
    ap.add_argument("--after", type=float, default=2, help="minutes of idle afterwards, still measured")
    ap.add_argument("--every", type=float, default=60, help="seconds between two RSS samples")
    ap.add_argument("--size", default="200x50", help="terminal COLSxROWS")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    ap.add_argument("--data-dir", type=Path, help="existing data (NBA_CONSOLE_DATA_DIR) instead of a fresh demo")
    ap.add_argument("--date", help="the console's game date (--date), default its own")
    args = ap.parse_args()
    cols, rows = (int(x) for x in args.size.split("x"))

    tmp = Path(tempfile.mkdtemp(prefix="nba-soak-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBA_CONSOLE_", "XDG_"))}
    for name in ("DATA", "STATE", "CONFIG", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(tmp / name.lower())
    data = args.data_dir or tmp / "data"
    env.update(TERM="xterm-256color", COLORTERM="truecolor", NBA_CONSOLE_DATA_DIR=str(data))
    if not args.data_dir:
        subprocess.run([str(CLI), "local", "ensure-demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    logs = (data / "current" / "logs").resolve()
    target = logs / "soak.ndjson"
    if args.rate:
        target.touch()

    print(
        f"# soak: {args.rate:,} entries/s for {args.minutes:g} min, then {args.after:g} min idle; "
        f"terminal {cols}x{rows}; appending to {target}"
    )
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"load average at start {os.getloadavg()[0]:.2f}"
    )
    term = Terminal([str(CLI)] + (["--date", args.date] if args.date else []), env, cols, rows)
    proc = psutil.Process(term.pid)
    samples: list[tuple[float, int]] = []
    writer = Writer(target, args.rate)
    try:
        if not term.wait_for(b"Phase 3", 60):
            print("the console did not draw its main screen within 60 s", file=sys.stderr)
            return 2
        time.sleep(2)
        term.send(b"l")
        if not term.wait_for(b" held ", 30):
            print("the log screen did not open within 30 s", file=sys.stderr)
            return 2
        print(
            f"{'min':>6} {'RSS':>9} {'USS':>9} {'written':>12} {'file':>9} {'held':>8} {'dropped':>11} "
            f"{'cpu%':>5} {'load':>5}"
        )
        start = time.monotonic()
        if args.rate:
            writer.start()
        proc.cpu_percent()
        end_write = start + args.minutes * 60
        end_all = end_write + args.after * 60
        next_sample = start + args.every
        while True:
            now = time.monotonic()
            if now >= end_write and not writer.stop.is_set():
                writer.stop.set()
                if writer.is_alive():
                    writer.join()
                print(f"# appending stopped at {writer.written:,} entries")
            if now >= next_sample:
                minute = (now - start) / 60
                info = proc.memory_full_info()
                samples.append((minute, info.rss))
                counts = term.counts()
                held, dropped = (f"{counts[0]:,}", f"{counts[2]:,}") if counts else ("?", "?")
                size = target.stat().st_size if target.exists() else 0
                print(
                    f"{minute:6.1f} {mb(info.rss):>9} {mb(info.uss):>9} {writer.written:>12,} {mb(size):>9} "
                    f"{held:>8} {dropped:>11} {proc.cpu_percent():5.0f} {os.getloadavg()[0]:5.2f}",
                    flush=True,
                )
                next_sample += args.every
            if now >= end_all:
                break
            if proc.status() == psutil.STATUS_ZOMBIE or not proc.is_running():
                print("the console exited during the soak", file=sys.stderr)
                return 2
            time.sleep(min(1.0, max(0.05, next_sample - time.monotonic())))
        summary(samples, args)
        return 0
    finally:
        writer.stop.set()
        try:
            term.send(b"\x11")  # ctrl+q
            proc.wait(20)
        except (OSError, psutil.Error):
            pass
        if proc.is_running():
            os.kill(term.pid, signal.SIGKILL)
        if args.keep:
            print(f"# data kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def summary(samples: list[tuple[float, int]], args) -> None:
    def at(minute: float) -> tuple[float, int]:
        return min(samples, key=lambda s: abs(s[0] - minute))

    writing = [s for s in samples if s[0] <= args.minutes + 0.5]  # the sample at the last minute too
    if not writing:
        return
    early = at(min(5.0, writing[-1][0]))
    last = writing[-1]
    print(
        f"# RSS at minute {early[0]:.0f}: {mb(early[1])}; at minute {last[0]:.0f}: {mb(last[1])} "
        f"({last[1] / early[1] - 1:+.1%}); peak while appending {mb(max(s[1] for s in writing))}"
    )
    if samples[-1][0] > last[0]:
        print(f"# after {samples[-1][0] - last[0]:.0f} min idle: {mb(samples[-1][1])}")


if __name__ == "__main__":
    sys.exit(main())
