"""Nothing in the audit or the lock file can make their readers raise (issue 10): arbitrary
bytes and arbitrary JSON records, each line skipped and counted or read."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.playbook.audit import AuditLog
from console.playbook.lock import FileLock, LockHeld, judge
from tests.helpers.examples import examples

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["2026-02-05T12:00:00+00:00", "2026-02-05T12:00:00", "run_start", "step_end", "run_end", "x"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)
keys = st.sampled_from(
    [
        "ts",
        "run_id",
        "event",
        "playbook",
        "step",
        "ok",
        "outcome",
        "total_steps",
        "params",
        "operator",
        "argv",
        "status",
        "plan",
        "backend",
        "output_tail",
        "pid",
        "host",
        "expires_at",
        "acquired_at",
    ]
)
records = st.dictionaries(keys, values, max_size=10)
_dirs = itertools.count()


def _fresh_dir(factory, label: str):
    """A new directory without tempfile's random names (hypothesis watches the random module)."""
    path = factory.getbasetemp() / f"fuzz-{label}-{next(_dirs)}"
    path.mkdir()
    return path


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None)
@given(lines=st.lists(st.one_of(records.map(orjson.dumps), st.binary(max_size=40)), max_size=8))
def test_the_audit_reader_never_raises(tmp_path_factory, lines):
    state = _fresh_dir(tmp_path_factory, "audit")
    data = b"\n".join(lines)
    (state / "audit.jsonl").write_bytes(data)
    log = AuditLog(state)
    read = log.read()
    assert len(read.records) + len(read.bad) <= len(data.split(b"\n"))
    for run in log.runs(read):
        _ = (run.next_step, run.resumable, run.status)
    for rec in read.records:
        log.run(rec.run_id)


@settings(max_examples=examples(150), deadline=None)
@given(held=records)
def test_judging_any_lock_record_never_raises_anything_but_lock_held(held):
    try:
        free, why = judge(held, datetime.now(UTC), None, 60)
    except LockHeld:
        return
    assert isinstance(free, bool) and isinstance(why, str)


@settings(max_examples=examples(100), deadline=None)
@given(content=st.one_of(records.map(orjson.dumps), st.binary(max_size=60)))
def test_the_lock_file_reader_never_raises(tmp_path_factory, content):
    state = _fresh_dir(tmp_path_factory, "lock")
    lock = FileLock(state, ttl_s=60)
    lock.path.write_bytes(content)
    owner = {"run_id": "mine", "host": "h", "pid": 1, "expires_at": "2099-01-01T00:00:00+00:00"}
    try:
        lock.acquire(owner)
    except LockHeld:
        pass
    lock.release(owner)
