"""Shared by the log-tail tests: entries for the fake logging server and a deadline wait."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.emulators.fixtures import TEST_PROJECT
from tests.emulators.logging_server import make_entry

SERVICE = "nba-phase3-analytics-processors"
T0 = datetime(2026, 2, 5, 11, 0, tzinfo=UTC)


def entry(insert_id: str, text: str, seconds: int, service: str = SERVICE, severity: str = "INFO") -> dict:
    return make_entry(
        text,
        project=TEST_PROJECT,
        service_name=service,
        severity=severity,
        timestamp=T0 + timedelta(seconds=seconds),
        insert_id=insert_id,
    )


def wait_until(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
