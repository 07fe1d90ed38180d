"""Helpers shared by the serve tests: a free port, `nba-console serve` as a subprocess, waiting."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], object], timeout: float = 30.0, what: str = "condition", step: float = 0.1):
    """Poll until predicate() is truthy (no fixed sleeps: the machine may be slow)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(step)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes (its parent has not reaped it yet).
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@dataclass
class ServedConsole:
    process: subprocess.Popen
    base: str
    token: str | None
    out_path: Path
    err_path: Path

    def url(self, with_token: bool = True) -> str:
        return f"{self.base}/?token={self.token}" if with_token and self.token else f"{self.base}/"

    def output(self) -> str:
        return self.out_path.read_text(errors="replace") + self.err_path.read_text(errors="replace")

    def status(self) -> dict:
        import urllib.request

        request = urllib.request.Request(f"{self.base}/status", headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return orjson.loads(response.read())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_served_console(
    tmp: Path, data_dir: Path, extra_env: dict[str, str] | None = None, args: tuple[str, ...] = ("--require-token",)
) -> ServedConsole:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBA_CONSOLE_")}
    env.update(
        {
            "NBA_CONSOLE_STATE_DIR": str(tmp / "state"),
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
    )
    port = free_port()
    out_path, err_path = tmp / "serve.out", tmp / "serve.err"
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--data-dir", str(data_dir), "serve", "--port", str(port), *args],
        stdin=subprocess.DEVNULL,
        stdout=out_path.open("wb"),
        stderr=err_path.open("wb"),
        env=env,
    )
    served = ServedConsole(process, f"http://127.0.0.1:{port}", None, out_path, err_path)

    def started():
        if process.poll() is not None:
            raise AssertionError(f"nba-console serve exited {process.returncode}: {served.output()}")
        return re.search(r"open (http://\S+)", out_path.read_text(errors="replace"))

    found = wait_until(started, 60, "the server's URL")
    token = re.search(r"[?&]token=([\w-]+)", found.group(1))
    served.token = token.group(1) if token else None
    wait_until(lambda: _listening(port), 30, "the server to listen")
    return served


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0
