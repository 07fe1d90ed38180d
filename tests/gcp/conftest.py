"""The gcp backend against the emulators (tests/emulators): the demo scenario loaded into
bqemulator, the Firestore emulator and the fake Cloud Logging server; deploy state from a
fake `gcloud` on PATH and a real git repository.

Emulators start once per session (fixtures from tests/emulators) and are stopped by it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest

from console.backends.gcp_backend import GcpBackend
from console.backends.gcp_clients import LOGGING_ENDPOINT_ENV, ClientFactory
from console.backends.local_backend import _with_timestamps
from console.core.config import load_settings
from console.core.schema import BY_DEFAULT_NAME
from console.local import demo, demo_deploys
from tests.emulators import bigquery as emu_bq
from tests.emulators.fixtures import *  # noqa: F403 - the emulators' fixtures, for every test in tests/gcp
from tests.emulators.fixtures import TEST_PROJECT

HERE = Path(__file__).parent
# Process groups of the emulators these tests used; checked at the end of the session.
STARTED_GROUPS: dict[str, int] = {}


def pytest_sessionfinish(session, exitstatus):
    """Every emulator process group must be gone once the session fixtures stopped them."""
    from tests.emulators.procs import process_group_alive

    alive = {name: pgid for name, pgid in STARTED_GROUPS.items() if _still_alive(pgid, process_group_alive)}
    if alive:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"LEFTOVER emulator processes: {alive}", red=True
        )
        session.exitstatus = 1


def _still_alive(pgid: int, probe) -> bool:
    import time

    deadline = time.monotonic() + 5  # an orphaned JVM may need a moment to be reaped
    while time.monotonic() < deadline:
        if not probe(pgid):
            return False
        time.sleep(0.1)
    return True


FAKE_GCLOUD = HERE / "fake_gcloud.py"


# ------------------------------------------------------------------ BigQuery


@pytest.fixture(scope="session")
def bq_demo(bigquery_emulator):
    """The demo's four tables, partitioned like production, in the BigQuery emulator."""
    from google.cloud import bigquery

    STARTED_GROUPS["bigquery"] = bigquery_emulator.pgid
    client = emu_bq.make_client(bigquery_emulator.port, project=TEST_PROJECT)
    try:
        rows = demo.build_rows()
        for dataset in sorted({name.split(".")[0] for name in rows}):
            client.create_dataset(dataset, exists_ok=True)
        for name, table_rows in rows.items():
            spec = BY_DEFAULT_NAME[name]
            schema = [
                bigquery.SchemaField(c.name, c.type, mode="NULLABLE" if c.nullable else "REQUIRED")
                for c in spec.columns
            ]
            table = bigquery.Table(f"{TEST_PROJECT}.{name}", schema=schema)
            table.time_partitioning = bigquery.TimePartitioning(field=spec.partition)
            client.create_table(table, exists_ok=True)
            emu_bq.load_rows_json(client, f"{TEST_PROJECT}.{name}", table_rows, schema)
    finally:
        client.close()
    return bigquery_emulator


# ------------------------------------------------------------------ Firestore


def seed_firestore(project: str = TEST_PROJECT) -> None:
    from google.cloud import firestore

    client = firestore.Client(project=project)
    try:
        for doc_id, fields in demo.phase3_documents().items():
            client.collection("phase3_completion").document(doc_id).set(_with_timestamps(fields))
    finally:
        client.close()


@pytest.fixture
def fs_demo(firestore_emulator):
    """The demo's phase3_completion documents (re-seeded per test: other tests reset the DB)."""
    STARTED_GROUPS["firestore"] = firestore_emulator.pgid
    seed_firestore()
    return firestore_emulator


# ------------------------------------------------------------------ Logging


def demo_log_entries() -> list[dict]:
    entries = demo.log_entries()
    for e in entries:
        e["logName"] = e["logName"].replace("projects/nba-props-platform/", f"projects/{TEST_PROJECT}/")
    return entries


@pytest.fixture
def logs_demo(fake_logging_server):
    fake_logging_server.reset()
    fake_logging_server.add_entries(demo_log_entries())
    yield fake_logging_server
    fake_logging_server.reset()


# ------------------------------------------------------------------ deploys


def make_platform_repo(path: Path) -> dict[str, str]:
    """A real git repo with the demo's commit history (times and subjects); returns
    demo short sha -> the real sha git gave the commit at the same position."""
    commits = list(reversed(demo.commit_history()))  # oldest first
    path.mkdir(parents=True)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=env)
    stream = []
    for i, c in enumerate(commits):
        when = _epoch(c["time"])
        msg = c["subject"].encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"mark :{i + 1}\n".encode())
        stream.append(f"committer t <t@example.com> {when} +0000\n".encode())
        stream.append(f"data {len(msg)}\n".encode() + msg + b"\n")
        if i:
            stream.append(f"from :{i}\n".encode())
        stream.append(b"\n")
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=b"".join(stream), check=True, env=env)
    log = subprocess.run(
        ["git", "-C", str(path), "log", "--format=%H", "--reverse"], check=True, capture_output=True, text=True
    ).stdout.split()
    return {c["sha"][:8]: real for c, real in zip(commits, log, strict=True)}


def _epoch(text: str) -> int:
    from console.logs.parse import parse_timestamp

    return int(parse_timestamp(text).timestamp())


def gcloud_documents(sha_map: dict[str, str]) -> dict[str, dict]:
    """What `gcloud run services describe` / `functions describe` / `run revisions list` print
    for the demo's services (a 2nd gen function lists the revisions of its Cloud Run service)."""
    docs: dict[str, Any] = {}
    for s in demo_deploys.deploy_state()["services"]:
        sha = sha_map.get(s["commit"], s["commit"])
        latest = s["revisions"][-1]["name"]
        if s["kind"] == "run":
            env = [{"name": k, "value": v} for k, v in s["env"].items()] + [{"name": "COMMIT_SHA", "value": sha}]
            docs[f"run:{s['name']}"] = {
                "apiVersion": "serving.knative.dev/v1",
                "kind": "Service",
                "metadata": {
                    "name": s["name"],
                    "creationTimestamp": "2025-11-01T00:00:00Z",
                    "labels": {"cloud.googleapis.com/location": s["region"]},
                },
                "spec": {
                    "template": {
                        "metadata": {"labels": {"commit-sha": sha}},
                        "spec": {"containers": [{"image": f"gcr.io/p/{s['name']}", "env": env}]},
                    }
                },
                "status": {
                    "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": s["deployed_at"]}],
                    "traffic": [{"revisionName": latest, "percent": 100, "latestRevision": True}],
                },
            }
        else:
            docs[f"function:{s['name']}"] = {
                "name": f"projects/p/locations/{s['region']}/functions/{s['name']}",
                "state": "ACTIVE",
                "environment": "GEN_2",
                "updateTime": s["deployed_at"],
                "labels": {"commit-sha": sha},
                "serviceConfig": {
                    "environmentVariables": {"GIT_COMMIT": sha, **s["env"]},
                    "service": f"projects/p/locations/{s['region']}/services/{s['name']}",
                },
            }
        docs[f"revisions:{s['name']}"] = [
            revision_document(s, r, sha_map, r["name"] == latest) for r in reversed(s["revisions"])
        ]
    return docs


def revision_document(service: dict, revision: dict, sha_map: dict[str, str], serving: bool) -> dict:
    """One Knative Revision as `gcloud run revisions list --format=json` prints it."""
    sha = sha_map.get(revision["commit"], revision["commit"])
    env = {**revision["env"], "COMMIT_SHA" if service["kind"] == "run" else "GIT_COMMIT": sha}
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Revision",
        "metadata": {
            "name": revision["name"],
            "creationTimestamp": revision["created_at"],
            "labels": {
                "serving.knative.dev/service": service["name"],
                "commit-sha": sha,
                "serving.knative.dev/routingState": "active" if serving else "reserve",
            },
            "annotations": {"serving.knative.dev/routingStateModified": revision["created_at"]},
        },
        "spec": {
            "containers": [
                {"image": f"gcr.io/p/{service['name']}", "env": [{"name": k, "value": v} for k, v in env.items()]}
            ]
        },
        "status": {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": revision["created_at"]}]},
    }


@pytest.fixture
def fake_gcloud(tmp_path, monkeypatch):
    """A real `gcloud` executable on PATH printing recorded JSON (tmp_path/gcloud.json)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "gcloud"
    exe.write_text(f'#!/bin/sh\nexec {os.sys.executable} {FAKE_GCLOUD} "$@"\n')
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GCLOUD_DATA", str(tmp_path / "gcloud.json"))
    monkeypatch.setenv("FAKE_GCLOUD_LOG", str(tmp_path / "gcloud.calls"))
    return tmp_path / "gcloud.json"


@pytest.fixture(scope="session")
def platform_repo(tmp_path_factory):
    path = tmp_path_factory.mktemp("platform") / "nba-props-platform"
    return path, make_platform_repo(path)


@pytest.fixture
def deploy_demo(fake_gcloud, platform_repo):
    path, sha_map = platform_repo
    fake_gcloud.write_bytes(orjson.dumps(gcloud_documents(sha_map)))
    return path


# ------------------------------------------------------------------ the backend


def emulator_env(bq_port: int, logging_endpoint: str) -> dict[str, str]:
    return {
        "BIGQUERY_EMULATOR_HOST": f"127.0.0.1:{bq_port}",
        "FIRESTORE_EMULATOR_HOST": os.environ.get("FIRESTORE_EMULATOR_HOST", ""),
        LOGGING_ENDPOINT_ENV: logging_endpoint,
    }


@pytest.fixture
def gcp_settings(tmp_path, deploy_demo):
    return load_settings(
        backend="gcp",
        project=TEST_PROJECT,
        data_dir=tmp_path / "data",
        state_dir=tmp_path / "state",
        gcp={"platform_checkout": deploy_demo, "retry_initial_s": 0.01, "query_timeout_s": 30},
    )


@pytest.fixture
def gcp_backend(gcp_settings, bq_demo, fs_demo, logs_demo):
    backend = GcpBackend(
        gcp_settings,
        clients=ClientFactory(gcp_settings.project, env=emulator_env(bq_demo.port, logs_demo.http_endpoint)),
    )
    yield backend
    backend.close()
