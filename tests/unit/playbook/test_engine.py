"""The engine on the local backend: deploy state changes, audit, lock, failures, read-only."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from console.core import safety
from console.playbook.audit import AuditLog
from console.playbook.engine import Callbacks, Decision, Runner
from console.playbook.executors import LocalExecutor
from console.playbook.lock import FileLock, LockHeld, make_owner
from console.playbook.model import PlaybookError
from panels.drift import deployment_drift
from tests.helpers.pb_fakes import FailingExecutor


def _yes(**kw) -> Callbacks:
    return Callbacks(confirm=lambda s: True, type_target=lambda s: s.target, **kw)


def _drift(backend, settings, service):
    result = deployment_drift(backend.deploy_state(), settings, datetime.now(UTC))
    return next(r for r in result.value_json()["services"] if r["service"] == service)


def test_disable_sequential_changes_the_env_the_panels_read(demo_settings, demo_backend):
    before = demo_backend.deploy_state().service("nba-phase3-analytics-processors").env
    assert before["SEQUENTIAL_EXECUTION_ENABLED"] == "true"
    outcome = Runner(demo_settings, backend=demo_backend, callbacks=_yes()).run("disable-sequential-execution")
    assert outcome.status == "completed"
    env = demo_backend.deploy_state().service("nba-phase3-analytics-processors").env
    assert env["SEQUENTIAL_EXECUTION_ENABLED"] == "false"


def test_redeploy_changes_what_deployment_drift_reports(demo_settings, demo_backend):
    assert _drift(demo_backend, demo_settings, "nba-scrapers")["commits_behind"] == 49
    outcome = Runner(demo_settings, backend=demo_backend, callbacks=_yes()).run(
        "redeploy-service", {"service": "nba-scrapers", "commit": "06934c94"}
    )
    assert outcome.ok
    row = _drift(demo_backend, demo_settings, "nba-scrapers")
    assert row["commit"] == "06934c94" and row["commits_behind"] == 0 and row["status"] == "ok"


def test_rollback_grading_on_local_removes_functions_and_appends_a_revert(demo_settings, demo_backend):
    commits_before = len(demo_backend.deploy_state().commits)
    outcome = Runner(demo_settings, backend=demo_backend, callbacks=_yes()).run("rollback-grading-orchestration")
    assert outcome.ok, outcome.message
    state = demo_backend.deploy_state()
    assert state.service("phase3-to-grading") is None and state.service("grading-coverage-monitor") is None
    assert len(state.commits) == commits_before + 1
    assert state.commits[0].subject.startswith('Revert "feat: grading prevention system')
    assert state.service("grading").commit == state.commits[0].sha[:8]
    assert _drift(demo_backend, demo_settings, "grading")["commits_behind"] == 0


def test_audit_holds_every_step_before_and_after(demo_settings, demo_backend):
    outcome = Runner(demo_settings, backend=demo_backend, callbacks=_yes()).run("disable-sequential-execution")
    records = AuditLog(demo_settings.state_dir).records(outcome.run_id)
    events = [(r["event"], r.get("step")) for r in records]
    assert events == [
        ("run_start", None),
        ("step_start", 0),
        ("step_end", 0),
        ("step_start", 1),
        ("step_end", 1),
        ("run_end", None),
    ]
    end = records[2]
    assert end["argv"][:4] == ["gcloud", "run", "services", "update"]
    assert end["exit_code"] == 0 and end["verified"] is True and end["output_tail"]
    assert end["operator"]["user"] and end["operator"]["host"] and end["start"] <= end["end"]
    assert records[0]["backend"] == "local"
    summary = AuditLog(demo_settings.state_dir).run(outcome.run_id)
    assert summary.status == "completed" and summary.done == {0, 1}


def test_audit_file_is_append_only_jsonl(demo_settings, demo_backend):
    runner = Runner(demo_settings, backend=demo_backend, callbacks=_yes())
    first = runner.run("disable-sequential-execution").run_id
    size = AuditLog(demo_settings.state_dir).path.stat().st_size
    second = runner.run("enable-sequential-execution").run_id
    log = AuditLog(demo_settings.state_dir)
    assert log.path.read_bytes()[:size].count(b"\n") == 6
    assert [r.run_id for r in log.runs()] == [first, second]


def test_a_failing_step_stops_the_run(demo_settings, demo_backend):
    ex = FailingExecutor(demo_settings, demo_backend, fail_step=0)
    outcome = Runner(demo_settings, executor=ex, callbacks=_yes()).run("rollback-grading-orchestration")
    assert outcome.status == "failed" and ex.executed == [0]
    state = demo_backend.deploy_state()
    assert state.service("grading-coverage-monitor") is not None  # step 2 never ran
    summary = AuditLog(demo_settings.state_dir).run(outcome.run_id)
    assert summary.resumable and summary.next_step == 0


def test_retry_then_skip_are_the_operators_choice(demo_settings, demo_backend):
    ex = FailingExecutor(demo_settings, demo_backend, fail_step=1)
    answers = iter([Decision.RETRY, Decision.SKIP])
    outcome = Runner(demo_settings, executor=ex, callbacks=_yes(on_failure=lambda s, r, w: next(answers))).run(
        "rollback-grading-orchestration"
    )
    assert ex.executed == [0, 1, 1, 2, 3] and outcome.status == "completed"
    assert [s["status"] for s in outcome.steps] == ["ok", "skipped", "ok", "ok"]


def test_declining_a_confirmation_runs_nothing(demo_settings, demo_backend):
    outcome = Runner(demo_settings, backend=demo_backend, callbacks=Callbacks(confirm=lambda s: False)).run(
        "disable-sequential-execution"
    )
    assert outcome.status == "declined"
    assert (
        demo_backend.deploy_state().service("nba-phase3-analytics-processors").env["SEQUENTIAL_EXECUTION_ENABLED"]
        == "true"
    )


def test_a_dangerous_step_needs_the_target_typed(demo_settings, demo_backend):
    cb = Callbacks(confirm=lambda s: True, type_target=lambda s: "nba-phase3")  # a near miss
    outcome = Runner(demo_settings, backend=demo_backend, callbacks=cb).run("disable-sequential-execution")
    assert outcome.status == "declined"
    assert (
        demo_backend.deploy_state().service("nba-phase3-analytics-processors").env["SEQUENTIAL_EXECUTION_ENABLED"]
        == "true"
    )


def test_read_only_refuses_before_anything(demo_settings, demo_backend):
    settings = demo_settings.model_copy(update={"read_only": True})
    with pytest.raises(safety.ReadOnlyError):
        Runner(settings, backend=demo_backend, callbacks=_yes()).run("disable-sequential-execution")
    # The executors check the gate too, whoever calls them.
    from console.playbook.model import get

    step = get("disable-sequential-execution").render(settings)[0]
    with pytest.raises(safety.ReadOnlyError):
        LocalExecutor(settings, demo_backend).execute(step, lambda *a: None)
    assert (
        demo_backend.deploy_state().service("nba-phase3-analytics-processors").env["SEQUENTIAL_EXECUTION_ENABLED"]
        == "true"
    )
    assert not AuditLog(settings.state_dir).path.exists()


def test_bad_parameters_are_refused_and_nothing_runs(demo_settings, demo_backend):
    before = demo_backend.deploy_state()
    for commit in ("29130502; rm -rf /", "$(id)"):
        with pytest.raises(PlaybookError):
            Runner(demo_settings, backend=demo_backend, callbacks=_yes()).run(
                "redeploy-service", {"service": "nba-scrapers", "commit": commit}
            )
    with pytest.raises(PlaybookError):
        Runner(demo_settings, backend=demo_backend, callbacks=_yes()).run(
            "redeploy-service", {"service": "not-a-service", "commit": "29130502"}
        )
    assert demo_backend.deploy_state() == before
    assert not AuditLog(demo_settings.state_dir).path.exists()


# ------------------------------------------------------------------ the lock


def _owner(run_id, **kw):
    import socket

    return make_owner(
        {"user": "u", "host": socket.gethostname(), "pid": os.getpid(), "run_id": run_id, "playbook": "p", **kw}, 60
    )


def test_lock_refuses_a_second_concurrent_run(demo_settings, demo_backend):
    lock = FileLock(demo_settings.state_dir)
    lock.acquire(_owner("other-run"))
    with pytest.raises(LockHeld, match="other-run"):
        Runner(demo_settings, backend=demo_backend, callbacks=_yes()).run("disable-sequential-execution")
    assert (
        demo_backend.deploy_state().service("nba-phase3-analytics-processors").env["SEQUENTIAL_EXECUTION_ENABLED"]
        == "true"
    )
    lock.release(_owner("other-run"))
    assert Runner(demo_settings, backend=demo_backend, callbacks=_yes()).run("disable-sequential-execution").ok


def test_lock_is_released_after_a_run_and_after_a_failure(demo_settings, demo_backend):
    ex = FailingExecutor(demo_settings, demo_backend, fail_step=0)
    Runner(demo_settings, executor=ex, callbacks=_yes()).run("disable-sequential-execution")
    assert FileLock(demo_settings.state_dir).holder() is None


def test_lock_held_while_a_step_runs(demo_settings, demo_backend):
    seen = []

    def on_line(step, stream, line):
        seen.append(FileLock(demo_settings.state_dir).holder())

    Runner(demo_settings, backend=demo_backend, callbacks=_yes(on_line=on_line)).run("disable-sequential-execution")
    assert seen and all(h and h["playbook"] == "disable-sequential-execution" for h in seen)
    refused = []

    def nested(step, stream, line):  # a second runner while the first one's step runs
        try:
            Runner(demo_settings, backend=demo_backend, callbacks=_yes()).run("enable-sequential-execution")
        except LockHeld as exc:
            refused.append(str(exc))

    Runner(demo_settings, backend=demo_backend, callbacks=_yes(on_line=nested)).run("disable-sequential-execution")
    assert refused and all("disable-sequential-execution" in r for r in refused)
    env = demo_backend.deploy_state().service("nba-phase3-analytics-processors").env
    assert env["SEQUENTIAL_EXECUTION_ENABLED"] == "false"


def test_lock_of_a_dead_process_or_expired_is_taken_over(tmp_path):
    lock = FileLock(tmp_path)
    dead = _owner("dead", pid=2**22 + 12345)
    lock.acquire(dead)
    lock.acquire(_owner("mine"))
    assert lock.holder()["run_id"] == "mine"
    lock.release(_owner("mine"))
    expired = {**_owner("old", host="elsewhere"), "expires_at": "2000-01-01T00:00:00+00:00"}
    lock.acquire(expired)
    lock.acquire(_owner("mine2"))
    assert lock.holder()["run_id"] == "mine2"


def test_lock_of_a_live_owner_elsewhere_is_respected(tmp_path):
    lock = FileLock(tmp_path)
    lock.acquire(_owner("theirs", host="other-host", pid=1))
    with pytest.raises(LockHeld, match="other-host"):
        lock.acquire(_owner("mine"))
    lock.release(_owner("mine"))  # not ours: stays
    assert lock.holder()["run_id"] == "theirs"
