"""A step's command in its own process group, started only once the run has recorded it.

The command is spawned behind a gate: a tiny Python process in a new session (its own
process group, pgid == pid) that waits on a pipe and only then `exec`s the argv. So the
pid and pgid are known, and written to the lock and the audit, before the command itself
starts; if the console dies before opening the gate, the gate reads end-of-file and exits
without running anything. After the exec the argv is exactly the command (no shell).

Cancelling terminates the whole group (SIGTERM, then SIGKILL after a grace), so a deploy
script's children go too; a console killed with SIGKILL leaves the group running, which
is why the lock records it and the next run checks it (`group_alive`).
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from console.playbook.redact import Redactor

# argv[1] is the gate's read fd; argv[2:] the command. Exit 125: the gate was never opened.
_GATE = (
    "import os,sys\n"
    "fd=int(sys.argv[1])\n"
    "go=os.read(fd,1)\n"
    "os.close(fd)\n"
    "if go!=b'1': sys.exit(125)\n"
    "try:\n"
    "    os.execvp(sys.argv[2],sys.argv[2:])\n"
    "except OSError as e:\n"
    "    print('cannot start %s: %s'%(sys.argv[2],e.strerror or e),file=sys.stderr)\n"
    "    sys.exit(127)\n"
)
GATE_NEVER_OPENED = 125


class GatedProcess:
    """`subprocess.Popen` of the gate; `open_gate()` lets the command run."""

    def __init__(self, argv: list[str] | tuple[str, ...], cwd: Path | None):
        read_fd, self._write_fd = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _GATE, str(read_fd), *argv],
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                shell=False,
                bufsize=1,
                pass_fds=(read_fd,),
                start_new_session=True,
            )
        except BaseException:
            os.close(self._write_fd)
            raise
        finally:
            os.close(read_fd)
        self.pid = self.proc.pid
        self.pgid = self.proc.pid  # start_new_session: the leader of its own group

    def open_gate(self) -> None:
        try:
            os.write(self._write_fd, b"1")
        finally:
            self.close_gate()

    def close_gate(self) -> None:
        if self._write_fd >= 0:
            os.close(self._write_fd)
            self._write_fd = -1

    def terminate_group(self, grace_s: float) -> None:
        self.close_gate()
        terminate_group(self.pgid, grace_s, self.proc)


def group_alive(pgid: int | None) -> bool:
    """Is a live (not zombie) process of the group still there, on this host?

    Reads /proc where there is one: an orphan nobody reaps (pid 1 of a container that
    does not wait) stays a zombie, and a zombie runs nothing."""
    if not isinstance(pgid, int) or pgid <= 1:
        return False
    proc = Path("/proc")
    if proc.is_dir():
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2 :].split()
            if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
                return True
        return False
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    except OSError:
        return False
    return True


def pid_alive(pid: int | None) -> bool:
    """Is the process there and not a zombie (a zombie runs nothing)?"""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rfind(")") + 2 :][:1] not in ("Z", "X")
    except FileNotFoundError:
        if Path("/proc/self").exists():
            return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def terminate_group(pgid: int, grace_s: float, proc: subprocess.Popen | None = None) -> bool:
    """SIGTERM to the group, SIGKILL to what is left after `grace_s`. True when it is gone."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 1.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        except PermissionError:
            return False
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if proc is not None:
                proc.poll()  # reap our own child, or the group never looks empty
            if not group_alive(pgid):
                break
            time.sleep(0.02)
        else:
            continue
        break
    if proc is not None:
        try:
            proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            pass
    return not group_alive(pgid)


LineSink = Callable[[str, str], None]  # (stream, line), stream is "stdout" or "stderr"


@dataclass
class StepResult:
    exit_code: int | None
    tail: list[str] = field(default_factory=list)
    error: str | None = None  # could not start, timed out, ...
    stdout: str = ""  # kept for verification (describe --format=json); not logged whole

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.error is None


SpawnHook = Callable[[int, int], None]  # (pid, pgid), called before the command may start


def run_argv(
    argv: list[str] | tuple[str, ...],
    cwd: Path | None,
    timeout_s: float,
    on_line: LineSink,
    tail_lines: int = 40,
    *,
    on_spawn: SpawnHook | None = None,
    cancel: threading.Event | None = None,
    grace_s: float = 1.0,
    redactor: Redactor | None = None,
) -> StepResult:
    """Run argv (shell=False) in its own process group, streaming lines as they come.

    `on_spawn` sees the pid and pgid before the command starts (see procs.GatedProcess); if
    it raises, the command never starts. The group is terminated at the timeout, when
    `cancel` is set, and when anything (a signal turned into an exception) interrupts the
    wait. Lines pass `redactor` before `on_line` and the tail; `stdout` stays raw, in memory."""
    tail: deque[str] = deque(maxlen=tail_lines)
    out_lines: list[str] = []
    redactor = redactor or Redactor()
    if not _startable(argv, cwd):
        return StepResult(exit_code=None, error=f"cannot start {argv[0]}: not found or not executable")
    try:
        gated = GatedProcess(argv, cwd)
    except OSError as exc:
        return StepResult(exit_code=None, error=f"cannot start {argv[0]}: {exc.strerror or exc}")
    proc = gated.proc
    try:
        if on_spawn is not None:
            on_spawn(gated.pid, gated.pgid)
        gated.open_gate()
        lines: queue.Queue[tuple[str, str | None]] = queue.Queue()

        def pump(stream, name):
            for line in stream:
                lines.put((name, line.rstrip("\n")))
            lines.put((name, None))

        for stream, name in ((proc.stdout, "stdout"), (proc.stderr, "stderr")):
            threading.Thread(target=pump, args=(stream, name), daemon=True).start()
        deadline = time.monotonic() + timeout_s
        open_streams, error = 2, None
        while open_streams:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                gated.terminate_group(grace_s)
                error = f"timed out after {timeout_s:g}s"
                break
            if cancel is not None and cancel.is_set():
                gated.terminate_group(grace_s)
                error = "interrupted: the run was cancelled"
                break
            try:
                name, line = lines.get(timeout=min(remaining, 0.1))
            except queue.Empty:
                continue
            if line is None:
                open_streams -= 1
                continue
            shown = redactor.line(line)
            tail.append(f"{name}: {shown}" if name == "stderr" else shown)
            if name == "stdout":
                out_lines.append(line)
            on_line(name, shown)
        try:
            code = proc.wait(timeout=grace_s + 1.0)
        except subprocess.TimeoutExpired:  # the streams closed but the leader lingers
            gated.terminate_group(grace_s)
            code = proc.wait()
    except BaseException:
        gated.terminate_group(grace_s)  # never leave the group running behind us
        raise
    if error is None and code == GATE_NEVER_OPENED:
        error = "the command was never started"
    return StepResult(exit_code=None if error else code, tail=list(tail), error=error, stdout="\n".join(out_lines))


def _startable(argv, cwd: Path | None) -> bool:
    prog = argv[0]
    if "/" in prog:
        path = Path(prog) if Path(prog).is_absolute() else Path(cwd or ".") / prog
        return path.is_file() and os.access(path, os.X_OK)
    return shutil.which(prog) is not None
