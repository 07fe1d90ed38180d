"""Issue 24 item 2: a torn last line in audit.jsonl never swallows the next run. The writer
ends a torn line before its record (and says so in it); readers skip the torn line, count it,
and still read every record after it, even one glued to the garbage by an older writer."""

from __future__ import annotations

import os

import orjson
import pytest

from console.cli import main
from console.playbook.audit import AuditLog
from console.playbook.engine import Callbacks, Runner
from tests.helpers.pb_fakes import FailingExecutor


def _yes() -> Callbacks:
    return Callbacks(confirm=lambda s: True, type_target=lambda s: s.target)


def _failed_run(settings, backend) -> str:
    """A run that fails at its first step (nothing changes): resumable from step 1."""
    ex = FailingExecutor(settings, backend, fail_step=0)
    outcome = Runner(settings, executor=ex, callbacks=_yes()).run("disable-sequential-execution")
    assert outcome.status == "failed"
    return outcome.run_id


@pytest.fixture
def cli(demo_settings, monkeypatch, capsys):
    monkeypatch.setenv("NBA_CONSOLE_STATE_DIR", str(demo_settings.state_dir))

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--data-dir", str(demo_settings.data_dir), *argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def _whole_in_the_log(settings, run_id: str) -> None:
    """What `audit` (runs), `audit show` (read of one run) and `--resume` (run) read."""
    log = AuditLog(settings.state_dir)
    listed = {r.run_id: r for r in log.runs()}
    assert run_id in listed and listed[run_id].operator.get("user") and listed[run_id].params is not None
    assert [r.event for r in log.read(run_id).records][:2] == ["run_start", "step_start"]
    summary = log.run(run_id)
    assert summary is not None and summary.playbook == "disable-sequential-execution"
    assert summary.plan and summary.total_steps == 2 and summary.resumable and summary.next_step == 0


def _whole(settings, run_id: str, cli, resume: bool) -> None:
    """The run is whole where the operator looks: `audit`, `audit show` and `--resume`."""
    _whole_in_the_log(settings, run_id)
    code, out, err = cli("audit")
    assert code == 0 and run_id in out and "Traceback" not in err
    code, out, err = cli("audit", "show", run_id)
    assert code == 0 and "run_start" in out and f"--resume {run_id}" in out
    if resume:
        code, out, err = cli("playbook", "run", "--resume", run_id, "--yes")
        assert code == 0 and "no run" not in err, err


def test_printf_garbage_then_a_run(demo_settings, demo_backend, cli):
    """The issue's case."""
    first = _failed_run(demo_settings, demo_backend)
    audit = demo_settings.state_dir / "audit.jsonl"
    with audit.open("ab") as fh:
        fh.write(b"garbage")
    log = AuditLog(demo_settings.state_dir)
    second = (
        Runner(
            demo_settings,
            executor=FailingExecutor(demo_settings, demo_backend, fail_step=0),
            callbacks=_yes(),
            audit=log,
        )
        .run("disable-sequential-execution")
        .run_id
    )
    assert log.torn_lines_ended == 1  # counted by the writer, once
    lines = audit.read_bytes().split(b"\n")
    assert b"garbage" in lines and orjson.loads(lines[lines.index(b"garbage") + 1])["ended_torn_line"] is True
    read = AuditLog(demo_settings.state_dir).read()
    assert [b.reason for b in read.bad] == ["not JSON (a torn or corrupted line)"]
    assert {r.run_id for r in read.records} == {first, second}
    _code, out, err = cli("audit")
    assert "1 unreadable audit line(s) skipped" in err and first in out and second in out
    _whole(demo_settings, second, cli, resume=True)


def test_a_record_glued_to_a_torn_line_by_an_older_writer_is_still_read(demo_settings, demo_backend, cli):
    _failed_run(demo_settings, demo_backend)
    audit = demo_settings.state_dir / "audit.jsonl"
    records = audit.read_bytes()
    # What a writer that did not heal left: the next run's records glued to the garbage.
    audit.write_bytes(b'{"ts":"2026-02-05T12:00:00+00:00","run_id":"x","eve')
    with audit.open("ab") as fh:
        fh.write(records)
    read = AuditLog(demo_settings.state_dir).read()
    assert len(read.bad) == 1 and "glued" in read.bad[0].reason
    assert next(r.event for r in read.records) == "run_start"
    _whole(demo_settings, read.records[0].run_id, cli, resume=False)


@pytest.mark.slow
def test_torn_at_every_byte_offset_of_a_record_the_next_run_is_whole(demo_settings, demo_backend, cli):
    """A writer killed at any byte of a record (here the run_start of a run, the longest
    record): the next run is whole in `audit`, `audit show` and `--resume`."""
    _failed_run(demo_settings, demo_backend)
    audit = demo_settings.state_dir / "audit.jsonl"
    base = audit.read_bytes()
    record = base.split(b"\n")[0] + b"\n"  # the run_start line
    assert orjson.loads(record)["event"] == "run_start"
    for cut in range(1, len(record)):
        audit.write_bytes(base + record[:cut])
        run_id = _failed_run(demo_settings, demo_backend)
        read = AuditLog(demo_settings.state_dir).read()
        # The torn line is skipped and counted, unless only its newline was lost (then it is whole).
        assert len(read.bad) == (0 if cut == len(record) - 1 else 1), (cut, read.bad)
        # Every record after it is read: the new run's own records all belong to it.
        _whole_in_the_log(demo_settings, run_id)
        # Through the CLI at a spread of offsets (inside keys, strings, the nested plan and
        # operator), the resume at a few: each one costs a playbook step.
        if cut % 7 == 1 or cut == len(record) - 1:
            _whole(demo_settings, run_id, cli, resume=cut % 97 == 1 or cut == len(record) - 1)


def test_a_file_that_ends_in_a_newline_is_left_as_it_is(demo_settings, demo_backend):
    _failed_run(demo_settings, demo_backend)
    audit = demo_settings.state_dir / "audit.jsonl"
    before = audit.read_bytes()
    log = AuditLog(demo_settings.state_dir)
    log.append({"event": "run_end", "run_id": "r", "playbook": "p", "status": "completed"})
    after = audit.read_bytes()
    assert after.startswith(before) and b"\n\n" not in after and log.torn_lines_ended == 0
    assert "ended_torn_line" not in orjson.loads(after.splitlines()[-1])
    assert os.stat(audit).st_mode & 0o777 == 0o600
