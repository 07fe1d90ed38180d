"""The console's log stream: gated by the clock on local, a clear message when gcp cannot open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console.backends.log_stream import ClockGate, open_log_source
from console.core.clock import FixedClock
from console.core.config import load_settings
from console.core.models import LogEntry

T0 = datetime(2026, 2, 5, 12, 0, tzinfo=UTC)


class ListSource:
    def __init__(self, batches):
        self.batches, self.closed = list(batches), False

    def poll(self):
        return self.batches.pop(0) if self.batches else []

    def close(self):
        self.closed = True

    def describe(self):
        return "list"


def entry(minutes, text):
    return LogEntry(timestamp=T0 + timedelta(minutes=minutes), text=text)


def test_gate_releases_entries_in_time_order_as_the_clock_reaches_them():
    clock = FixedClock(T0)
    gate = ClockGate(ListSource([[entry(5, "b"), entry(0, "a"), entry(5, "c")], [entry(2, "late")]]), clock)
    assert [e.text for e in gate.poll()] == ["a"]
    assert gate.pending == 2
    clock.advance(timedelta(minutes=3))
    assert [e.text for e in gate.poll()] == ["late"]
    clock.advance(timedelta(minutes=10))
    assert [e.text for e in gate.poll()] == ["b", "c"]  # equal times keep arrival order
    gate.close()
    assert gate.inner.closed


def test_local_source_follows_the_demo_files(demo_settings):
    clock = FixedClock(datetime(2026, 2, 5, 12, 6, tzinfo=UTC))  # 07:06 ET
    source = open_log_source(demo_settings, clock)
    first = source.poll()
    assert first and all(e.timestamp <= clock.now() for e in first)
    assert "Level 1: running 3 processors" in first[-1].text or any("Level 1:" in e.text for e in first)
    assert not any("Level 2" in e.text for e in first)
    clock.advance(timedelta(hours=1))
    assert any("Level 2 complete" in e.text for e in source.poll())
    source.close()


def test_gcp_without_credentials_says_so_instead_of_raising(monkeypatch, tmp_path):
    for key, value in {
        "HOME": str(tmp_path),
        "CLOUDSDK_CONFIG": str(tmp_path),
        "NO_GCE_CHECK": "True",
        "GCE_METADATA_HOST": "127.0.0.1:9",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    source = open_log_source(load_settings(backend="gcp"), FixedClock(T0))
    assert source.poll() == []
    assert "gcloud auth application-default login" in source.error
