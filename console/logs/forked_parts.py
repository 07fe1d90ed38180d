"""A big export searched on every core: the file is cut into parts on line boundaries, the
parts after the first are searched in forked children and the first in this process, and
the answers come back in part order (`logs search`: counts, matches, printed lines).

Why fork and not threads: the work is orjson decoding and Hyperscan's match callbacks, both
under the GIL, so threads take turns. A forked child shares the memory-mapped file and the
compiled patterns for free (no pickling of the input, no re-import), which a spawned process
would not.

Why the answer is always exact: a child answers with its part's result, pickled on a pipe,
and exit status 0, or its part is searched again here (a child that raised, was killed or
wrote garbage). Forking is only done when this process runs no other Python thread (a lock
held by another thread at the fork would stay held in the child) and when os.fork exists;
otherwise every part is searched here, in order.
"""

from __future__ import annotations

import mmap
import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeAlias

# Below this a part's fork and page-table copy cost more than the part's search saves.
MIN_PART = 32 << 20
MAX_WORKERS = 8

Part = Callable[[int, int], Any]
Data: TypeAlias = bytes | bytearray | mmap.mmap  # a file searched: read whole, or memory-mapped


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def parts(data: Data, n: int) -> list[tuple[int, int]]:
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


def split(size: int, workers: int | None = None, min_part: int | None = None, extra: bool = False) -> int:
    """How many parts a file of `size` bytes is searched in (`extra`: one more, this process
    having other work while the children search)."""
    size_cap = size // max(1, MIN_PART if min_part is None else min_part)
    return max(1, min((workers or cores()) + extra, MAX_WORKERS, size_cap))


def run(
    data: Data,
    part: Part,
    workers: int | None = None,
    min_part: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[Any]:
    """[part(start, stop) for each part of data], in part order: in parallel where it pays.
    `meanwhile()` runs here once the children are searching, before this process's own part."""
    ranges = parts(data, split(len(data), workers, min_part, extra=meanwhile is not None))
    if len(ranges) == 1 or not may_fork():
        if meanwhile is not None:
            meanwhile()
        return [part(a, b) for a, b in ranges]
    children: list[tuple[int, int, tuple[int, int]]] = []  # (pid, read end, range)
    results: dict[tuple[int, int], Any] = {}
    try:
        for rng in ranges[1:]:
            try:
                children.append(_fork(part, rng))
            except OSError:  # no fork today (EAGAIN, ENOMEM): this part is searched here
                results[rng] = part(*rng)
        if meanwhile is not None:
            meanwhile()
        results[ranges[0]] = part(*ranges[0])
        while children:
            pid, fd, rng = children.pop(0)
            results[rng] = _collect(pid, fd, rng, part)
        return [results[rng] for rng in ranges]
    finally:
        for pid, fd, _ in children:  # interrupted (an exception here): no child outlives the search
            _kill(pid, fd)


def _fork(part: Part, rng: tuple[int, int]) -> tuple[int, int, tuple[int, int]]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer on the pipe and leave without running the parent's code
        code = 1
        try:
            os.close(read_end)
            payload = pickle.dumps(part(*rng), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            code = 0
        except BaseException:  # noqa: BLE001, S110 - the parent searches this part again (code stays 1)
            pass
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end, rng


def _collect(pid: int, fd: int, rng: tuple[int, int], part: Part) -> Any:
    with os.fdopen(fd, "rb") as pipe:
        answer = pipe.read()  # read before waiting: a child blocks on a full pipe until read
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0 and answer:
        try:
            return pickle.loads(answer)  # our own child's answer, never input from outside
        except Exception:  # noqa: BLE001, S110 - a truncated answer: the part is searched here, below
            pass
    return part(*rng)  # the child failed: its part is searched here


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
