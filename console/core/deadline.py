"""Running a call under a deadline that the call itself can see.

`run_with_deadline` runs the call on a daemon thread with a `Deadline` in a context
variable; sources read it (`current_deadline()`) to bound their own connects and retries by
what is left, and the caller stops waiting at `hard_limit` whatever the call does. A daemon
thread that outlives its caller is left to its socket timeouts: it cannot keep the process
alive at exit.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from typing import Any, overload

_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("deadline", default=None)


class Deadline:
    """What is left of one time budget (monotonic clock)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self.at = clock() + seconds

    def remaining(self, floor: float = 0.05) -> float:
        """Seconds left, at least `floor` (a zero timeout means "no timeout" to some clients)."""
        return max(self.at - self._clock(), floor)

    @property
    def expired(self) -> bool:
        return self._clock() >= self.at


@overload
def current_deadline(default_s: float) -> Deadline: ...
@overload
def current_deadline(default_s: None = None) -> Deadline | None: ...
def current_deadline(default_s: float | None = None) -> Deadline | None:
    """The deadline of the check running on this thread, else a fresh one of `default_s`."""
    deadline = _CURRENT.get()
    if deadline is None and default_s is not None:
        return Deadline(default_s)
    return deadline


def run_with_deadline(
    call: Callable[[], Any],
    budget_s: float,
    hard_limit_s: float,
    name: str = "bounded call",
    deadline: Deadline | None = None,
) -> tuple[bool, Any]:
    """(True, result) when `call` returned within `hard_limit_s`, else (False, None).
    Exceptions of `call` are re-raised here. Inside `call`, `current_deadline()` is a
    Deadline of `budget_s`, or the given `deadline` (several calls sharing one budget)."""
    box: dict[str, Any] = {}
    done = threading.Event()
    deadline = deadline or Deadline(budget_s)

    def run() -> None:
        _CURRENT.set(deadline)
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name=name, daemon=True).start()
    if not done.wait(hard_limit_s):
        return False, None
    if "error" in box:
        raise box["error"]
    return True, box["value"]
