"""The fault matrix on the gcp backend, against the emulators through a FaultProxy:
faults x checks, each asserting the time bound, the status, the panel and recovery.

Faults: an endpoint that is closed from the start, an endpoint that accepts and never
answers, an emulator stopped mid-session (and back), a bad credentials file. Each service
is broken on its own (the others stay healthy), with `gcp.query_timeout_s` = 4 s.
"""

from __future__ import annotations

import os
import time
from datetime import date

import orjson
import pytest

from console.backends.gcp_backend import GcpBackend
from console.backends.gcp_clients import ClientFactory
from console.core.clock import DEMO_END
from console.services.refresh import PanelState
from console.services.runner import CHECK_GRACE_S, SPEC_BY_ID, CheckContext, run_check
from tests.emulators.fault_proxy import FaultProxy
from tests.gcp.conftest import emulator_env

FEB4 = date(2026, 2, 4)
TIMEOUT_S = 4.0
# Refused (a closed port, a stopped emulator, bad credentials): an error before the deadline
# could end it. Measured at most 0.76 s (three runs, load 3-5), so this is 5x, and still below
# the 4.0 s a deadline takes.
FAST_S = TIMEOUT_S - 0.25
# No answer: ended by the deadline (measured 4.00-4.02 s), not by the clients' own minutes of
# retries. 5x the deadline and its grace; the precision of the deadline is tests/unit/core/test_deadline.py.
BOUND_S = 5 * (TIMEOUT_S + CHECK_GRACE_S)
RECOVER_S = 30.0

SERVICE_CHECKS = {
    "firestore": ("phase3_completion",),
    "logging": ("sequential_execution",),
    "bigquery": ("grading_coverage", "dnp_pollution", "usage_rate_coverage"),
}
CASES = [
    pytest.param(fault, service, check, id=f"{fault}-{check}")
    for fault in ("endpoint closed", "endpoint never answers", "emulator stopped mid-session")
    for service, checks in SERVICE_CHECKS.items()
    for check in checks
]


@pytest.fixture
def proxied(gcp_settings, bq_demo, fs_demo, logs_demo, monkeypatch):
    """A backend whose three services each go through their own FaultProxy."""
    proxies = {
        "bigquery": FaultProxy(bq_demo.port),
        "firestore": FaultProxy(int(os.environ["FIRESTORE_EMULATOR_HOST"].rsplit(":", 1)[1])),
        "logging": FaultProxy(logs_demo.http_port),
    }
    for proxy in proxies.values():
        proxy.set("forward")
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", proxies["firestore"].address)
    settings = gcp_settings.model_copy(
        update={"gcp": gcp_settings.gcp.model_copy(update={"query_timeout_s": TIMEOUT_S})}
    )
    env = emulator_env(proxies["bigquery"].port, f"http://{proxies['logging'].address}")
    env["FIRESTORE_EMULATOR_HOST"] = proxies["firestore"].address

    def make() -> GcpBackend:
        return GcpBackend(settings, clients=ClientFactory(settings.project, env=env))

    yield proxies, make, settings
    for proxy in proxies.values():
        proxy.close()


def _timed(spec, backend, ctx):
    started = time.monotonic()
    result = run_check(spec, backend, ctx)
    return result, time.monotonic() - started


def _recovers(spec, backend, ctx, state) -> None:
    """What the console does after an error: try again (with back-off) until it answers."""
    deadline = time.monotonic() + RECOVER_S
    while True:
        result = run_check(spec, backend, ctx)
        if result.status.value != "error" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert result.status.value == "ok", result.summary
    state.apply(result, DEMO_END)
    assert state.display_status == "ok" and state.error is None


@pytest.mark.parametrize(("fault", "service", "check_id"), CASES)
def test_gcp_fault_matrix(fault, service, check_id, proxied):
    proxies, make, settings = proxied
    spec = SPEC_BY_ID[check_id]
    ctx = CheckContext(settings, FEB4, DEMO_END)
    state = PanelState(check_id, spec.title)
    backend = make()
    try:
        if fault == "emulator stopped mid-session":
            good = run_check(spec, backend, ctx)
            assert good.status.value == "ok", good.summary
            state.apply(good, DEMO_END)
        proxies[service].set("blackhole" if fault == "endpoint never answers" else "closed")

        result, took = _timed(spec, backend, ctx)
        assert result.status.value == "error", result.summary
        assert "\n" not in result.error and "Traceback" not in result.error
        if fault == "endpoint never answers":
            assert TIMEOUT_S - 0.5 <= took <= BOUND_S, took
            assert result.value.error_kind == "timeout"
            assert f"{TIMEOUT_S:g} s" in result.error or "timed out" in result.error
        else:
            assert took <= FAST_S, took
            assert "unreachable" in result.error or "unavailable" in result.error
        state.apply(result, DEMO_END)
        if fault == "emulator stopped mid-session":
            assert state.display_status == "stale" and state.shown is good  # the last good value stays
        else:
            assert state.display_status == "error"

        proxies[service].set("forward")  # the fault clears
        _recovers(spec, backend, ctx, state)
    finally:
        backend.close()


@pytest.mark.parametrize("problem", ["missing", "directory", "not json", "not a key"])
def test_bad_credentials_file_is_named_at_once_then_clears(problem, proxied, tmp_path, monkeypatch, capsys):
    from console.cli import main

    proxies, _, settings = proxied
    path = {
        "missing": tmp_path / "nope.json",
        "directory": tmp_path,
        "not json": tmp_path / "k.json",
        "not a key": tmp_path / "k.json",
    }[problem]
    if problem == "not json":
        path.write_text("garbage")
    if problem == "not a key":
        path.write_text('{"hello": 1}')
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    monkeypatch.setenv("BIGQUERY_EMULATOR_HOST", proxies["bigquery"].address)
    monkeypatch.setenv("NBA_CONSOLE_LOGGING_ENDPOINT", f"http://{proxies['logging'].address}")
    argv = [
        "--backend",
        "gcp",
        "--project",
        settings.project,
        "--date",
        "2026-02-04",
        "check",
        "--only",
        "grading_coverage",
        "--only",
        "phase3_completion",
        "--only",
        "sequential_execution",
    ]
    started = time.monotonic()
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and time.monotonic() - started < FAST_S
    assert err.count("\n") == 1 and f"GOOGLE_APPLICATION_CREDENTIALS={path}" in err
    assert "gcloud auth application-default login" not in err

    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS")  # cleared: the same command works
    assert main(argv) == 0


def test_check_against_closed_ports_exits_2_within_the_deadline(proxied, monkeypatch, capsys):
    """The issue's measurement: every service's port closed, `check` exits 2 well within
    query_timeout_s + 10 s (all checks run side by side)."""
    from console.cli import main

    proxies, _, settings = proxied
    for proxy in proxies.values():
        proxy.set("closed")
    monkeypatch.setenv("BIGQUERY_EMULATOR_HOST", proxies["bigquery"].address)
    monkeypatch.setenv("NBA_CONSOLE_LOGGING_ENDPOINT", f"http://{proxies['logging'].address}")
    monkeypatch.setenv("NBA_CONSOLE_GCP__QUERY_TIMEOUT_S", str(TIMEOUT_S))
    monkeypatch.setenv("NBA_CONSOLE_GCP__PLATFORM_CHECKOUT", str(settings.gcp.platform_checkout))
    for mode, bound in (("closed", FAST_S + 2), ("blackhole", BOUND_S + 1)):
        for proxy in proxies.values():
            proxy.set(mode)
        started = time.monotonic()
        code = main(["--backend", "gcp", "--project", settings.project, "--date", "2026-02-04", "check", "--json"])
        took = time.monotonic() - started
        out = capsys.readouterr().out
        assert code == 2 and took <= bound, (mode, took)
        checks = {c["id"]: c["status"] for c in orjson.loads(out)["checks"]}
        # Every Google source is an error; drift (gcloud, git) still answers.
        assert {k for k, v in checks.items() if v == "error"} == set(checks) - {"deployment_drift"}


def test_a_name_that_does_not_resolve_is_an_error_at_once(tmp_path):
    """DNS failure on every Google client: `error` in seconds, not after the 60 s deadline
    (gRPC's own resolver would retry until it; the console uses the system's)."""
    import subprocess
    import sys

    host = "nonexistent.invalid:9"
    env = {
        **os.environ,
        "BIGQUERY_EMULATOR_HOST": host,
        "FIRESTORE_EMULATOR_HOST": host,
        "NBA_CONSOLE_LOGGING_ENDPOINT": f"http://{host}",
        "XDG_STATE_HOME": str(tmp_path),
    }
    env.pop("GRPC_DNS_RESOLVER", None)
    only = [a for c in ("phase3_completion", "sequential_execution", "grading_coverage") for a in ("--only", c)]
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "console",
            "--backend",
            "gcp",
            "--project",
            "test-project",
            "--date",
            "2026-02-04",
            "check",
            "--json",
            *only,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    took = time.monotonic() - started
    assert proc.returncode == 2 and took < 30, (took, proc.stderr[-500:])  # startup included; the deadline is 60 s
    checks = orjson.loads(proc.stdout)["checks"]
    assert all(c["status"] == "error" and "name not resolved" in c["error"] for c in checks), checks
