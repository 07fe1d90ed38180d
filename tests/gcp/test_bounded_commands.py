"""Every command that reads gcp ends within `gcp.query_timeout_s` + 10 s against endpoints
that accept connections and never answer (issue 24 item 6): `tail --no-follow`, `tail`'s
first word, `history`, `watch --once`, `check`, `report`, a playbook run (its Firestore run
lock) and the console's first load.

Each command runs as a user runs it (a subprocess, the real exit code and stderr) with
BigQuery, Firestore and Cloud Logging (HTTP and gRPC) all pointed at one blackhole
(tests/emulators/fault_proxy.py); deploy state comes from the fake `gcloud` and a real git
checkout, which answer, so drift is the one check that may still be judged.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import orjson
import pytest

from tests.emulators.fault_proxy import FaultProxy

TIMEOUT_S = 4.0
BOUND_S = TIMEOUT_S + 10  # the bound, Python's start included
PROJECT = "test-project"


@pytest.fixture
def silent_env(tmp_path, deploy_demo):
    """The environment of a console whose every Google endpoint accepts and never answers."""
    hole = FaultProxy(9).set("blackhole")  # the target is never dialled in blackhole mode
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBA_CONSOLE_")}
    env.update(
        BIGQUERY_EMULATOR_HOST=hole.address,
        FIRESTORE_EMULATOR_HOST=hole.address,
        NBA_CONSOLE_LOGGING_ENDPOINT=f"http://{hole.address}",
        NBA_CONSOLE_LOGGING_GRPC=hole.address,
        NBA_CONSOLE_GCP__QUERY_TIMEOUT_S=str(TIMEOUT_S),
        NBA_CONSOLE_GCP__PLATFORM_CHECKOUT=str(deploy_demo),
        NBA_CONSOLE_STATE_DIR=str(tmp_path / "state"),
        NBA_CONSOLE_DATA_DIR=str(tmp_path / "data"),
    )
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    yield env
    hole.close()


def _run(env, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "console", "--backend", "gcp", "--project", PROJECT, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=BOUND_S * 4,
    )
    return proc, time.monotonic() - started


def _no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-2000:]


def test_tail_no_follow_ends_within_the_deadline_with_one_line(silent_env):
    proc, took = _run(silent_env, "tail", "--no-follow")
    assert took <= BOUND_S, took
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"nba-console tail: Cloud Logging did not answer within {TIMEOUT_S:g} s (gcp.query_timeout_s)"
    ]
    assert proc.stdout == ""


def test_tail_says_the_history_did_not_load_within_the_deadline_and_stops_on_ctrl_c(silent_env):
    """A follow never ends on its own; what is bounded is its first word, and ctrl+c."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "--backend", "gcp", "--project", PROJECT, "tail"],
        env=silent_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stderr.readline()
        took = time.monotonic() - started
        assert took <= BOUND_S, took
        assert first == (
            f"nba-console tail: recent history not loaded: Cloud Logging did not answer within "
            f"{TIMEOUT_S:g} s (gcp.query_timeout_s)\n"
        )
        assert proc.poll() is None  # still following
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in proc.stderr.read()


def test_history_is_bounded_as_a_whole_not_per_date(silent_env):
    """One deadline for the range: 7 dates end as soon as one would."""
    proc, took = _run(silent_env, "history", "--days", "7", "--end", "2026-02-04", "--json")
    assert took <= BOUND_S, took
    assert proc.returncode == 2
    _no_traceback(proc)
    reports = orjson.loads(proc.stdout)
    assert len(reports) == 7
    for report in reports:
        statuses = {c["id"]: c["status"] for c in report["checks"]}
        assert {k for k, v in statuses.items() if v == "error"} >= set(statuses) - {"deployment_drift"}, statuses
        for check in report["checks"]:
            assert "\n" not in (check.get("error") or ""), check


def test_watch_once_tells_every_error_within_the_deadline(silent_env):
    proc, took = _run(silent_env, "--date", "2026-02-04", "watch", "--once", "--notify", "stdout")
    assert took <= BOUND_S, took
    _no_traceback(proc)
    # Delivered (to stdout): 0, as the README says; every Google source is told as an error.
    assert proc.returncode == 0, proc.stderr
    for check in (
        "phase3_completion",
        "sequential_execution",
        "grading_coverage",
        "dnp_pollution",
        "usage_rate_coverage",
    ):
        assert f"{check} error" in proc.stderr, proc.stderr


@pytest.mark.parametrize("command", [["check"], ["report"]])
def test_check_and_report_end_within_the_deadline(silent_env, command):
    proc, took = _run(silent_env, "--date", "2026-02-04", *command)
    assert took <= BOUND_S, took
    assert proc.returncode == 2
    _no_traceback(proc)


def test_a_playbook_run_is_refused_within_the_deadline_when_its_firestore_lock_cannot_be_taken(silent_env):
    """The Firestore run lock's calls are bounded by gcp.query_timeout_s too (they were 10 s
    each whatever it was); nothing runs without the lock."""
    proc, took = _run(silent_env, "playbook", "run", "enable-sequential-execution", "--yes")
    assert took <= BOUND_S, took
    assert proc.returncode == 2
    _no_traceback(proc)
    assert proc.stderr.splitlines()[-1].startswith("nba-console: cannot take the Firestore run lock: ")
    assert "$ gcloud" not in proc.stdout  # no step ran


async def test_the_consoles_first_load_shows_every_gcp_panel_as_an_error_within_the_deadline(silent_env, monkeypatch):
    from console.core.config import load_settings
    from console.tui.app import NbaConsoleApp
    from tests.functional.conftest import SIZE, until

    for key, value in silent_env.items():
        monkeypatch.setenv(key, value)
    settings = load_settings(backend="gcp", project=PROJECT)
    from datetime import date

    app = NbaConsoleApp(settings, game_date=date(2026, 2, 4))
    google = ("phase3_completion", "sequential_execution", "grading_coverage", "dnp_pollution", "usage_rate_coverage")
    started = time.monotonic()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: all(app.states[c].error is not None for c in google), timeout=BOUND_S)
        assert time.monotonic() - started <= BOUND_S
        for check in google:
            assert "\n" not in app.states[check].error
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, timeout=5)
