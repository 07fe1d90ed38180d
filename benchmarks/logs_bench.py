"""Live-logs benchmark (issue #6, item 6). Prints figures and ratios; asserts nothing.

    .venv/bin/python benchmarks/logs_bench.py [--entries 1000000] [--keep DIR]

1. parse + filter a Cloud Logging NDJSON export of N entries with `logs search --count`'s path,
   against `grep -c` over the same file in the same run (ratio), and against decoding every
   entry (orjson, and the stdlib json module on a sample, extrapolated);
2. the log screen's key-press latency (press -> painted, headless Pilot) while 5,000
   entries per second arrive;
3. peak memory after N entries pushed through the default 100,000-entry buffer (measured
   in a child process, so the other parts do not count).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.logs.parse import entry_from_dict, parse_line
from console.logs.query import LogQuery
from console.logs.search import count

T0 = datetime(2026, 2, 5, 11, tzinfo=UTC)
SERVICES = [
    "nba-phase3-analytics-processors",
    "nba-phase4-precompute",
    "prediction-worker",
    "nba-scrapers",
    "prediction-coordinator",
]
SEVERITIES = ["INFO"] * 14 + ["DEBUG"] * 3 + ["WARNING", "ERROR", "NOTICE"]
TEMPLATE = (
    '{{"insertId":"{iid:016x}","logName":"projects/nba-props-platform/logs/run.googleapis.com%2Fstdout",'
    '"receiveTimestamp":"{ts}","resource":{{"type":"cloud_run_revision","labels":{{"service_name":"{svc}",'
    '"revision_name":"{svc}-00042-xyz","location":"us-west2","project_id":"nba-props-platform"}}}},'
    '"severity":"{sev}","textPayload":"{text}","timestamp":"{ts}"}}\n'
)


def text_for(i: int) -> str:
    r = i % 1000
    if r == 0:
        return (
            "\\ud83d\\udccb Level 1: running 3 processors: "
            "TeamOffenseGameSummaryProcessor, TeamDefenseGameSummaryProcessor"
        )
    if r == 500:
        return "\\u2705 Level 2 complete (2/2 succeeded)"
    return f"Processed batch {i} for game_date=2026-02-04: {i % 97} rows written in {i % 13}.{i % 10}s"


def generate(path: Path, n: int) -> float:
    t = time.perf_counter()
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as fh:
        for i in range(n):
            ts = (T0 + timedelta(milliseconds=i * 17)).isoformat().replace("+00:00", "Z")
            fh.write(
                TEMPLATE.format(
                    iid=i * 2654435761 % (1 << 64), ts=ts, svc=SERVICES[i % 5], sev=SEVERITIES[i % 20], text=text_for(i)
                )
            )
    return time.perf_counter() - t


def timed(fn, repeat: int = 3):
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
    return best, value


def grep_count(args: list[str], path: Path) -> int:
    out = subprocess.run(["grep", "-c", *args, str(path)], capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


def bench_parse(path: Path, n: int) -> None:
    size = path.stat().st_size
    print(f"\n## parse + filter ({n:,} entries, {size / 1e6:.0f} MB)")
    cases = [
        ("text 'Level 1'", LogQuery(patterns=("Level 1",)), ["Level 1"]),
        (
            "handoff query",
            LogQuery(service="nba-phase3-analytics-processors", patterns=("Level 1", "Level 2")),
            ["-E", "Level [12]"],
        ),
        ("severity>=ERROR", LogQuery(severity="ERROR"), ['"severity":"ERROR"']),
    ]
    for label, query, grep_args in cases:
        g_time, g_count = timed(functools.partial(grep_count, grep_args, path))
        c_time, (c_count, *_) = timed(functools.partial(count, [path], query))
        print(
            f"{label:18} console {c_time:6.3f}s ({n / c_time / 1e6:5.2f} M entries/s, {c_count:,} matched) | "
            f"grep -c {g_time:6.3f}s ({g_count:,}) | ratio {c_time / g_time:4.2f}x"
        )

    def decode_all() -> int:
        k = 0
        with open(path, "rb") as fh:
            for line in fh:
                k += parse_line(line) is not None
        return k

    d_time, _ = timed(decode_all, repeat=1)
    sample = 100_000

    def stdlib_sample() -> int:
        k = 0
        with open(path, "rb") as fh:
            for i, line in enumerate(fh):
                if i == sample:
                    break
                k += entry_from_dict(json.loads(line)) is not None
        return k

    s_time, _ = timed(stdlib_sample, repeat=1)
    s_time *= n / sample
    g_time, _ = timed(lambda: grep_count(["Level 1"], path))
    print(f"{'decode all, orjson':18} {d_time:6.3f}s  ratio vs grep {d_time / g_time:5.1f}x")
    print(f"{'decode all, json':18} {s_time:6.3f}s  (100k sample x{n // sample}) ratio vs grep {s_time / g_time:5.1f}x")


class RateSource:
    """Synthetic entries at a fixed rate (made on poll, as a tailing source would)."""

    def __init__(self, rate: int):
        self.rate, self.t0, self.made = rate, time.monotonic(), 0
        self.base = entry_from_dict(
            json.loads(TEMPLATE.format(iid=1, ts="2026-02-05T12:00:00Z", svc=SERVICES[0], sev="INFO", text="x"))
        )

    def poll(self):
        due = int((time.monotonic() - self.t0) * self.rate) - self.made
        out = []
        for _ in range(max(0, due)):
            self.made += 1
            out.append(
                self.base.model_copy(
                    update={
                        "insert_id": str(self.made),
                        "text": f"line {self.made}",
                        "timestamp": T0 + timedelta(milliseconds=self.made),
                    }
                )
            )
        return out

    def close(self):
        pass

    def describe(self):
        return "rate"


async def bench_keys(rate: int, presses: int) -> list[float]:
    from textual.app import App

    from console.core.config import Settings
    from console.tui.screens.logs_screen import LogsScreen

    source = RateSource(rate)
    screen = LogsScreen(Settings(logs={"poll_seconds": 0.05}), source)

    class Host(App):
        def on_mount(self):
            self.push_screen(screen)

    from textual import events

    # press -> painted: from the key event entering the app (as the terminal driver sends
    # it) to the end of the screen update that carries the key's effect (the compositor pass
    # in which the list first repaints after the key's action ran; headless, Textual then
    # skips only the write to the terminal). Pilot's own press() waits for the app to go
    # idle, which a 5,000/s stream never lets it do. (Until issue 13 the clock stopped at the
    # first line of that repaint, leaving out the rest of the frame: a median 6 ms, up to 40
    # under load, and a garbage collection in mid-frame was not counted.)
    from textual.screen import Screen

    from console.tui.screens.logs_screen import LogView

    marks: dict[str, float] = {}
    painted = asyncio.Event()  # woken by the frame, not polled: a 0.5 ms poll loop taxed the app it timed
    orig_goto, orig_render, orig_frame = LogView._goto, LogView.render_line, Screen._compositor_refresh

    def goto(self, index):
        orig_goto(self, index)
        marks.setdefault("handled", time.perf_counter())

    def render_line(self, y):
        if "handled" in marks:
            marks.setdefault("rendered", time.perf_counter())
        return orig_render(self, y)

    def compositor_refresh(self):
        orig_frame(self)
        if "rendered" in marks and "painted" not in marks:
            marks["painted"] = time.perf_counter()
            painted.set()

    LogView._goto, LogView.render_line, Screen._compositor_refresh = goto, render_line, compositor_refresh
    latencies = []
    try:
        async with Host().run_test(size=(160, 50)) as pilot:
            await pilot.pause(1.0)
            app = pilot.app
            for i in range(presses):
                key = ["up", "down", "pageup", "pagedown", "up", "end"][i % 6]
                marks.clear()
                painted.clear()
                t = time.perf_counter()
                event = events.Key(key, None)
                event.set_sender(app)
                app._driver.send_message(event)
                try:
                    await asyncio.wait_for(painted.wait(), 5)
                except TimeoutError:
                    pass
                latencies.append((marks.get("painted", time.perf_counter()) - t) * 1000)
                await asyncio.sleep(0.05)
            arrived = source.made
            held = len(screen.buffer)
    finally:
        LogView._goto, LogView.render_line, Screen._compositor_refresh = orig_goto, orig_render, orig_frame
    latencies.sort()
    print(f"\n## key latency while {rate:,} entries/s arrive ({presses} presses, {arrived:,} arrived, {held:,} held)")
    print(
        f"median {statistics.median(latencies):.1f} ms | p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms | "
        f"max {latencies[-1]:.1f} ms"
    )
    return latencies


def peak_rss_kb() -> int:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so
    a child would report the parent's peak (the parent maps the 500 MB export)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_child(path: Path) -> None:
    from console.logs.buffer import LogBuffer
    from console.logs.parse import scan_ndjson

    buf = LogBuffer(100_000)
    rss = [(0, peak_rss_kb())]  # after imports, before any entry
    with open(path, "rb") as fh:
        tail = b""
        while chunk := fh.read(1 << 22):
            data = tail + chunk
            cut = data.rfind(b"\n") + 1
            tail = data[cut:]
            buf.extend(scan_ndjson(data[:cut]))
            if buf.received in range(100_000, 100_000 + 20_000) or not rss:
                rss.append((buf.received, peak_rss_kb()))
    rss.append((buf.received, peak_rss_kb()))
    print(json.dumps({"received": buf.received, "held": len(buf), "dropped": buf.dropped, "rss_kb": rss}))


def bench_memory(path: Path) -> None:
    out = subprocess.run([sys.executable, __file__, "--memory-child", str(path)], capture_output=True, text=True)
    data = json.loads(out.stdout)
    rss = data["rss_kb"]
    full = next((kb for n, kb in rss if n >= 100_000), rss[-1][1])
    print(f"\n## memory ({data['received']:,} entries through the default buffer)")
    base = rss[0][1]
    print(
        f"held {data['held']:,}, dropped {data['dropped']:,} | peak RSS (VmHWM): at start {base / 1024:.0f} MB, "
        f"when the buffer first filled {full / 1024:.0f} MB, after all {rss[-1][1] / 1024:.0f} MB | "
        f"{(full - base) * 1024 / data['held']:.0f} bytes per held entry at first fill"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--rate", type=int, default=5000)
    ap.add_argument("--presses", type=int, default=60)
    ap.add_argument("--keep", type=Path, help="write the export here and keep it")
    ap.add_argument("--memory-child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    with tempfile.TemporaryDirectory(prefix="logs-bench-") as tmp:
        path = (args.keep or Path(tmp)) / "export.ndjson"
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"generated {args.entries:,} entries in {generate(path, args.entries):.1f}s -> {path}")
        bench_parse(path, args.entries)
        asyncio.run(bench_keys(args.rate, args.presses))
        bench_memory(path)


if __name__ == "__main__":
    main()
