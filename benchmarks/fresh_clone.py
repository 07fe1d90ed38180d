"""How long a fresh clone's `make run` takes to show the console (issue 25: under 20 s).

    .venv/bin/python benchmarks/fresh_clone.py [--runs 3] [--ref HEAD]

Each run clones the repository (`git clone` of REF) into a temporary directory, starts
`make run` there in a pseudo-terminal of 80x24, and times from the start of `make` until the
console's header ("NBA console") is on the terminal: uv installed into .tools/ through pip,
the venv synced from uv.lock, the demo seeded, the console started. Two kinds of run,
interleaved: "warm" uses the machine's uv and pip download caches as they are; "cold" gives
both an empty directory, so every wheel is downloaded again. Data, state, config and the
console's own cache always start empty (XDG_* in the clone). Prints one line per run and the
medians; removes everything it made.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCREEN = re.compile(rb"NBA\s+console")  # the header's first words, whatever the escapes between
LIMIT_S = 300.0


def first_screen(clone: Path, env: dict[str, str]) -> float:
    """Seconds from `make run` to the console's header on its terminal."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: make run in the clone, on the pty
        os.chdir(clone)
        os.execvpe("make", ["make", "run"], env)
    import fcntl
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    seen = b""
    try:
        while time.perf_counter() - start < LIMIT_S:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child's side closed: make ended before any screen
                break
            if not chunk:
                break
            seen = (seen + chunk)[-200_000:]
            if SCREEN.search(seen):
                return time.perf_counter() - start
        raise RuntimeError(
            f"no console screen within {LIMIT_S:.0f} s; last output:\n" + seen[-2000:].decode("utf-8", "replace")
        )
    finally:
        try:
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)


def one_run(ref: str, kind: str, tmp: Path) -> float:
    clone = tmp / f"clone-{kind}"
    shutil.rmtree(clone, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", ref], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBA_CONSOLE_", "UV_", "VIRTUAL_ENV"))}
    env.update(TERM="xterm-256color", COLUMNS="80", LINES="24")
    for name in ("DATA", "STATE", "CONFIG"):
        env[f"XDG_{name}_HOME"] = str(clone / ".tmp" / name.lower())
    env["NBA_CONSOLE_CACHE_DIR"] = str(clone / ".tmp" / "console-cache")
    if kind == "cold":
        env["UV_CACHE_DIR"] = str(tmp / "uv-cache-cold")
        env["PIP_CACHE_DIR"] = str(tmp / "pip-cache-cold")
        shutil.rmtree(env["UV_CACHE_DIR"], ignore_errors=True)
        shutil.rmtree(env["PIP_CACHE_DIR"], ignore_errors=True)
    try:
        return first_screen(clone, env)
    finally:
        shutil.rmtree(clone, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of each kind (default 3)")
    ap.add_argument("--ref", default="HEAD", help="the commit to clone (default HEAD)")
    args = ap.parse_args()
    figures: dict[str, list[float]] = {"warm": [], "cold": []}
    tmp = Path(tempfile.mkdtemp(prefix="nba-fresh-clone-"))
    try:
        for i in range(args.runs):
            for kind in ("warm", "cold") if i % 2 == 0 else ("cold", "warm"):
                seconds = one_run(args.ref, kind, tmp)
                figures[kind].append(seconds)
                print(f"{kind}: {seconds:.1f} s (load average {os.getloadavg()[0]:.2f})", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for kind, values in figures.items():
        print(
            f"{kind} caches: median {statistics.median(values):.1f} s over {len(values)} "
            f"({', '.join(f'{v:.1f}' for v in values)}); goal < 20 s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
