"""The console CLI run in a subprocess against a fake gcloud and a real git checkout (playbook runs, kills, resumes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.helpers.pb_fakes import deploy_events, fake_env, make_checkout


def run_cli(args, env, **kw):
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        **kw,
    )


def start_console(args, env):
    return subprocess.Popen(
        [sys.executable, "-m", "console", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        text=True,
    )


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def kill_console_mid_deploy(env, tmp, sleep_s="4"):
    """`rollback-prediction-services --yes`, SIGKILL to the console (only) during step 2,
    whose fake deploy sleeps on: the situation of issue 10."""
    hang = tmp / "hang"
    hang.write_text("")
    env = {**env, "FAKE_HANG": "prediction-coordinator", "FAKE_HANG_FILE": str(hang), "FAKE_HANG_S": sleep_s}
    proc = start_console(["playbook", "run", "rollback-prediction-services", "--yes"], env)
    wait_for(lambda: any(e[0] == "START" and e[1] == "prediction-coordinator" for e in deploy_events(tmp)))
    os.kill(proc.pid, signal.SIGKILL)  # the console only: its deploy keeps running, orphaned
    proc.communicate()
    [orphan] = [e[3] for e in deploy_events(tmp) if e[1] == "prediction-coordinator"]
    return env, orphan


def cli_env_for(tmp_path):
    """The environment of a console run on gcp against the fake gcloud and a real checkout, and
    the folder of its files (the fixture `cli_env` of tests/conftest.py)."""
    checkout = make_checkout(tmp_path / "platform")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBA_CONSOLE_")}
    env.update(fake_env(tmp_path))
    env.update(
        NBA_CONSOLE_BACKEND="gcp",
        NBA_CONSOLE_STATE_DIR=str(tmp_path / "state"),
        NBA_CONSOLE_DATA_DIR=str(tmp_path / "data"),
        NBA_CONSOLE_GCP__PLATFORM_CHECKOUT=str(checkout),
        NBA_CONSOLE_PLAYBOOKS__FIRESTORE_LOCK="false",
    )
    return env, tmp_path
