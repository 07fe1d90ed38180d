"""History at season scale (issue 16, item 5). Prints figures and ratios; asserts nothing.

    .venv/bin/python benchmarks/history_bench.py [--days 28] [--runs 5] [--keep DIR]

Builds a season-sized local dataset (the demo plus generated game dates back to 180 dates
before Feb 4; in a temporary directory, never committed), then measures in the same run:

1. `history --days N` against a single `check` (the baseline), both in process (the work
   itself: run_history vs run_all, median of --runs) and as the CLI (python start-up
   included, median of 3);
2. the history screen against the main screen, headless (App.run_test), in each of --runs
   app runs: from opening the app until every panel has a result (baseline), then from
   opening the history screen until every cell of the grid has a result; the median ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.core.config import load_settings
from console.local import demo, demo_history
from console.local.demo_scenario import write_scenario
from console.local.scenario import load_scenario

END = date(2026, 2, 4)
AS_OF = datetime(2026, 2, 5, 16, tzinfo=UTC)  # 11:00 ET on the processing date


def build_season(dest: Path, dates: int) -> tuple[Path, int]:
    """The demo's scenario plus generated dates before its first, `dates` game dates in all."""
    write_scenario(dest)
    have = len(demo_history.DAYS) + len(demo.GAME_DATES)
    extra = tuple(demo_history.FIRST_DAY - timedelta(days=i) for i in range(dates - have, 0, -1))
    rows: dict[str, list] = {name: [] for name in demo.build_rows()}
    demo_history.add_days(rows, extra, random.Random(180))
    count = 0
    for table, table_rows in rows.items():
        with open(dest / "tables" / f"{table}.ndjson", "ab") as fh:
            fh.write(b"".join(orjson.dumps(r) + b"\n" for r in table_rows))
        count += len(table_rows)
    folder = dest / "firestore" / "phase3_completion"
    for doc_id, fields in demo_history.phase3_documents(extra).items():
        (folder / f"{doc_id}.json").write_bytes(orjson.dumps(fields))
    (dest / "logs" / "season.json").write_bytes(orjson.dumps(demo_history.log_entries(extra)))
    return dest, count


def timed(call, runs: int) -> float:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def in_process(settings, days: int, runs: int) -> tuple[float, float]:
    from console.backends.local_backend import LocalBackend
    from console.services.history import HistoryRange, contexts, run_history
    from console.services.runner import CheckContext, run_all

    backend = LocalBackend(settings)
    span = HistoryRange(END, days)
    run_all(backend, CheckContext(settings, END, AS_OF))  # warm the OS cache and the log parse cache alike
    check = timed(lambda: run_all(backend, CheckContext(settings, END, AS_OF)), runs)
    history = timed(lambda: run_history(backend, contexts(settings, span, AS_OF)), runs)
    return check, history


def cli(data: Path, days: int) -> tuple[float, float]:
    base = [sys.executable, "-m", "console", "--data-dir", str(data)]

    def run(*args: str) -> None:
        subprocess.run([*base, *args], stdout=subprocess.DEVNULL, check=False)

    return (
        timed(lambda: run("check", "--date", END.isoformat(), "--json"), 3),
        timed(lambda: run("history", "--days", str(days), "--end", END.isoformat(), "--json"), 3),
    )


async def screens(settings, days: int) -> tuple[float, float]:
    from console.core.clock import FixedClock
    from console.tui.app import NbaConsoleApp
    from console.tui.screens.history_screen import HistoryScreen

    class Silent:
        error = None

        def poll(self):
            return []

        def close(self):
            pass

        def describe(self):
            return "silent"

    t = time.perf_counter()  # from starting the app: the main screen populates as the app opens
    app = NbaConsoleApp(settings, clock=FixedClock(AS_OF), game_date=END, log_source_factory=lambda *a, **k: Silent())
    # Both screens are "populated" when every result is in its widgets; polled with a plain
    # sleep (pilot.pause would also wait for the next frame, whose cost a loaded machine multiplies).
    async with app.run_test(size=(200, 50)):
        while not all(s.result is not None or s.error is not None for s in app.states.values()):  # noqa: ASYNC110 - polled on purpose (above)
            await asyncio.sleep(0.005)
        main = time.perf_counter() - t
        assert all(s.result is not None for s in app.states.values()), "a panel failed"
        t = time.perf_counter()
        app.push_screen(HistoryScreen(END, days))
        while not (isinstance(app.screen, HistoryScreen) and app.screen.loaded):  # noqa: ASYNC110 - as above
            await asyncio.sleep(0.005)
        history = time.perf_counter() - t
    return main, history


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--dates", type=int, default=180, help="game dates in the dataset")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="keep the dataset's data dir here")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nba-history-bench-"))
    try:
        t = time.perf_counter()
        scenario, _extra_rows = build_season(tmp / "scenario", args.dates)
        data = args.keep or tmp / "data"
        settings = load_settings(data_dir=data, state_dir=tmp / "state")
        counts = load_scenario(scenario, settings)
        rows = sum(v for k, v in counts.items() if "/tables/" in f"/{k}")
        print(f"dataset: {args.dates} game dates, {rows} table rows, built in {time.perf_counter() - t:.1f}s")
        check, history = in_process(settings, args.days, args.runs)
        print(
            f"in process : check {check * 1000:7.1f} ms   history --days {args.days} {history * 1000:7.1f} ms"
            f"   ratio {history / check:.2f}x"
        )
        check, history = cli(data, args.days)
        print(
            f"CLI        : check {check * 1000:7.1f} ms   history --days {args.days} {history * 1000:7.1f} ms"
            f"   ratio {history / check:.2f}x"
        )
        trials = [asyncio.run(screens(settings, args.days)) for _ in range(args.runs)]
        main_s, history_s = (statistics.median(t[i] for t in trials) for i in (0, 1))
        ratio = statistics.median(h / m for m, h in trials)
        print(
            f"screens    : main {main_s * 1000:7.1f} ms   history ({args.days} dates) {history_s * 1000:7.1f} ms"
            f"   ratio {ratio:.2f}x (median of {args.runs} app runs, each measuring both)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            shutil.rmtree(tmp / "scenario", ignore_errors=True)


if __name__ == "__main__":
    main()
