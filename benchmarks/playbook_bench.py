"""Playbook safety figures (issue 10). Prints figures and ratios; asserts nothing.

    .venv/bin/python benchmarks/playbook_bench.py [--rounds 5]

1. the cost of the gate (a step's command spawned behind `procs.GatedProcess`, so its pid
   and pgid are recorded before it starts) against a plain `subprocess.Popen` of the same
   command, measured in the same run (ratio);
2. SIGTERM to `nba-console playbook run ... --yes` while its step's command runs (a fake
   deploy script that sleeps): the time until the console has exited, with the step's
   process group terminated, the audit written and the lock released.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file: the repo's packages

from console.playbook.procs import GatedProcess
from tests.helpers.pb_fakes import deploy_events, fake_env, make_checkout

ROOT = Path(__file__).resolve().parents[1]


def spawn_cost(rounds: int) -> tuple[float, float]:
    def plain() -> None:
        subprocess.Popen(["true"], stdout=subprocess.PIPE, stderr=subprocess.PIPE).communicate()

    def gated() -> None:
        g = GatedProcess(["true"], None)
        g.open_gate()
        g.proc.communicate()

    out = []
    for fn in (plain, gated):
        times = []
        for _ in range(rounds * 4):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        out.append(statistics.median(times))
    return out[0], out[1]


def sigterm_exit(rounds: int) -> list[float]:
    figures = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            checkout = make_checkout(tmp / "platform")
            hang = tmp / "hang"
            hang.write_text("")
            env = {k: v for k, v in os.environ.items() if not k.startswith("NBA_CONSOLE_")}
            env.update(
                fake_env(tmp),
                FAKE_HANG="prediction-worker",
                FAKE_HANG_FILE=str(hang),
                FAKE_HANG_S="120",
                NBA_CONSOLE_BACKEND="gcp",
                NBA_CONSOLE_STATE_DIR=str(tmp / "state"),
                NBA_CONSOLE_DATA_DIR=str(tmp / "data"),
                NBA_CONSOLE_GCP__PLATFORM_CHECKOUT=str(checkout),
                NBA_CONSOLE_PLAYBOOKS__FIRESTORE_LOCK="false",
            )
            proc = subprocess.Popen(
                [sys.executable, "-m", "console", "playbook", "run", "rollback-prediction-services", "--yes"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            while not deploy_events(tmp):
                time.sleep(0.02)
            time.sleep(0.3)  # the step is streaming
            t0 = time.perf_counter()
            proc.send_signal(signal.SIGTERM)
            proc.wait()
            figures.append(time.perf_counter() - t0)
            assert not (tmp / "state" / "playbook.lock").exists()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    plain, gated = spawn_cost(args.rounds)
    print(
        f"spawn + wait, median: plain Popen {plain * 1000:.1f} ms, gated {gated * 1000:.1f} ms "
        f"(ratio {gated / plain:.2f}x, +{(gated - plain) * 1000:.1f} ms per step)"
    )
    exits = sigterm_exit(args.rounds)
    print(
        f"SIGTERM mid-step -> console exited (group terminated, audited, lock released): "
        f"median {statistics.median(exits):.2f} s, max {max(exits):.2f} s over {len(exits)} rounds"
    )


if __name__ == "__main__":
    main()
