"""For fuzz tests where a value and a refusal are both right answers: what a call gave, so the
test asserts on either outside an `except` block (an assertion that fails inside one reads as
"during handling of the above exception, another exception occurred", and ruff's PT017)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def outcome(call: Callable[[], T], *refusals: type[Exception]) -> T | Exception:
    """call()'s value, or the exception of one of `refusals` it raised; any other one propagates."""
    try:
        return call()
    except refusals as exc:
        return exc
