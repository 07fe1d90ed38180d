"""A big log file judged (issue 24, item 3): `check --only sequential_execution` and `history`
over the demo plus a ~1 GB NDJSON file of the processing morning; wall time and peak RSS of
each command (the child's own ru_maxrss), against `grep -c` over the same file in the same run.
Asserts nothing.

    .venv/bin/python benchmarks/big_log_bench.py [--gb 1.0] [--runs 3] [--format ndjson|json]
                                                 [--code DIR] [--keep DIR]

`--code DIR` runs the console from another checkout (e.g. `git archive COMMIT | tar -x -C DIR`)
with this venv, for a before/after figure on the same file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file: the repo's packages

from benchmarks.logs_bench import SERVICES, SEVERITIES, TEMPLATE, text_for

ROOT = Path(__file__).resolve().parents[1]

T0 = datetime(2026, 2, 5, 12, 30, tzinfo=UTC)  # 07:30 ET on the demo's processing morning


def generate(path: Path, size: int) -> int:
    """Entries every 5 ms from 07:30 ET (so all inside the processing day), five services,
    a Level line in every thousand; returns how many. A `.json` path gets a JSON array (one
    compact entry per line; `gcloud logging read --format=json` indents its own)."""
    n, array = 0, path.suffix == ".json"
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as fh:
        fh.write("[\n" if array else "")
        while fh.tell() < size:
            for i in range(n, n + 10_000):
                ts = (T0 + timedelta(milliseconds=i * 5)).isoformat().replace("+00:00", "Z")
                line = TEMPLATE.format(
                    iid=i * 2654435761 % (1 << 64), ts=ts, svc=SERVICES[i % 5], sev=SEVERITIES[i % 20], text=text_for(i)
                )
                fh.write(("," if array and i else "") + line)
            n += 10_000
        fh.write("]\n" if array else "")
    return n


def _hwm(pid: int) -> int:
    """The process's own high-water RSS (VmHWM, this exec's memory only), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measured(argv: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in bytes, exit code, last line of output) of one command. The peak
    is VmHWM read every 20 ms while it runs: `ru_maxrss` of a child forked from this process
    starts at this process's own RSS (Linux carries it across exec)."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tempfile.gettempdir())
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _hwm(proc.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - t
        out.seek(0)
        lines = out.read().decode(errors="replace").strip().splitlines()
    return seconds, peak, proc.returncode, lines[-1] if lines else ""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--code", type=Path, help="run the console from this source tree instead")
    ap.add_argument("--keep", type=Path, help="keep (or reuse) the data folder here")
    ap.add_argument("--format", choices=("ndjson", "json"), default="ndjson", help="NDJSON, or a JSON array")
    args = ap.parse_args()

    tmp = args.keep or Path(tempfile.mkdtemp(prefix="nba-biglog-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBA_CONSOLE_", "XDG_"))}
    for name in ("STATE", "CONFIG", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(tmp / name.lower())
    env["NBA_CONSOLE_DATA_DIR"] = str(tmp / "data")
    # Not the repository as the working directory: `python -m` would import from there first.
    env["PYTHONPATH"] = str((args.code or ROOT).resolve())
    cli = [sys.executable, "-m", "console"]
    big = None
    if (tmp / "data" / "current").exists():
        big = next((tmp / "data" / "current" / "logs").resolve().glob(f"big.{args.format}"), None)
    if big is None:
        subprocess.run(
            [*cli, "local", "ensure-demo"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir()
        )
        big = (tmp / "data" / "current" / "logs").resolve() / f"big.{args.format}"
        t = time.perf_counter()
        n = generate(big, int(args.gb * 1e9))
        print(f"# generated {n:,} entries, {big.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - t:.0f} s")
    size = big.stat().st_size
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.2f}; code: {args.code or ROOT}; file {size / 1e9:.2f} GB"
    )
    commands = {
        "check --only sequential_execution": [*cli, "check", "--date", "2026-02-04", "--only", "sequential_execution"],
        "history --days 3 --only sequential_execution": [
            *cli,
            "history",
            "--end",
            "2026-02-04",
            "--days",
            "3",
            "--only",
            "sequential_execution",
        ],
        "grep -c Level (baseline)": ["grep", "-c", "Level", str(big)],
    }
    try:
        for name, argv in commands.items():
            times, peaks = [], []
            for _ in range(args.runs):
                seconds, peak, code, last = measured(argv, env)
                times.append(seconds)
                peaks.append(peak)
            print(
                f"{name:<46} {statistics.median(times):6.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}), "
                f"peak RSS {max(peaks) / 1e6:,.0f} MB, exit {code}: {last[:70]}"
            )
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
