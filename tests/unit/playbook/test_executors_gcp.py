"""The gcp executor against real stand-in executables (a fake gcloud on PATH, a real git
repository with a fake deploy script), and the CLI end to end, including kill and resume."""

from __future__ import annotations

import shutil

import pytest

from console.core.config import load_settings
from console.playbook.audit import AuditLog
from console.playbook.engine import Callbacks, Runner
from console.playbook.procs import pid_alive
from tests.helpers.pb_fakes import deploy_events, fake_env, git, make_checkout, never_overlapping, ran
from tests.helpers.playbook_cli import kill_console_mid_deploy, run_cli, start_console


def _yes(**kw) -> Callbacks:
    return Callbacks(confirm=lambda s: True, type_target=lambda s: s.target, **kw)


@pytest.fixture
def gcp(tmp_path, monkeypatch):
    checkout = make_checkout(tmp_path / "platform")
    fake_env(tmp_path, monkeypatch, FAKE_ENV='{"SEQUENTIAL_EXECUTION_ENABLED": "false"}')
    settings = load_settings(
        backend="gcp",
        state_dir=tmp_path / "state",
        data_dir=tmp_path / "data",
        gcp={"platform_checkout": checkout},
        playbooks={"firestore_lock": False},
    )
    return settings, checkout, tmp_path


def test_gcp_runs_exactly_the_argv_and_verifies_by_reading_back(gcp):
    settings, _, tmp = gcp
    lines = []
    outcome = Runner(settings, callbacks=_yes(on_line=lambda s, stream, line: lines.append(line))).run(
        "disable-sequential-execution"
    )
    assert outcome.ok, outcome.message
    describe = [
        "gcloud",
        "run",
        "services",
        "describe",
        "nba-phase3-analytics-processors",
        "--region=us-west2",
        "--format=json",
    ]
    commands = ran(tmp)
    # Pre-flight, read-only: the account, the project, the service and its flag as it is now.
    assert [a[1:3] for a in commands[:2]] == [["auth", "list"], ["config", "get-value"]] and commands[2] == describe
    assert commands[3:] == [
        [
            "gcloud",
            "run",
            "services",
            "update",
            "nba-phase3-analytics-processors",
            "--region=us-west2",
            "--update-env-vars=SEQUENTIAL_EXECUTION_ENABLED=false",
        ],
        describe,
    ]
    assert "Done." in lines  # stderr streamed too
    start = AuditLog(settings.state_dir).records(outcome.run_id)[0]
    assert start["operator"]["gcloud_account"] == "oncall@example.com"


def test_verification_fails_when_the_variable_does_not_read_back(gcp, monkeypatch):
    settings, _, _tmp = gcp
    monkeypatch.setenv("FAKE_ENV", '{"SEQUENTIAL_EXECUTION_ENABLED": "true"}')
    outcome = Runner(settings, callbacks=_yes()).run("disable-sequential-execution")
    assert outcome.status == "failed"
    end = [r for r in AuditLog(settings.state_dir).records(outcome.run_id) if r["event"] == "step_end"][-1]
    assert (
        end["exit_code"] == 0
        and end["verified"] is False
        and "SEQUENTIAL_EXECUTION_ENABLED=true" in end["verification"]
    )


def test_preflight_refuses_another_project(gcp, monkeypatch):
    settings, _, tmp = gcp
    monkeypatch.setenv("FAKE_PROJECT", "someone-elses-project")
    outcome = Runner(settings, callbacks=_yes()).run("disable-sequential-execution")
    assert outcome.status == "preflight_failed" and "someone-elses-project" in outcome.message
    assert not [a for a in ran(tmp) if "update" in a]


def test_preflight_refuses_without_gcloud(gcp, monkeypatch):
    settings, _, tmp = gcp
    monkeypatch.setenv("PATH", "/nonexistent")
    outcome = Runner(settings, callbacks=_yes()).run("disable-sequential-execution")
    assert outcome.status == "preflight_failed" and "gcloud" in outcome.message
    assert ran(tmp) == []


def test_a_failing_gcloud_step_stops_the_run(gcp, monkeypatch):
    settings, _, tmp = gcp
    monkeypatch.setenv("FAKE_FAIL", "run services update")
    outcome = Runner(settings, callbacks=_yes()).run("disable-sequential-execution")
    assert outcome.status == "failed"
    # step 2 never ran: the one describe is the pre-flight's, before the failing update
    describes = [i for i, a in enumerate(ran(tmp)) if a[1:4] == ["run", "services", "describe"]]
    updates = [i for i, a in enumerate(ran(tmp)) if a[1:4] == ["run", "services", "update"]]
    assert len(describes) == 1 and describes[0] < updates[0]
    end = [r for r in AuditLog(settings.state_dir).records(outcome.run_id) if r["event"] == "step_end"]
    assert [(e["step"], e["exit_code"]) for e in end] == [(0, 3)]
    assert "stderr: ERROR: (gcloud) simulated failure" in end[0]["output_tail"]


def test_preflight_refuses_a_revert_of_a_commit_not_in_the_checkout(gcp):
    settings, _, tmp = gcp
    outcome = Runner(settings, callbacks=_yes()).run("rollback-grading-orchestration")
    assert outcome.status == "preflight_failed" and "19722f5c" in outcome.message
    assert not [a for a in ran(tmp) if a[1:3] == ["functions", "delete"]]


def _revert_playbook(tmp_path):
    folder = tmp_path / "books"
    folder.mkdir()
    (folder / "revert-then-deploy.toml").write_text(
        'name = "revert-then-deploy"\ntitle = "t"\n[params.commit]\ntype = "commit"\n'
        '[[steps]]\naction = "git_revert"\ntitle = "revert"\ndangerous = true\nparams = { commit = "{commit}" }\n'
        '[[steps]]\naction = "deploy_function"\ntitle = "deploy"\n'
        'params = { function = "grading", source = "orchestration/cloud_functions/grading" }\n'
        '[[steps]]\naction = "delete_function"\ntitle = "delete"\nparams = { function = "phase3-to-grading" }\n'
    )
    return folder


def test_git_revert_against_a_real_repository(gcp):
    settings, checkout, tmp = gcp
    (checkout / "orchestration" / "cloud_functions" / "grading" / "main.py").write_text("def grade(): return 1\n")
    git(checkout, "commit", "-qam", "feat: grading prevention system")
    sha = git(checkout, "rev-parse", "HEAD").strip()
    outcome = Runner(settings, callbacks=_yes(), playbooks_dir=_revert_playbook(tmp)).run(
        "revert-then-deploy", {"commit": sha[:8]}
    )
    assert outcome.ok, outcome.message
    assert git(checkout, "log", "-1", "--format=%s").startswith('Revert "feat: grading prevention system"')
    assert (checkout / "orchestration" / "cloud_functions" / "grading" / "main.py").read_text() == "def grade(): pass\n"
    assert [
        "gcloud",
        "functions",
        "deploy",
        "grading",
        "--region=us-west2",
        "--source=orchestration/cloud_functions/grading",
    ] in ran(tmp)


def test_git_revert_refused_on_a_dirty_checkout(gcp):
    settings, checkout, tmp = gcp
    sha = git(checkout, "rev-parse", "HEAD").strip()
    (checkout / "uncommitted.txt").write_text("work in progress\n")
    outcome = Runner(settings, callbacks=_yes(), playbooks_dir=_revert_playbook(tmp)).run(
        "revert-then-deploy", {"commit": sha[:8]}
    )
    assert outcome.status == "preflight_failed" and "checkout clean" in outcome.message
    assert git(checkout, "log", "-1", "--format=%s").strip() == "initial"


# ------------------------------------------------------------------ the CLI in a subprocess


def test_cli_dry_run_prints_the_exact_commands_and_runs_only_the_read_only_preflight(cli_env):
    env, tmp = cli_env
    res = run_cli(["playbook", "run", "rollback-prediction-services", "--dry-run"], env)
    assert res.returncode == 0
    assert "$ ./bin/deploy-service.sh prediction-worker --commit=29130502" in res.stdout
    assert "$ ./bin/deploy-service.sh prediction-coordinator --commit=29130502" in res.stdout
    assert "pre-flight ok   commit 29130502: in the platform history" in res.stdout
    # The pre-flight's reads only (git cat-file runs in the checkout, not through gcloud):
    # no deploy, no lock, no audit record.
    assert [a[1:3] for a in ran(tmp)] == [["auth", "list"], ["config", "get-value"]]
    assert not (tmp / "state" / "audit.jsonl").exists() and not (tmp / "state" / "playbook.lock").exists()


@pytest.mark.slow
def test_cli_dry_run_refuses_what_the_run_refuses_with_the_same_message_and_exit_2(cli_env):
    env, tmp = cli_env
    args = [
        "playbook",
        "run",
        "redeploy-service",
        "--param",
        "service=nba-phase4-precompute",
        "--param",
        "commit=4f7e1d2a",
    ]
    dry = run_cli([*args, "--dry-run"], env)
    real = run_cli([*args, "--yes"], env)
    refusal = "nba-console: refused: pre-flight failed: commit 4f7e1d2a: not in the platform history\n"
    assert (dry.returncode, real.returncode) == (2, 2)
    assert dry.stderr == real.stderr == refusal
    assert [a for a in ran(tmp) if a[0] != "gcloud"] == []  # no deploy script ran
    # gcloud missing: the dry run refuses as the run does, not a plan that exit 0 promises.
    nogcloud = tmp / "nogcloud"
    nogcloud.mkdir()
    (nogcloud / "git").symlink_to(shutil.which("git"))
    bare = {**env, "PATH": str(nogcloud)}
    dry, real = (
        run_cli([*args[:2], "disable-sequential-execution", "--dry-run"], bare),
        run_cli([*args[:2], "disable-sequential-execution", "--yes"], bare),
    )
    assert (dry.returncode, real.returncode) == (2, 2) and dry.stderr == real.stderr
    assert "gcloud: gcloud is not on PATH" in dry.stderr


def test_cli_read_only_refuses_with_exit_2(cli_env):
    env, tmp = cli_env
    res = run_cli(["--read-only", "playbook", "run", "disable-sequential-execution", "--yes"], env)
    assert res.returncode == 2 and "read-only" in res.stderr
    res = run_cli(
        ["playbook", "run", "disable-sequential-execution", "--yes"], {**env, "NBA_CONSOLE_READ_ONLY": "true"}
    )
    assert res.returncode == 2 and "read-only" in res.stderr
    assert ran(tmp) == []


def test_cli_without_a_terminal_refuses_unless_yes(cli_env):
    env, tmp = cli_env
    res = run_cli(["playbook", "run", "disable-sequential-execution"], env)
    assert res.returncode == 2 and "--yes" in res.stderr and ran(tmp) == []


@pytest.mark.slow
def test_cli_refuses_injection_and_runs_nothing(cli_env):
    env, tmp = cli_env
    for commit in ("29130502; rm -rf /", "$(id)"):
        res = run_cli(
            [
                "playbook",
                "run",
                "redeploy-service",
                "--param",
                "service=nba-scrapers",
                "--param",
                f"commit={commit}",
                "--yes",
            ],
            env,
        )
        assert res.returncode == 2 and "commit" in res.stderr
    res = run_cli(
        ["playbook", "run", "redeploy-service", "--param", "service=evil", "--param", "commit=29130502", "--yes"], env
    )
    assert res.returncode == 2 and "not a service the config knows" in res.stderr
    assert ran(tmp) == []


@pytest.mark.slow
def test_kill_then_resume_never_runs_two_deploys_and_records_the_killed_step_as_unknown(cli_env):
    env, tmp = cli_env
    env, orphan = kill_console_mid_deploy(env, tmp, sleep_s="120")  # until the hang file goes
    assert pid_alive(orphan)
    [run] = AuditLog(tmp / "state").runs()
    assert run.status == "interrupted" and run.done == {0} and run.unknown == {1}
    procs = [r for r in AuditLog(tmp / "state").records(run.run_id) if r.event == "step_proc"]
    assert [(p.step, p.get("pid")) for p in procs][-1] == (1, orphan)  # recorded before it started

    # While the orphan runs, neither a resume nor another run may start: both name it.
    for args in (
        ["playbook", "run", "--resume", run.run_id, "--yes"],
        [
            "playbook",
            "run",
            "redeploy-service",
            "--param",
            "service=nba-scrapers",
            "--param",
            "commit=06934c94",
            "--yes",
        ],
    ):
        res = run_cli(args, env)
        assert res.returncode == 2, res.stdout + res.stderr
        assert f"pid {orphan}" in res.stderr and "deploy-service.sh prediction-coordinator" in res.stderr
    assert pid_alive(orphan)

    # --wait waits for the orphan's group; the orphan's deploy ends once the resume says so.
    resume = start_console(["playbook", "run", "--resume", run.run_id, "--yes", "--wait"], env)
    said = ""
    while "waiting for process group" not in said:
        line = resume.stderr.readline()
        assert line, said  # the resume ended without waiting
        said += line
    (tmp / "hang").unlink()
    out, err = resume.communicate(timeout=60)
    assert resume.returncode == 0, out + said + err
    events = deploy_events(tmp)
    assert never_overlapping(events), events
    # Both steps were re-verified (the orphan finished the deploy), so nothing ran twice.
    deploys = [a for a in ran(tmp) if a[0] == "./bin/deploy-service.sh"]
    assert deploys == [
        ["./bin/deploy-service.sh", "prediction-worker", "--commit=29130502"],
        ["./bin/deploy-service.sh", "prediction-coordinator", "--commit=29130502"],
    ]
    records = AuditLog(tmp / "state").records(run.run_id)
    unknown = [r for r in records if r.event == "step_end" and r.outcome == "unknown"]
    assert [(r.step, r.get("recorded_by")) for r in unknown] == [(1, run.run_id)]
    assert [r.step for r in records if r.event == "step_reverified"] == [0, 1]
    summary = AuditLog(tmp / "state").run(run.run_id)
    assert summary.status == "completed" and summary.done == {0, 1}
    shown = run_cli(["audit", "show", run.run_id], env)
    assert "unknown" in shown.stdout and f"pid {orphan}" in shown.stdout and "run_resume" in shown.stdout


def test_read_only_refuses_the_local_data_commands_too(tmp_path):
    from console.cli import main

    assert main(["--read-only", "--data-dir", str(tmp_path / "d"), "local", "seed-demo"]) == 2
    assert main(["--read-only", "--data-dir", str(tmp_path / "d"), "local", "load", str(tmp_path)]) == 2
    assert not (tmp_path / "d").exists()
