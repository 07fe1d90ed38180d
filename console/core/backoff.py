"""The one back-off policy of every retry loop: exponential from `base` by `factor` up to
`cap`, times a jitter, as a tenacity wait (tenacity's `wait_exponential` does the curve).

Where a loop blocks between tries, tenacity drives it (`Retrying(wait=policy, ...)`: the
logs listing in backends/gcp_logs.py, the notify channels). Where it cannot block (the log
sources are polled by the screen and schedule their next try; the Firestore listener's
supervisor waits on a stop event between health checks), the loop asks the same policy for
the wait of its n-th failure (`policy.delay(n)`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from tenacity import RetryCallState, Retrying, wait_exponential
from tenacity.wait import wait_base


def no_jitter() -> float:
    return 1.0


class BackoffPolicy(wait_base):
    """Wait before the next try after the n-th failure (n from 1): `min(cap, base * factor **
    (n - 1)) * jitter()`."""

    def __init__(
        self, base: float, factor: float = 2.0, cap: float = math.inf, jitter: Callable[[], float] = no_jitter
    ):
        self.base, self.factor, self.cap, self.jitter = base, factor, cap, jitter
        self._curve = wait_exponential(multiplier=base, exp_base=factor, max=cap)

    def __call__(self, retry_state: RetryCallState) -> float:
        return self._curve(retry_state) * self.jitter()

    def delay(self, failures: int) -> float:
        # tenacity's own call state at attempt n, for a loop tenacity does not drive
        state = RetryCallState(retry_object=Retrying(wait=self), fn=None, args=(), kwargs={})
        state.attempt_number = failures
        return self(state)


def full_jitter_floor_half(rng: Callable[[], float] = random.random) -> Callable[[], float]:
    """Between half and all of the ceiling: a burst of 429s must actually slow us down."""
    return lambda: 0.5 + 0.5 * rng()


def up_to_half_more(rng: Callable[[], float] = random.random) -> Callable[[], float]:
    """The ceiling plus up to half of it (the backend's reads of Cloud Logging)."""
    return lambda: 1 + rng() / 2
