"""Process helpers for emulator subprocesses.

Every emulator is started in its *own process group/session*
(``start_new_session=True``) so that stopping it can signal the whole tree:
``gcloud emulators firestore start`` is a Python wrapper that spawns a bash
launcher that spawns ``java``; killing only the wrapper PID leaves the JVM
running and holding the port.

Only the standard library is used so this module can be imported from any
venv.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "EmulatorProcess",
    "EmulatorStartError",
    "free_port",
    "process_group_alive",
    "start_process",
    "wait_for_http_ok",
    "wait_for_port",
]


class EmulatorStartError(RuntimeError):
    """The emulator exited early or never opened its port."""


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is currently free on *host*.

    There is an unavoidable race between closing this socket and the emulator
    binding the port; with ephemeral ports the window is tiny in practice.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def process_group_alive(pgid: int) -> bool:
    """True if any process (other than zombies) is still in group *pgid*."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists but not ours
        return True
    # killpg(0) succeeds for zombies too; look at /proc to ignore them.
    proc = Path("/proc")
    if not proc.is_dir():  # non-Linux: trust killpg
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...; comm may contain spaces/parens.
        rest = stat[stat.rfind(")") + 2 :].split()
        if len(rest) >= 3 and int(rest[2]) == pgid and rest[0] != "Z":
            return True
    return False


@dataclass
class EmulatorProcess:
    """A running emulator: a Popen in its own process group plus log capture."""

    name: str
    popen: subprocess.Popen
    host: str
    port: int
    log_path: Path | None = None
    started_in: float = 0.0  # seconds from spawn to port accepting
    output_lines: collections.deque = field(default_factory=lambda: collections.deque(maxlen=200))
    reader: threading.Thread | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def pgid(self) -> int:
        # start_new_session=True makes the child a session + group leader.
        return self.popen.pid

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def output_tail(self, lines: int = 40) -> str:
        return "".join(list(self.output_lines)[-lines:])

    def alive(self) -> bool:
        return self.popen.poll() is None or process_group_alive(self.pgid)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the whole process group, then SIGKILL what is left.

        Idempotent. Waits until no non-zombie member of the group remains
        (the JVM of the Firestore emulator is a grandchild of the launcher).
        """
        pgid = self.pgid
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                try:
                    self.popen.wait(timeout=0.1)
                except subprocess.TimeoutExpired:
                    pass
                if not process_group_alive(pgid):
                    break
            if not process_group_alive(pgid):
                break
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - defensive
            pass
        if self.reader is not None:
            self.reader.join(timeout=2)

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _pump(stream, tail: collections.deque, log_path: Path | None) -> None:
    with open(log_path, "a", encoding="utf-8", errors="replace") if log_path else contextlib.nullcontext() as fh:
        try:
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", errors="replace")
                tail.append(line)
                if fh:
                    fh.write(line)
                    fh.flush()
        except ValueError:  # stream closed
            pass


def wait_for_port(
    host: str,
    port: int,
    timeout: float,
    proc: EmulatorProcess | None = None,
    interval: float = 0.1,
) -> float:
    """Block until ``host:port`` accepts TCP connections; return elapsed seconds.

    If *proc* exits before that, raise :class:`EmulatorStartError` with the
    tail of its output instead of waiting for the full timeout.
    """
    start = time.monotonic()
    deadline = start + timeout
    while True:
        if proc is not None and proc.popen.poll() is not None:
            if proc.reader is not None:
                proc.reader.join(timeout=2)
            raise EmulatorStartError(
                f"{proc.name} exited with code {proc.popen.returncode} before "
                f"{host}:{port} accepted connections. Output tail:\n{proc.output_tail()}"
            )
        if _port_open(host, port):
            return time.monotonic() - start
        if time.monotonic() >= deadline:
            tail = proc.output_tail() if proc is not None else ""
            raise EmulatorStartError(
                f"timed out after {timeout:.0f}s waiting for {host}:{port}"
                + (f" ({proc.name}). Output tail:\n{tail}" if proc is not None else "")
            )
        time.sleep(interval)


def wait_for_http_ok(url: str, timeout: float, proc: EmulatorProcess | None = None) -> float:
    """Poll *url* until it answers 2xx (e.g. a readiness endpoint)."""
    import urllib.error
    import urllib.request

    start = time.monotonic()
    last: object = None
    while time.monotonic() - start < timeout:
        if proc is not None and proc.popen.poll() is not None:
            raise EmulatorStartError(
                f"{proc.name} exited with code {proc.popen.returncode} while waiting for {url}. "
                f"Output tail:\n{proc.output_tail()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if 200 <= resp.status < 300:
                    return time.monotonic() - start
                last = resp.status
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.1)
    raise EmulatorStartError(f"timed out after {timeout:.0f}s waiting for {url}: {last}")


def start_process(
    name: str,
    argv: Sequence[str],
    *,
    host: str,
    port: int,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
    timeout: float = 60.0,
    log_path: Path | None = None,
) -> EmulatorProcess:
    """Spawn *argv* in a new session and wait until ``host:port`` is open.

    stdout and stderr are merged and drained by a thread into a ring buffer
    (and *log_path* if given) so a chatty emulator never blocks on a full
    pipe. On any start failure the process group is killed before raising.
    """
    if _port_open(host, port, timeout=0.2):
        raise EmulatorStartError(f"{host}:{port} is already in use; refusing to start {name}")
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.write_text("")
    t0 = time.monotonic()
    try:
        popen = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.EACCES):
            raise EmulatorStartError(f"cannot execute {argv[0]!r} for {name}: {exc}") from exc
        raise
    proc = EmulatorProcess(name=name, popen=popen, host=host, port=port, log_path=log_path)
    proc.reader = threading.Thread(
        target=_pump, args=(popen.stdout, proc.output_lines, log_path), name=f"{name}-log", daemon=True
    )
    proc.reader.start()
    try:
        wait_for_port(host, port, timeout, proc)
    except BaseException:
        proc.stop(timeout=5)
        raise
    proc.started_in = time.monotonic() - t0
    return proc
