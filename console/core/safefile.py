"""Opening files the console did not write: only regular files, never blocking, bounded.

A FIFO in place of a log would block `open()` until a writer comes (forever); a symlink to
`/dev/zero` reads without end; a directory in place of a file raises deep in a parser.
`open_regular` opens without blocking (O_NONBLOCK), checks with fstat what it actually
opened (no race between a check and the open), and refuses anything but a regular file of
at most `max_bytes`. `inside` refuses a symlink that leads out of a given directory.
"""

from __future__ import annotations

import errno
import os
import shlex
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO


class UnsafeFileError(OSError):
    """A file that must not be read; `reason` says why in a few words."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(reason)
        self.path, self.reason = str(path), reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: Path | str, max_bytes: int | None = None, inside: Path | None = None) -> BinaryIO:
    """A binary file object for `path`, or UnsafeFileError (an OSError) saying why not."""
    path = Path(path)
    if inside is not None:
        check_inside(path, inside)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        if path.is_symlink():
            raise UnsafeFileError(path, f"dangling symlink (to {os.readlink(path)})") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFileError(path, f"{kind_of(st.st_mode)}, not a regular file")
        if max_bytes is not None and st.st_size > max_bytes:
            raise UnsafeFileError(path, f"{st.st_size / 1e6:.1f} MB is over the limit of {max_bytes / 1e6:.0f} MB")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path | str, max_bytes: int | None = None, inside: Path | None = None) -> bytes:
    """The whole file; never more than `max_bytes` even if it grows while being read."""
    with open_regular(path, max_bytes, inside) as fh:
        data = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise UnsafeFileError(path, f"grew over the limit of {max_bytes / 1e6:.0f} MB while being read")
    return data


def check_inside(path: Path, root: Path) -> None:
    """Refuse `path` when it (through any symlink) resolves outside `root`."""
    try:
        target = path.resolve(strict=False)
        base = root.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise UnsafeFileError(path, f"cannot be resolved ({exc.__class__.__name__})") from None
    if target != base and base not in target.parents:
        raise UnsafeFileError(path, f"symlink leads outside {root} (to {target})")


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside `path` and rename over it: readers see the old file or the new one, never
    half of one; the temporary file is removed if anything fails."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ------------------------------------------------------------------ the private state directory

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


class StateDirError(PermissionError):
    """A state directory others could write into: refused, with how to fix it. An OSError,
    so every writer's existing "cannot write ..." handling says it in one line."""

    def __init__(self, message: str):
        super().__init__(errno.EPERM, message)


def private_dir(path: Path | str) -> Path:
    """`path` as a directory only its owner may write: created 0700 (and so is every missing
    parent: the process umask, 000 in some services, must not decide who may replace the
    audit), or refused when it exists writable by group or others.

    What is checked is what the filesystem reports. A FUSE mount (gcsfuse, the Cloud Run
    recipe's `/state`) reports the mount's fixed modes (gcsfuse: dir-mode 755 by default) and
    ignores chmod; such a mount passes unless it was mounted group- or world-writable, and then
    the fix is the mount's dir-mode, since chmod cannot change it."""
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not os.path.lexists(probe) and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # another process made it meanwhile; checked below like any existing one
        try:
            os.chmod(folder, PRIVATE_DIR_MODE)  # exact, whatever the umask took away or left
        except OSError:
            pass  # a filesystem that cannot chmod (FUSE): judged below by what it reports
    st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):
        what = "a file" if stat.S_ISREG(st.st_mode) else kind_of(st.st_mode)
        raise StateDirError(f"the state directory {path} is {what}, not a directory")
    loose = st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if loose:
        who = (
            "group and others"
            if loose == (stat.S_IWGRP | stat.S_IWOTH)
            else ("its group" if loose == stat.S_IWGRP else "others")
        )
        quoted = shlex.quote(str(path))
        raise StateDirError(
            f"the state directory {path} is writable by {who} (mode {stat.S_IMODE(st.st_mode):04o}): another user "
            f"could replace its audit and locks; run `chmod go-w {quoted}` (a mount with fixed modes: mount it "
            "with dir-mode 700)"
        )
    return path
