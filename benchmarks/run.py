"""Issue 13's table in one run: every row as a ratio against its baseline measured in the same run.

    make bench                      # = .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py [--runs N] [--only help,check,...] [--no-write]

Rows (median of N, target and baseline interleaved so a noisy neighbour hits both):
  help     `nba-console --help` vs `python -c pass`
  check    `nba-console check --date 2026-02-04 --json` (whole process) vs a script opening the same
           DuckDB file and running the same transpiled queries (probes.py raw-check)
  console  the console populated (all six panels) under Pilot vs a bare app with six Static panels
  terminal the console started in a real terminal (tmux, 200x50) until the Feb 4 grading figures
           and the drift panel are painted vs a bare six-panel Textual app until its text is
           painted (probes.py bare-terminal)
  errors   `nba-console logs search FILE --severity ERROR --count` over 1M entries vs `grep -c`
  print    `nba-console logs search FILE --severity ERROR` (the lines `tail` prints) vs `grep PATTERN FILE`
  json     `nba-console logs search FILE --severity ERROR --json` vs `grep PATTERN FILE`
           (these three write to a file, as their baselines do: GNU grep writing to /dev/null
           stops at the first match)
  keys     p95 key latency while 5,000 entries/s arrive (logs_bench.bench_keys), every run < 50 ms
  idle     idle console CPU, % of a core, over 8 s with a live clock
  load     `local load` of a season-sized scenario (season_scenario.py) vs DuckDB read_json of the
           same files into the same tables

Everything is made in one temporary directory, removed at the end (no leftovers between runs);
generators are seeded. Child processes run with the bytecode cache on (each command is run once
to warm it first). Writes the table to BENCHMARKS.md between the bench markers.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import pickle
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PY = sys.executable
CLI = str(Path(PY).parent / "nba-console")
PROBES = str(ROOT / "benchmarks" / "probes.py")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("NBA_CONSOLE_")}
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass
class Row:
    key: str
    what: str
    figure: float
    baseline: float | None  # None: an absolute figure (no ratio)
    goal: float
    unit: str = "s"
    detail: str = ""

    @property
    def ratio(self) -> float | None:
        return self.figure / self.baseline if self.baseline else None

    @property
    def passed(self) -> bool:
        return (self.ratio if self.baseline else self.figure) < self.goal

    def cells(self) -> list[str]:
        fig = f"{self.figure:.3f} {self.unit}" if self.unit == "s" else f"{self.figure:.2f} {self.unit}"
        base = f"{self.baseline:.3f} s" if self.baseline else "-"
        ratio = f"{self.ratio:.2f}x" if self.baseline else fig
        goal = f"< {self.goal:g}x" if self.baseline else f"< {self.goal:g} {self.unit}"
        return [self.what, fig, base, ratio, goal, "PASS" if self.passed else "FAIL"]


def wall(cmd: list[str], out: Path | None = None, **kw) -> float:
    """Wall time of a command, its output to `out` (a file) or discarded."""
    t = time.perf_counter()
    if out is not None:
        with open(out, "wb") as fh:
            done = subprocess.run(cmd, env=ENV, stdout=fh, stderr=subprocess.PIPE, **kw)
    else:
        done = subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    if done.returncode not in (0, 1):  # `check` exits 1 when a check fails (the demo's do)
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return time.perf_counter() - t


def paired(target, baseline, runs: int, timed_by_callable: bool = False) -> tuple[float, float]:
    """Median wall time of two commands (or callables), interleaved, after one warm-up each.
    `timed_by_callable`: the callables return the time themselves (from a moment they know)."""

    def once(what):
        if timed_by_callable:
            return what()
        if callable(what):
            t = time.perf_counter()
            what()
            return time.perf_counter() - t
        if isinstance(what, tuple):  # (command, output file)
            return wall(what[0], what[1])
        return wall(what)

    once(target), once(baseline)
    a, b = [], []
    for _ in range(runs):
        a.append(once(target))
        b.append(once(baseline))
    return statistics.median(a), statistics.median(b)


# ------------------------------------------------------------------ rows


def row_help(runs: int, _tmp: Path) -> Row:
    a, b = paired([CLI, "--help"], [PY, "-c", "pass"], runs)
    return Row("help", "`nba-console --help` vs `python -c pass`", a, b, 4)


def _demo(tmp: Path) -> Path:
    data = tmp / "demo"
    if not data.exists():
        subprocess.run(
            [CLI, "--data-dir", str(data), "local", "seed-demo"], env=ENV, check=True, stdout=subprocess.DEVNULL
        )
    return data


def _captured_queries(data: Path, out: Path) -> int:
    """The queries `check --date 2026-02-04` runs, with their parameters, as DuckDB text."""
    from console.backends.local_backend import LocalBackend
    from console.core.config import load_settings
    from console.local.scenario import DB_FILE
    from console.services.runner import CheckContext, run_all

    settings = load_settings(data_dir=data, state_dir=data / "state")
    backend = LocalBackend(settings)
    seen: list = []
    run_query = backend.run_query

    def recording(name, params):
        text = backend.query_text(name)
        seen.append((text, {k: v for k, v in params.items() if f"${k}" in text}))
        return run_query(name, params)

    backend.run_query = recording
    ctx = CheckContext(settings=settings, game_date=date(2026, 2, 4), as_of=datetime.now(UTC))
    run_all(backend, ctx)
    backend.close()
    out.write_bytes(pickle.dumps((str(backend.root() / DB_FILE), seen)))
    return len(seen)


def row_check(runs: int, tmp: Path) -> Row:
    data = _demo(tmp)
    n = _captured_queries(data, tmp / "queries.pickle")
    a, b = paired(
        [CLI, "--data-dir", str(data), "check", "--date", "2026-02-04", "--json"],
        [PY, PROBES, "raw-check", str(tmp / "queries.pickle")],
        runs,
    )
    return Row("check", f"`check --date 2026-02-04 --json` vs raw DuckDB, same {n} queries", a, b, 2)


def row_console(runs: int, tmp: Path) -> Row:
    data = _demo(tmp)
    a, b = paired([PY, PROBES, "populated", str(data)], [PY, PROBES, "bare"], runs)
    return Row("console", "console populated (six panels) under Pilot vs bare app, six Static", a, b, 2)


TMUX = ["tmux", "-L", "nba-bench"]  # a server of its own: other tmux sessions are left alone
PAINTED_CONSOLE = ("743/759 graded", "13.4 d behind")  # the Feb 4 grading figures, the drift panel
PAINTED_BARE = ("panel 0", "panel 5")


def painted_in_terminal(cmd: list[str], marks: tuple[str, ...], env: dict[str, str], timeout: float = 60) -> float:
    """Seconds from starting `cmd` in a 200x50 tmux terminal until every one of `marks` is on
    the screen (capture-pane polled every 10 ms; the same cost on both sides of a row)."""
    name = f"bench-{os.getpid()}-{time.monotonic_ns()}"
    command = " ".join(shlex.quote(w) for w in ["env", *(f"{k}={v}" for k, v in env.items()), *cmd])
    t = time.perf_counter()
    started = subprocess.run(
        [*TMUX, "new-session", "-d", "-s", name, "-x", "200", "-y", "50", command],
        env=ENV,
        capture_output=True,
        text=True,
    )
    if started.returncode:
        raise RuntimeError(f"tmux new-session: {started.stderr.strip()}")
    try:
        while time.perf_counter() - t < timeout:
            screen = subprocess.run(
                [*TMUX, "capture-pane", "-p", "-t", name], env=ENV, capture_output=True, text=True
            ).stdout
            if all(m in screen for m in marks):
                return time.perf_counter() - t
            time.sleep(0.01)
        raise RuntimeError(f"{' '.join(cmd)}: {marks} not painted in {timeout:.0f} s; the screen:\n{screen}")
    finally:
        subprocess.run([*TMUX, "kill-session", "-t", name], env=ENV, check=False, capture_output=True)


def row_terminal(runs: int, tmp: Path) -> Row:
    if shutil.which("tmux") is None:
        raise RuntimeError("the terminal row needs tmux (apt-get install -y tmux)")
    data = _demo(tmp)
    env = {"XDG_STATE_HOME": str(tmp / "state"), "XDG_CONFIG_HOME": str(tmp / "config"), "TERM": "xterm-256color"}
    console = [CLI, "--data-dir", str(data), "--date", "2026-02-04", "--at", "2026-02-05T11:00"]
    # A session held open for the row: a server whose last session ends exits, and the next
    # new-session would race its exit ("server exited unexpectedly").
    subprocess.run([*TMUX, "new-session", "-d", "-s", "hold", "sleep 3600"], env=ENV, check=True)
    try:
        a, b = paired(
            functools.partial(painted_in_terminal, console, PAINTED_CONSOLE, env),
            functools.partial(painted_in_terminal, [PY, PROBES, "bare-terminal"], PAINTED_BARE, env),
            runs,
            timed_by_callable=True,
        )
    finally:
        subprocess.run([*TMUX, "kill-server"], env=ENV, check=False, capture_output=True)
    return Row("terminal", "console in tmux 200x50 until Feb 4's figures and drift are painted vs bare app", a, b, 2)


def _log_export(tmp: Path, entries: int) -> Path:
    from logs_bench import generate

    path = tmp / "export.ndjson"
    if not path.exists():
        generate(path, entries)
    return path


GREP_ERROR = '"severity":"ERROR"'  # the demo export writes compact JSON: one spelling finds them all


def _search_rows(tmp: Path, entries: int, flag: list[str], grep: list[str]) -> tuple:
    path = _log_export(tmp, entries)
    ours, theirs = tmp / "ours.out", tmp / "theirs.out"
    return (
        ([CLI, "logs", "search", str(path), "--severity", "ERROR", *flag], ours),
        (["grep", *grep, GREP_ERROR, str(path)], theirs),
    )


def row_errors(runs: int, tmp: Path, entries: int) -> Row:
    a, b = paired(*_search_rows(tmp, entries, ["--count"], ["-c"]), runs)
    return Row("errors", f"`logs search --severity ERROR --count` over {entries:,} entries vs `grep -c`", a, b, 2)


def row_print(runs: int, tmp: Path, entries: int) -> Row:
    target, baseline = _search_rows(tmp, entries, [], [])
    a, b = paired(target, baseline, runs)
    _same_matches(target[1], baseline[1], plain=True)
    return Row("print", f"`logs search --severity ERROR` ({entries:,} entries) to a file vs `grep` to a file", a, b, 3)


def row_json(runs: int, tmp: Path, entries: int) -> Row:
    target, baseline = _search_rows(tmp, entries, ["--json"], [])
    a, b = paired(target, baseline, runs)
    _same_matches(target[1], baseline[1], plain=False)
    return Row("json", f"`logs search --severity ERROR --json` ({entries:,} entries) vs `grep` to a file", a, b, 2)


def _same_matches(ours: Path, theirs: Path, plain: bool) -> None:
    """The rows time the same answer: as many lines as grep's (and, as NDJSON, the same bytes)."""
    if plain:
        with open(ours, "rb") as a, open(theirs, "rb") as b:
            same = sum(1 for _ in a) == sum(1 for _ in b)
    else:
        same = ours.read_bytes() == theirs.read_bytes()
    if not same:
        raise RuntimeError(f"{ours} and {theirs} differ: the search's answer is not grep's")


def row_keys(runs: int, _tmp: Path) -> Row:
    import io
    from contextlib import redirect_stdout

    from logs_bench import bench_keys

    p95s = []
    for _ in range(runs):
        with redirect_stdout(io.StringIO()):
            latencies = sorted(asyncio.run(bench_keys(5000, 60)))
        p95s.append(latencies[int(len(latencies) * 0.95) - 1])
    return Row(
        "keys",
        "p95 key latency at 5,000 entries/s (worst run)",
        max(p95s),
        None,
        50,
        "ms",
        "runs: " + ", ".join(f"{p:.1f}" for p in p95s),
    )


def row_idle(runs: int, tmp: Path) -> Row:
    data = _demo(tmp)
    figures = []
    for _ in range(runs):
        out = subprocess.run(
            [PY, PROBES, "idle", str(data), "8", "live-clock"], env=ENV, capture_output=True, text=True, check=True
        )
        figures.append(float(out.stdout.strip().splitlines()[-1]))
    return Row(
        "idle",
        "idle console CPU (% of a core, 8 s, live clock)",
        statistics.median(figures),
        None,
        1,
        "%",
        "runs: " + ", ".join(f"{f:.2f}" for f in figures),
    )


def _read_json_baseline(scenario: Path, db: Path) -> None:
    import duckdb

    from console.core.config import Settings
    from console.core.schema import DUCKDB_TYPES
    from console.local.scenario import create_tables
    from console.local.validate import tables_by_file

    db.unlink(missing_ok=True)
    settings = Settings(data_dir=db.parent)
    con = duckdb.connect(str(db))
    create_tables(con, settings)
    for file_name, spec in tables_by_file(settings).items():
        path = scenario / "tables" / file_name
        schema_name, table = file_name[: -len(".ndjson")].split(".")
        columns = ", ".join(f"'{c.name}': '{DUCKDB_TYPES[c.type]}'" for c in spec.columns)
        names = ", ".join(c.name for c in spec.columns)
        con.execute(
            f'INSERT INTO "{schema_name}"."{table}" ({names}) SELECT {names} FROM '
            f"read_json(?, format='newline_delimited', columns={{{columns}}})",
            [str(path)],
        )
    con.close()


def row_load(runs: int, tmp: Path) -> Row:
    from season_scenario import write

    scenario = tmp / "season"
    if not scenario.exists():
        write(scenario)
    data, base = tmp / "season-data", tmp / "season-raw"
    base.mkdir(exist_ok=True)
    a, b = paired(
        [CLI, "--data-dir", str(data), "local", "load", str(scenario)],
        lambda: _read_json_baseline(scenario, base / "raw.duckdb"),
        runs,
    )
    return Row("load", "`local load` season scenario (180 dates) vs DuckDB read_json", a, b, 3)


# row -> (function, default N): about 2 minutes in all on the 2-core box. The console row takes
# 11 pairs, as `check` does: its runs spread over ±15 % on this shared box, and with 7 the
# median's ratio moved by ±0.1x from one bench to the next.
ROWS = {
    "help": (row_help, 15),
    "check": (row_check, 11),
    "console": (row_console, 11),
    "terminal": (row_terminal, 7),
    "errors": (row_errors, 5),
    "print": (row_print, 5),
    "json": (row_json, 5),
    "keys": (row_keys, 3),
    "idle": (row_idle, 3),
    "load": (row_load, 3),
}


# ------------------------------------------------------------------ output


def machine() -> str:
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"
        f" ({platform.machine()})"
    )


def table(rows: list[Row]) -> str:
    lines = ["| what | figure | baseline | ratio | goal | |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def write_markdown(rows: list[Row], elapsed: float, argv: list[str]) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    details = "\n".join(f"- {r.key}: {r.detail}" for r in rows if r.detail)
    section = (
        f"{START}\n## Issue 13: start-up, screen and load (`make bench`, benchmarks/run.py)\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; "
        f"`python benchmarks/run.py {' '.join(argv)}`".rstrip()
        + f" took {elapsed:.0f} s. Figures are "
        "medians of N interleaved runs; a ratio is against its baseline measured in the same run.\n\n"
        f"{table(rows)}\n\n{details}\n{END}"
    )
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        title, _, body = text.partition("\n")
        text = f"{title}\n\n{section}\n{body}"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description="Issue 13's benchmark table")
    ap.add_argument("--runs", type=int, help="N for every row (default: per row, ~2 minutes in all)")
    ap.add_argument("--only", help="comma-separated rows: " + ",".join(ROWS))
    ap.add_argument("--entries", type=int, default=1_000_000, help="log entries for the errors, print and json rows")
    ap.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    args = ap.parse_args()
    keys = args.only.split(",") if args.only else list(ROWS)
    started = time.perf_counter()
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="nba-bench-"))
    try:
        print(f"machine: {machine()}", flush=True)
        for key in keys:
            fn, default_runs = ROWS[key]
            runs = args.runs or default_runs
            kwargs = {"entries": args.entries} if key in ("errors", "print", "json") else {}
            t = time.perf_counter()
            row = fn(runs, tmp, **kwargs)
            rows.append(row)
            print(
                " | ".join(row.cells())
                + f"  [N={runs}, {time.perf_counter() - t:.0f} s]"
                + (f"  {row.detail}" if row.detail else ""),
                flush=True,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.perf_counter() - started
    print("\n" + table(rows))
    if not args.no_write:
        write_markdown(rows, elapsed, sys.argv[1:])
    print(f"\n{sum(r.passed for r in rows)}/{len(rows)} rows under their goal ({elapsed:.0f} s)")
    return 0 if all(r.passed for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
