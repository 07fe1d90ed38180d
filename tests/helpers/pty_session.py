"""A command run on a pseudo-terminal, as a person at a terminal runs it: wait for text on the
screen, type keys, and end it, each step bounded in time (tests/functional/test_readme_commands.py).

The screen is the raw output with escape sequences removed, so a TUI's words can be waited
for; nothing here depends on Textual.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from dataclasses import dataclass, field

ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0e-\x1f]")


@dataclass
class PtyResult:
    returncode: int | None  # None: it had to be killed
    screen: str  # everything written, escape sequences removed
    steps: list[str] = field(default_factory=list)  # what happened, for the failure message


class PtySession:
    def __init__(self, argv: list[str], env: dict[str, str], cwd: str, size: tuple[int, int] = (120, 40)) -> None:
        master, slave = os.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
        )  # its own session: the pty is its terminal
        os.close(slave)
        self.master = master
        self.raw = bytearray()
        self.steps: list[str] = []

    @property
    def screen(self) -> str:
        return ANSI.sub(b"", bytes(self.raw)).decode("utf-8", "replace")

    def _pump(self, until: float) -> None:
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.master], [], [], min(left, 0.1))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the other side closed: the process ended
                    chunk = b""
                if not chunk:
                    time.sleep(min(left, 0.05))
                    if self.proc.poll() is not None:
                        return
                self.raw += chunk
                return
            if self.proc.poll() is not None:
                return

    def expect(self, pattern: str, timeout: float) -> bool:
        """Wait until `pattern` (a regex) is on the screen; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while time.monotonic() < deadline:
            if rx.search(self.screen):
                self.steps.append(f"saw {pattern!r}")
                return True
            if self.proc.poll() is not None:
                self._pump(time.monotonic() + 0.2)
                found = bool(rx.search(self.screen))
                self.steps.append(f"{'saw' if found else 'ended before'} {pattern!r}")
                return found
            self._pump(deadline)
        self.steps.append(f"no {pattern!r} within {timeout:g} s")
        return False

    def send(self, text: str) -> None:
        self.steps.append(f"typed {text!r}")
        os.write(self.master, text.encode())

    def signal(self, sig: int) -> None:
        self.steps.append(f"sent {signal.Signals(sig).name}")
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def finish(self, timeout: float) -> PtyResult:
        """Wait for the process to end; kill its group after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._pump(min(deadline, time.monotonic() + 0.2))
        code = self.proc.poll()
        if code is None:
            self.steps.append(f"still running after {timeout:g} s: killed")
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)
        self._pump(time.monotonic() + 0.2)
        os.close(self.master)
        return PtyResult(code, self.screen, self.steps)
