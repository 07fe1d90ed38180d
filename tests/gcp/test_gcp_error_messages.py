"""Each error a user will meet, produced for real (emulators, the fake logging server, a
hung socket, an empty HOME) and turned into one SourceError with one clear message."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime

import pytest

from console.backends.gcp_backend import GcpBackend
from console.backends.gcp_clients import ClientFactory
from console.core.config import load_settings
from console.core.errors import ErrorKind, SourceError
from console.services.runner import SPEC_BY_ID, CheckContext, run_check
from tests.emulators.fixtures import TEST_PROJECT

GAME = date(2026, 2, 4)
AS_OF = datetime(2026, 2, 5, 16, 0, tzinfo=UTC)
PARAMS = {"game_date": GAME, "as_of": AS_OF}
START, END = datetime(2026, 2, 5, 5, tzinfo=UTC), AS_OF


# ------------------------------------------------------------------ logging: 429 and 403


def test_logging_429_is_retried_with_back_off(gcp_backend, logs_demo):
    logs_demo.fail_next(2, status=429)
    entries = gcp_backend.read_logs("nba-phase3-analytics-processors", START, END)
    assert len(logs_demo.list_requests) == 3  # two refused, the third answered
    assert entries and [e.timestamp for e in entries] == sorted(e.timestamp for e in entries)
    assert len({e.insert_id for e in entries}) == len(entries)


def test_logging_429_that_persists_is_a_quota_error(gcp_backend, logs_demo):
    logs_demo.fail_next(10, status=429)
    with pytest.raises(SourceError) as err:
        gcp_backend.read_logs("nba-phase3-analytics-processors", START, END)
    assert err.value.kind is ErrorKind.QUOTA
    assert len(logs_demo.list_requests) == gcp_backend.settings.gcp.retry_attempts


def test_logging_403_names_the_logs_viewer_role_and_is_not_retried(gcp_backend, logs_demo):
    logs_demo.fail_next(1, status=403)
    result = run_check(
        SPEC_BY_ID["sequential_execution"],
        gcp_backend,
        CheckContext(settings=gcp_backend.settings, game_date=GAME, as_of=AS_OF),
    )
    assert result.status.value == "error" and result.value.error_kind == "permission"
    assert "Logs Viewer (roles/logging.viewer)" in result.summary and "\n" not in result.summary
    assert len(logs_demo.list_requests) == 1


# ------------------------------------------------------------------ BigQuery


def test_missing_table_names_the_table_and_the_config_key(gcp_backend):
    tables = gcp_backend.settings.tables.model_copy(update={"prediction_accuracy": "nba_predictions.no_such_table"})
    settings = gcp_backend.settings.model_copy(update={"tables": tables})
    backend = GcpBackend(settings, clients=gcp_backend.clients)
    with pytest.raises(SourceError) as err:
        backend.run_query("grading_coverage", PARAMS)
    assert err.value.kind is ErrorKind.NOT_FOUND
    assert "nba_predictions.no_such_table" in str(err.value)
    assert "tables.prediction_accuracy" in str(err.value)


def test_missing_dataset_is_not_found_too(gcp_backend):
    tables = gcp_backend.settings.tables.model_copy(
        update={"player_game_summary": "no_such_dataset.player_game_summary"}
    )
    backend = GcpBackend(gcp_backend.settings.model_copy(update={"tables": tables}), clients=gcp_backend.clients)
    with pytest.raises(SourceError) as err:
        backend.run_query("usage_by_game", {**PARAMS, "max_usage_rate": 100.0})
    assert err.value.kind is ErrorKind.NOT_FOUND and "no_such_dataset" in str(err.value)


class _ReportsBytes(GcpBackend):
    """bqemulator's dry run answers 0 bytes (no cost model, see tests/emulators/FINDINGS.md),
    so the figure a real BigQuery dry run would give is supplied at this one seam; the rest
    (the refusal, nothing run) is the real code path against the emulator."""

    figure = 10 * 1024 * 1024
    dry_runs = 0

    def dry_run_bytes(self, client, text, parameters, timeout):
        self.dry_runs += 1
        super().dry_run_bytes(client, text, parameters, timeout)  # the real dry run still happens
        return self.figure


def test_byte_cap_of_one_byte_refuses_the_query(gcp_backend, bq_demo):
    settings = gcp_backend.settings.model_copy(
        update={"gcp": gcp_backend.settings.gcp.model_copy(update={"maximum_bytes_billed": 1})}
    )
    backend = _ReportsBytes(settings, clients=gcp_backend.clients)
    client = gcp_backend.clients.bigquery()
    jobs_before = sum(1 for _ in client.list_jobs())
    with pytest.raises(SourceError) as err:
        backend.run_query("grading_coverage", PARAMS)
    assert err.value.kind is ErrorKind.TOO_EXPENSIVE
    assert "10.0 MiB" in str(err.value) and "gcp.maximum_bytes_billed" in str(err.value)
    assert backend.last_bytes("grading_coverage") == _ReportsBytes.figure
    assert backend.dry_runs == 1
    assert sum(1 for _ in client.list_jobs()) <= jobs_before + 1  # only the dry run, no real job


def test_byte_figure_under_the_cap_runs(gcp_backend):
    backend = _ReportsBytes(gcp_backend.settings, clients=gcp_backend.clients)
    rows = backend.run_query("grading_coverage", PARAMS)
    assert sum(r["predicted"] for r in rows) == 759
    assert backend.bytes_label("grading_coverage") == "10.0 MiB"


@pytest.fixture
def hung_server():
    """A TCP server that accepts and never answers: a BigQuery that does not respond."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    conns, stop = [], threading.Event()

    def accept():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conns.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join()
    for c in conns:
        c.close()
    sock.close()


def test_query_that_outlives_its_timeout_is_a_timeout_error(tmp_path, hung_server):
    settings = load_settings(backend="gcp", project=TEST_PROJECT, data_dir=tmp_path, gcp={"query_timeout_s": 1.0})
    backend = GcpBackend(
        settings, clients=ClientFactory(TEST_PROJECT, env={"BIGQUERY_EMULATOR_HOST": f"127.0.0.1:{hung_server}"})
    )
    t0 = time.monotonic()
    with pytest.raises(SourceError) as err:
        backend.run_query("grading_coverage", PARAMS)
    elapsed = time.monotonic() - t0
    assert err.value.kind is ErrorKind.TIMEOUT
    assert "gcp.query_timeout_s" in str(err.value)
    assert elapsed < 15  # bounded by the timeout (+ the best-effort cancel), not the client's 10-minute default


# ------------------------------------------------------------------ no credentials


def test_check_without_credentials_prints_one_line_and_exits_2(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "GOOGLE_APPLICATION_CREDENTIALS",
            "BIGQUERY_EMULATOR_HOST",
            "FIRESTORE_EMULATOR_HOST",
            "CLOUDSDK_CONFIG",
        )
        and not k.startswith("NBA_CONSOLE_")
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        CLOUDSDK_CONFIG=str(home / "gcloud"),
        NO_GCE_CHECK="True",
        GCE_METADATA_HOST="127.0.0.1:9",
        GCE_METADATA_IP="127.0.0.1:9",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "console", "--backend", "gcp", "check"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "nba-console: no Application Default Credentials: run `gcloud auth application-default login`"
    ]
    assert "Traceback" not in proc.stdout + proc.stderr


def test_each_check_without_credentials_is_an_auth_error(tmp_path, monkeypatch):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("FIRESTORE_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    settings = load_settings(backend="gcp", data_dir=tmp_path)
    backend = GcpBackend(settings, clients=ClientFactory(settings.project, env={}))
    ctx = CheckContext(settings=settings, game_date=GAME, as_of=AS_OF)
    for check_id in ("phase3_completion", "sequential_execution", "grading_coverage"):
        result = run_check(SPEC_BY_ID[check_id], backend, ctx)
        assert result.value.error_kind == "auth", (check_id, result.summary)
        assert result.summary == "no Application Default Credentials: run `gcloud auth application-default login`"


def test_gcloud_errors_become_one_message(gcp_backend, fake_gcloud):
    import orjson

    ctx = CheckContext(settings=gcp_backend.settings, game_date=GAME, as_of=AS_OF)
    fake_gcloud.write_bytes(
        orjson.dumps(
            {
                "_error": "ERROR: (gcloud.run.services.describe) PERMISSION_DENIED: "
                "Permission 'run.services.get' denied on resource"
            }
        )
    )
    result = run_check(SPEC_BY_ID["deployment_drift"], gcp_backend, ctx)
    assert result.value.error_kind == "permission" and "roles/run.viewer" in result.summary
    fake_gcloud.write_bytes(
        orjson.dumps(
            {"_error": "ERROR: (gcloud.run.services.describe) You do not currently have an active account selected."}
        )
    )
    result = run_check(SPEC_BY_ID["deployment_drift"], gcp_backend, ctx)
    assert result.value.error_kind == "auth" and "gcloud auth login" in result.summary
