"""Counting a big export on every core: the file is cut into parts on line boundaries, the
parts after the first are counted in forked children and the first in this process, and the
counts are summed.

Why fork and not threads: the count is orjson decoding and Hyperscan's match callbacks, both
under the GIL, so threads take turns. A forked child shares the memory-mapped file and the
compiled patterns for free (no pickling, no re-import), which a spawned process would not.

Why the sum is always exact: a child answers with its count on a pipe and exit status 0, or
its part is counted again here (a child that raised, was killed or wrote garbage). Forking
is only done when this process runs no other Python thread (a lock held by another thread at
the fork would stay held in the child) and when os.fork exists; otherwise every part is
counted here, in order, as before.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

# Below this a part's fork and page-table copy cost more than the part's count saves.
MIN_PART = 32 << 20
MAX_WORKERS = 8

CountPart = Callable[[int, int], int]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def parts(data, n: int) -> list[tuple[int, int]]:
    """`n` (or fewer) (start, stop) ranges covering data, each ending after a newline or at
    the end, so no line is split between two parts."""
    size = len(data)
    bounds: list[tuple[int, int]] = []
    start = 0
    for i in range(1, n):
        cut = data.find(b"\n", max(start, size * i // n))
        cut = size if cut == -1 else cut + 1
        if cut >= size:
            break
        if cut > start:
            bounds.append((start, cut))
            start = cut
    if start < size or not bounds:
        bounds.append((start, size))
    return bounds


def may_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def count(data, count_part: CountPart, workers: int | None = None, min_part: int = MIN_PART) -> int:
    """Sum of count_part(start, stop) over the parts of data: in parallel where it pays."""
    n = min(workers or cores(), MAX_WORKERS, max(1, len(data) // max(1, min_part)))
    ranges = parts(data, n)
    if len(ranges) == 1 or not may_fork():
        return sum(count_part(a, b) for a, b in ranges)
    children: list[tuple[int, int, tuple[int, int]]] = []  # (pid, read end, range)
    here = [ranges[0]]
    try:
        for rng in ranges[1:]:
            try:
                children.append(_fork(count_part, rng))
            except OSError:  # no fork today (EAGAIN, ENOMEM): this part is counted here
                here.append(rng)
        total = sum(count_part(a, b) for a, b in here)
        while children:
            pid, fd, rng = children.pop(0)
            total += _collect(pid, fd, rng, count_part)
        return total
    finally:
        for pid, fd, _ in children:  # interrupted (an exception here): no child outlives the count
            _kill(pid, fd)


def _fork(count_part: CountPart, rng: tuple[int, int]) -> tuple[int, int, tuple[int, int]]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer on the pipe and leave without running the parent's code
        code = 1
        try:
            os.close(read_end)
            os.write(write_end, b"%d" % count_part(*rng))
            code = 0
        except BaseException:  # noqa: BLE001 - the parent counts this part again
            pass
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end, rng


def _collect(pid: int, fd: int, rng: tuple[int, int], count_part: CountPart) -> int:
    chunks = []
    try:
        while chunk := os.read(fd, 64):
            chunks.append(chunk)
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    answer = b"".join(chunks)
    if os.waitstatus_to_exitcode(status) == 0 and answer.isdigit():
        return int(answer)
    return count_part(*rng)  # the child failed: its part is counted here


def _kill(pid: int, fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
