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
import signal
import subprocess
import sys
import time
from pathlib import Path

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
                [sys.executable, "-I", "-S", "-c", _GATE, str(read_fd), *argv], cwd=cwd, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", shell=False,
                bufsize=1, pass_fds=(read_fd,), start_new_session=True)
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
            fields = stat[stat.rfind(")") + 2:].split()
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
        return stat[stat.rfind(")") + 2:][:1] not in ("Z", "X")
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
