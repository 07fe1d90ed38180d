"""Child processes timed by benchmarks/run.py (each one whole process, as a user feels it).

probes.py raw-check QUERIES.pickle     the baseline of `check`: open the DuckDB file, run the
                                       same (already transpiled) queries, nothing else
probes.py populated DATA_DIR           the console under Pilot until all six panels have a result
probes.py bare                         a bare Textual app with six Static panels, first paint
probes.py bare-terminal                the same bare app run in the terminal (the terminal row's
                                       baseline: run.py times it until its text is painted)
probes.py idle DATA_DIR SECONDS        the populated console left alone: prints CPU % of a core
"""

from __future__ import annotations

import sys
from datetime import UTC


def raw_check(path: str) -> None:
    import pickle

    import duckdb

    with open(path, "rb") as fh:
        db, queries = pickle.load(fh)
    con = duckdb.connect(db, read_only=True)
    for text, params in queries:
        con.execute(text, params).fetchall()
    con.close()


def _console_app(data_dir: str):
    from datetime import date, datetime

    from console.core.clock import FixedClock, SystemClock
    from console.core.config import load_settings
    from console.tui.app import NbaConsoleApp

    settings = load_settings(data_dir=data_dir, state_dir=f"{data_dir}/state")
    fixed = len(sys.argv) < 5 or sys.argv[4] != "live-clock"
    clock = FixedClock(datetime(2026, 2, 5, 16, tzinfo=UTC)) if fixed else SystemClock()
    return NbaConsoleApp(settings, clock=clock, game_date=date(2026, 2, 4))


async def _until_populated(pilot) -> None:
    import asyncio

    app = pilot.app
    # Polled with a plain sleep, not an event: the app offers none, and pilot.pause would wait a frame.
    while not all(s.result is not None or s.error is not None for s in app.states.values()):  # noqa: ASYNC110 - above
        await asyncio.sleep(0.005)
    await pilot.pause()  # the last result painted


def populated(data_dir: str) -> None:
    import asyncio

    async def main() -> None:
        app = _console_app(data_dir)
        async with app.run_test(size=(200, 50)) as pilot:
            await _until_populated(pilot)

    asyncio.run(main())


def _bare_app():
    from textual.app import App
    from textual.containers import Grid
    from textual.widgets import Static

    class Bare(App):
        CSS = "Grid { grid-size: 3 2; }"

        def compose(self):
            with Grid():
                for i in range(6):
                    yield Static(f"panel {i}")

    return Bare()


def bare() -> None:
    import asyncio

    async def main() -> None:
        async with _bare_app().run_test(size=(200, 50)) as pilot:
            await pilot.pause()

    asyncio.run(main())


def bare_terminal() -> None:
    _bare_app().run()  # until run.py kills its terminal


def idle(data_dir: str, seconds: float) -> None:
    import asyncio
    import time

    async def main() -> None:
        app = _console_app(data_dir)
        async with app.run_test(size=(200, 50)) as pilot:
            await _until_populated(pilot)
            await asyncio.sleep(1.5)  # let the first refresh settle
            cpu, wall = time.process_time(), time.perf_counter()
            await asyncio.sleep(seconds)
            print(f"{(time.process_time() - cpu) / (time.perf_counter() - wall) * 100:.3f}")

    asyncio.run(main())


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "raw-check":
        raw_check(sys.argv[2])
    elif what == "populated":
        populated(sys.argv[2])
    elif what == "bare":
        bare()
    elif what == "bare-terminal":
        bare_terminal()
    elif what == "idle":
        idle(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(f"unknown probe {what!r}")
