"""Issue 10 on the local backend: the lock lost at a prompt, the lease kept while a prompt
waits, confirmations that are mistyped, resume that re-verifies and refuses another backend,
an audit that cannot be written, and audit and lock files that are corrupted."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import threading
import time
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from console.core.config import ConfigError, load_settings
from console.core.timefmt import for_people
from console.playbook import model
from console.playbook.audit import AuditLog
from console.playbook.engine import Callbacks, Runner
from console.playbook.lock import FileLock, LockHeld, make_owner
from tests.helpers.pb_fakes import FailingExecutor

ANALYTICS = "nba-phase3-analytics-processors"


def _yes(**kw) -> Callbacks:
    return Callbacks(confirm=lambda s: True, type_target=lambda s: s.target, **kw)


def _flag(backend) -> str:
    return backend.deploy_state().service(ANALYTICS).env["SEQUENTIAL_EXECUTION_ENABLED"]


def _owner(run_id, ttl=60, **kw):
    return make_owner(
        {"user": "u", "host": socket.gethostname(), "pid": os.getpid(), "run_id": run_id, "playbook": "p", **kw}, ttl
    )


# ------------------------------------------------------------------ ownership


def test_a_run_that_lost_its_lock_at_a_prompt_does_not_act_on_the_answer(demo_settings, demo_backend):
    """The issue's case: while run A waits at "Run this command?", its lock passes to run B
    (an expiry, a machine asleep). Answering y must not flip the flag: A stops, says to whom
    it lost the lock, and audits it."""
    lock = FileLock(demo_settings.state_dir)
    taken_by = {}

    def confirm(step):
        b = _owner("run-B", pid=1)  # another live console took it over meanwhile: the lease file says so
        lock.path.write_bytes(orjson.dumps(b))
        taken_by.update(b)
        return True

    outcome = Runner(
        demo_settings, backend=demo_backend, callbacks=Callbacks(confirm=confirm, type_target=lambda s: s.target)
    ).run("disable-sequential-execution")
    assert outcome.status == "lock_lost"
    # said as the operator reads times: in the configured zone (issue 14)
    when = for_people(taken_by["acquired_at"], demo_settings.tz, "seconds")
    assert when.endswith(" EST") and f"lock lost to run-B at {when}" in outcome.message
    assert _flag(demo_backend) == "true"  # nothing ran
    records = AuditLog(demo_settings.state_dir).records(outcome.run_id)
    assert [r.event for r in records][-2:] == ["lock_lost", "run_end"]
    assert not [r for r in records if r.event == "step_start"]
    assert lock.holder()["run_id"] == "run-B"  # B's lock is left alone


@pytest.mark.slow
def test_the_lease_is_refreshed_while_a_prompt_waits(tmp_path, _seeded_demo_dir):  # noqa: PT019 - its value is used: the seeded demo directory
    shutil.copytree(_seeded_demo_dir, tmp_path / "data", symlinks=True)
    settings = load_settings(
        data_dir=tmp_path / "data", state_dir=tmp_path / "state", playbooks={"lock_ttl_s": 0.9, "step_timeout_s": 0.5}
    )
    refused = []

    def slow_confirm(step):
        time.sleep(2.0)  # more than twice the TTL
        try:
            FileLock(settings.state_dir, 0.9).acquire(_owner("intruder", pid=2**22 + 7))
        except LockHeld as exc:
            refused.append(str(exc))
        return True

    outcome = Runner(settings, callbacks=Callbacks(confirm=slow_confirm, type_target=lambda s: s.target)).run(
        "disable-sequential-execution"
    )
    assert outcome.ok, outcome.message
    assert len(refused) == 2  # the lease never expired: at each prompt the intruder was refused


def test_step_timeout_must_be_below_the_lock_ttl(tmp_path):
    with pytest.raises(ConfigError, match="step_timeout_s"):
        load_settings(state_dir=tmp_path, playbooks={"lock_ttl_s": 60, "step_timeout_s": 120})


# ------------------------------------------------------------------ confirmations


def test_a_mistyped_name_asks_again_three_times_each_audited(demo_settings, demo_backend):
    typed = iter(["nba-phase3", "NBA-PHASE3-ANALYTICS-PROCESSORS", ANALYTICS])
    outcome = Runner(
        demo_settings,
        backend=demo_backend,
        callbacks=Callbacks(confirm=lambda s: True, type_target=lambda s: next(typed)),
    ).run("disable-sequential-execution")
    assert outcome.ok and _flag(demo_backend) == "false"
    records = AuditLog(demo_settings.state_dir).records(outcome.run_id)
    assert [(r.get("attempt"), r.get("typed")) for r in records if r.event == "confirm_mismatch"] == [
        (1, "nba-phase3"),
        (2, "NBA-PHASE3-ANALYTICS-PROCESSORS"),
    ]


def test_three_wrong_names_decline_the_step(demo_settings, demo_backend):
    outcome = Runner(
        demo_settings,
        backend=demo_backend,
        callbacks=Callbacks(confirm=lambda s: True, type_target=lambda s: "x" * 500),
    ).run("disable-sequential-execution")
    assert outcome.status == "declined" and _flag(demo_backend) == "true"
    mismatches = [r for r in AuditLog(demo_settings.state_dir).records(outcome.run_id) if r.event == "confirm_mismatch"]
    assert len(mismatches) == 3 and all(len(r.get("typed")) < 80 for r in mismatches)  # cut, not 500 x's


# ------------------------------------------------------------------ resume


def test_resume_refuses_another_backend(demo_settings, demo_backend, tmp_path):
    outcome = Runner(demo_settings, backend=demo_backend, callbacks=Callbacks()).run(
        "redeploy-service", {"service": "nba-scrapers", "commit": "06934c94"}
    )
    assert outcome.status == "declined"
    gcp = demo_settings.model_copy(update={"backend": "gcp"})
    with pytest.raises(model.PlaybookError, match="ran on backend local; refusing"):
        Runner(gcp, callbacks=_yes(), lock=FileLock(tmp_path / "l")).resume(outcome.run_id)
    other = demo_settings.model_copy(update={"project": "someone-else"})
    with pytest.raises(model.PlaybookError, match="ran on project nba-props-platform"):
        Runner(other, backend=demo_backend, callbacks=_yes()).resume(outcome.run_id)


def test_resume_reruns_a_done_step_whose_effect_no_longer_holds(demo_settings, demo_backend):
    ex = FailingExecutor(demo_settings, demo_backend, fail_step=1)
    first = Runner(demo_settings, executor=ex, callbacks=_yes()).run(
        "redeploy-service", {"service": "nba-scrapers", "commit": "06934c94"}
    )
    assert first.status == "failed" and demo_backend.deploy_state().service("nba-scrapers").commit == "06934c94"
    # Someone deploys another commit meanwhile: step 1 was done but no longer holds.
    state = demo_backend.deploy_state()
    state.service("nba-scrapers").commit = "2de48c04"
    demo_backend.write_deploy_state(state)
    asked, events = [], []
    cb = Callbacks(
        confirm=lambda s: asked.append(s.index) or True,
        type_target=lambda s: s.target,
        on_event=lambda kind, data: events.append((kind, data.get("step").index if data.get("step") else None)),
    )
    outcome = Runner(demo_settings, backend=demo_backend, callbacks=cb).resume(first.run_id)
    assert outcome.ok, outcome.message
    assert ("step_rerun", 0) in events and asked == [0, 1]  # asked again before deploying again
    assert demo_backend.deploy_state().service("nba-scrapers").commit == "06934c94"


def test_resume_skips_a_done_step_only_after_verifying_it(demo_settings, demo_backend):
    ex = FailingExecutor(demo_settings, demo_backend, fail_step=1)
    first = Runner(demo_settings, executor=ex, callbacks=_yes()).run(
        "redeploy-service", {"service": "nba-scrapers", "commit": "06934c94"}
    )
    asked = []
    cb = Callbacks(confirm=lambda s: asked.append(s.index) or True, type_target=lambda s: s.target)
    outcome = Runner(demo_settings, backend=demo_backend, callbacks=cb).resume(first.run_id)
    assert outcome.ok and asked == [1]
    records = AuditLog(demo_settings.state_dir).records(first.run_id)
    assert [r.step for r in records if r.event == "step_reverified"] == [0]


# ------------------------------------------------------------------ the audit cannot lie


def test_no_before_record_no_step(demo_settings, demo_backend):
    audit = demo_settings.state_dir / "audit.jsonl"
    audit.mkdir(parents=True)  # cannot be appended to
    outcome = Runner(demo_settings, backend=demo_backend, callbacks=_yes()).run("disable-sequential-execution")
    assert outcome.status == "audit_failed" and "nothing was run" in outcome.message
    assert _flag(demo_backend) == "true"
    assert FileLock(demo_settings.state_dir).holder() is None


def test_a_lost_after_record_is_loud_and_the_next_run_treats_the_step_as_unknown(demo_settings, demo_backend):
    """A real write failure: after step 1's "before" record the audit becomes /dev/full
    (ENOSPC, a full disk). The deploy happened, the "after" record is lost: the run says so
    (status audit_failed, the CLI exits 2); once the disk is back the next run records the
    step `unknown` and the resume re-verifies it instead of deploying again."""
    audit = demo_settings.state_dir / "audit.jsonl"
    saved = demo_settings.state_dir / "saved.jsonl"
    runs = []

    def on_event(kind, data):
        if kind == "step_start" and not saved.exists():
            shutil.copy(audit, saved)
            audit.unlink()
            audit.symlink_to("/dev/full")

    deploys = []
    ex = FailingExecutor(demo_settings, demo_backend, fail_step=99)
    orig = ex.execute
    ex.execute = lambda step, on_line, **kw: deploys.append(step.index) or orig(step, on_line, **kw)
    outcome = Runner(demo_settings, executor=ex, callbacks=_yes(on_event=on_event)).run(
        "redeploy-service", {"service": "nba-scrapers", "commit": "06934c94"}
    )
    runs.append(outcome)
    assert outcome.status == "audit_failed" and "No space left" in outcome.message
    from console.cli.playbook_command import _exit_code

    assert _exit_code(outcome) == 2
    assert demo_backend.deploy_state().service("nba-scrapers").commit == "06934c94"  # it did deploy
    audit.unlink()
    shutil.move(saved, audit)
    summary = AuditLog(demo_settings.state_dir).run(outcome.run_id)
    assert summary.unknown == {0} and summary.next_step == 0 and summary.resumable
    resumed = Runner(demo_settings, executor=ex, callbacks=_yes()).resume(outcome.run_id)
    assert resumed.ok and deploys == [0, 1]  # step 1 re-verified, never deployed twice
    records = AuditLog(demo_settings.state_dir).records(outcome.run_id)
    assert next((r.event, r.outcome) for r in records if r.event == "step_end") == ("step_end", "unknown")


CORRUPT_LINES = [
    b'{"run_id":"x","event":"step_end","ok":true}',  # no ts, no step
    b'{"ts":"2026-02-05T12:00:00+00:00","run_id":"x","event":"run_start","playbook":"redeploy-service",'
    b'"params":{},"total_steps":"3"}',
    b'{"ts":"2026-02-05T12:00:00+00:00","run_id":"x","event":"run_start","playbook":"redeploy-service",'
    b'"params":"service=nba-scrapers","total_steps":2}',
    b'{"ts":"2026-02-05T12:00:00","run_id":"x","event":"step_end","step":0,"ok":true}',  # naive ts
    b'{"ts":"yesterday","run_id":"x","event":"run_end","status":"completed"}',
    b'{"ts":"2026-02-05T12:00:00+00:00","run_id":"x","event":"step_end","step":-1,"ok":true}',
    b'{"ts":"2026-02-05T12:00:00+00:00","run_id":"x","event":"step_end","step":"0","ok":"yes"}',
    b'{"ts":"2026-02-05T12:00:00+00:00","run_id":"x","event":"nonsense"}',
    b'{"ts":"2026-02-05T12:00:00+00:00","run_id":7,"event":"run_end","status":"completed"}',
    b"[1, 2, 3]",
    b'"just a string"',
    b"null",
    b'{"ts":"2026-02-05T12:00:00+00:00","run_id":"x","event":"step_sta',  # torn
    b"\xff\xfe garbage",
    b'{"ts":"2026-02-05T12:00:00+00:00","run_id":"x","event":"run_start","playbook":"redeploy-service",'
    b'"params":{"service":"nba-scrapers","commit":"06934c94"},"total_steps":2,"operator":"alice"}',
    b'{"ts":"2026-02-05T12:00:00+00:00","run_id":"x","event":"run_end"}',  # no status
]


@pytest.mark.slow
@pytest.mark.parametrize("line", CORRUPT_LINES, ids=range(len(CORRUPT_LINES)))
def test_a_corrupted_audit_line_is_skipped_counted_and_shown(line, demo_settings, demo_backend, capsys):
    from console.cli import main

    outcome = Runner(demo_settings, backend=demo_backend, callbacks=Callbacks()).run("disable-sequential-execution")
    audit = demo_settings.state_dir / "audit.jsonl"
    with audit.open("ab") as fh:
        fh.write(line + b"\n")
    read = AuditLog(demo_settings.state_dir).read()
    assert len(read.bad) == 1 and read.records
    base = ["--data-dir", str(demo_settings.data_dir)]
    os.environ["NBA_CONSOLE_STATE_DIR"] = str(demo_settings.state_dir)
    try:
        assert main([*base, "audit"]) == 0
        assert main([*base, "audit", "show", outcome.run_id]) == 0
        assert main([*base, "audit", "show", "x"]) == 2
        assert main([*base, "playbook", "run", "--resume", "x", "--yes"]) == 2
        assert main([*base, "playbook", "run", "--resume", outcome.run_id, "--yes"]) == 0
    finally:
        del os.environ["NBA_CONSOLE_STATE_DIR"]
    err = capsys.readouterr().err
    assert "1 unreadable audit line(s) skipped" in err and "Traceback" not in err


def test_an_audit_that_is_a_directory_is_an_error_not_an_empty_history(demo_settings, capsys):
    from console.cli import main

    (demo_settings.state_dir / "audit.jsonl").mkdir(parents=True)
    os.environ["NBA_CONSOLE_STATE_DIR"] = str(demo_settings.state_dir)
    try:
        assert main(["--data-dir", str(demo_settings.data_dir), "audit"]) == 2
        assert main(["--data-dir", str(demo_settings.data_dir), "audit", "show", "x"]) == 2
        assert main(["--data-dir", str(demo_settings.data_dir), "playbook", "run", "--resume", "x", "--yes"]) == 2
    finally:
        del os.environ["NBA_CONSOLE_STATE_DIR"]
    assert "cannot read the audit" in capsys.readouterr().err


# ------------------------------------------------------------------ the lock file


def test_lock_and_audit_files_are_0600_and_stay_so(demo_settings, demo_backend):
    seen = []

    def on_event(kind, data):
        if kind == "step_start":
            path = demo_settings.state_dir / "playbook.lock"
            seen.append(stat.S_IMODE(path.stat().st_mode))

    (demo_settings.state_dir).mkdir(parents=True, exist_ok=True)
    os.umask(0o022)
    outcome = Runner(demo_settings, backend=demo_backend, callbacks=_yes(on_event=on_event)).run(
        "disable-sequential-execution"
    )
    assert outcome.ok and seen == [0o600, 0o600]  # after the refreshes at each step too
    audit = demo_settings.state_dir / "audit.jsonl"
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    audit.chmod(0o644)
    Runner(demo_settings, backend=demo_backend, callbacks=Callbacks()).run("disable-sequential-execution")
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[1]",
        b'{"run_id": "x"}',
        b'{"run_id":"x","host":"h","pid":"many","expires_at":"2099-01-01T00:00:00+00:00"}',
    ],
)
def test_an_unreadable_fresh_lock_is_respected_and_an_old_one_taken_over(tmp_path, content):
    lock = FileLock(tmp_path, ttl_s=60)
    lock.path.write_bytes(content)
    with pytest.raises(LockHeld, match="unreadable"):
        lock.acquire(_owner("mine"))
    old = time.time() - 120
    os.utime(lock.path, (old, old))
    lock.acquire(_owner("mine"))
    assert lock.holder()["run_id"] == "mine"


def test_a_naive_expiry_is_read_as_utc_not_as_expired(tmp_path):
    lock = FileLock(tmp_path)
    fresh = (datetime.now(UTC) + timedelta(minutes=30)).replace(tzinfo=None).isoformat()
    lock.path.write_bytes(orjson.dumps({**_owner("theirs", host="other-host", pid=1), "expires_at": fresh}))
    with pytest.raises(LockHeld, match="theirs"):
        lock.acquire(_owner("mine"))


def test_a_lock_path_that_is_a_directory_or_a_read_only_state_dir_is_a_refusal(tmp_path):
    lock = FileLock(tmp_path / "a")
    lock.path.mkdir(parents=True)
    with pytest.raises(LockHeld):
        lock.acquire(_owner("mine"))
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(LockHeld, match="cannot take the run lock"):
        FileLock(blocked / "state").acquire(_owner("mine"))


def test_racing_runners_on_one_machine_never_both_hold(tmp_path):
    winners, barrier = [], threading.Barrier(6)

    def attempt(i):
        barrier.wait()
        try:
            FileLock(tmp_path).acquire(_owner(f"run-{i}", pid=os.getpid() + 0))
            winners.append(i)
        except LockHeld:
            pass

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1


@pytest.mark.parametrize(
    "command", [["playbook", "run", "--dry-run"], ["playbook", "show"], ["playbook", "run", "--yes"]]
)
def test_a_100_kb_parameter_is_cut_in_the_message(command, demo_settings, capsys):
    from console.cli import main

    huge = "a" * 100_000
    base = ["--data-dir", str(demo_settings.data_dir)]
    for params in (
        ["--param", "service=nba-scrapers", "--param", f"commit={huge}"],
        ["--param", f"service={huge}", "--param", "commit=06934c94"],
        ["--param", f"{huge}=1"],
        ["--param", huge],
    ):
        assert main([*base, *command[:2], "redeploy-service", *command[2:], *params]) == 2
        err = capsys.readouterr().err
        assert 0 < len(err) < 600 and "100000 characters" in err
