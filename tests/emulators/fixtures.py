"""Session-scoped pytest fixtures for the three emulators.

Use from any test package's ``conftest.py``::

    from tests.emulators.fixtures import *  # noqa: F401,F403 - pytest finds fixtures by name

or pick some::

    from tests.emulators.fixtures import (  # noqa: F401 - pytest finds fixtures by name
        bigquery_emulator, bq_client,
        firestore_emulator, firestore_client,
        fake_logging, logging_client, tail_client,
    )

Each emulator starts once per session, lazily (only if a test requests it).
Function-scoped ``*_client`` fixtures hand out official clients and reset
state where the emulator supports it (Firestore documents; fake logging
entries/recorded requests). BigQuery has no reset: create uniquely-named
datasets per test (``bq_dataset`` does this and deletes it afterwards).

Skips (never fails) only when a prerequisite is truly missing: no ``java`` /
Firestore SDK component, or the bq venv cannot be created (no PyPI) — the
reason is shown by ``pytest -rs``. Set ``NBA_EMULATORS_REQUIRED=1`` to turn
these skips into errors (CI).
"""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from tests.emulators import bigquery as _bq
from tests.emulators import firestore as _fs
from tests.emulators.logging_server import FakeLoggingServer
from tests.emulators.procs import EmulatorProcess

TEST_PROJECT = "test-project"
STARTUP_TIMES: dict[str, float] = {}


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("NBA_EMULATORS_REQUIRED") == "1":
        pytest.fail(f"emulator prerequisite missing (NBA_EMULATORS_REQUIRED=1): {reason}")
    pytest.skip(reason)


# ------------------------------------------------------------------ BigQuery
@pytest.fixture(scope="session")
def bigquery_emulator():
    """Running bqemulator; yields the EmulatorProcess (``.port``, ``.address``)."""
    if not _bq.bq_venv_ready():
        try:
            _bq.ensure_bq_venv()
        except (OSError, subprocess.CalledProcessError) as exc:  # no PyPI / no venv module
            _skip_or_fail(f"cannot prepare {_bq.BQ_VENV} for bqemulator (run `make emulators-deps`): {exc}")
    proc = _bq.start_bigquery(project=TEST_PROJECT)
    STARTUP_TIMES["bigquery"] = proc.started_in
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def bq_client(bigquery_emulator: EmulatorProcess):
    client = _bq.make_client(bigquery_emulator.port, project=TEST_PROJECT)
    yield client
    client.close()


@pytest.fixture
def bq_dataset(bq_client):
    """A fresh dataset (``google.cloud.bigquery.Dataset``), deleted afterwards."""
    ds = bq_client.create_dataset(f"t_{uuid.uuid4().hex[:10]}")
    yield ds
    bq_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


# ----------------------------------------------------------------- Firestore
@pytest.fixture(scope="session")
def firestore_emulator():
    """Running Firestore emulator; yields the EmulatorProcess. Sets FIRESTORE_EMULATOR_HOST."""
    reason = _fs.prerequisites()
    if reason:
        _skip_or_fail(reason)
    proc = _fs.start_firestore(project=TEST_PROJECT)
    STARTUP_TIMES["firestore"] = proc.started_in
    old = os.environ.get("FIRESTORE_EMULATOR_HOST")
    os.environ["FIRESTORE_EMULATOR_HOST"] = proc.address
    try:
        yield proc
    finally:
        if old is None:
            os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
        else:
            os.environ["FIRESTORE_EMULATOR_HOST"] = old
        proc.stop()


@pytest.fixture
def firestore_client(firestore_emulator: EmulatorProcess):
    """Official firestore.Client on an emptied emulator database."""
    _fs.reset_firestore(firestore_emulator.address, project=TEST_PROJECT)
    client = _fs.make_client(firestore_emulator.address, project=TEST_PROJECT)
    yield client
    client.close()


# ------------------------------------------------------------------- Logging
@pytest.fixture(scope="session")
def fake_logging_server():
    srv = FakeLoggingServer(project=TEST_PROJECT)
    import time

    t0 = time.monotonic()
    srv.start(grpc=True)
    STARTUP_TIMES["logging"] = time.monotonic() - t0
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def fake_logging(fake_logging_server: FakeLoggingServer):
    """The session's FakeLoggingServer, reset (no entries/requests/failures)."""
    fake_logging_server.reset()
    yield fake_logging_server
    fake_logging_server.reset()


@pytest.fixture
def logging_client(fake_logging: FakeLoggingServer):
    """Official google.cloud.logging.Client over HTTP/JSON to the fake server."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import logging as gcl

    client = gcl.Client(
        project=TEST_PROJECT,
        _use_grpc=False,
        client_options={"api_endpoint": fake_logging.http_endpoint},
        credentials=AnonymousCredentials(),
    )
    yield client
    client.close()


@pytest.fixture
def tail_client(fake_logging: FakeLoggingServer):
    """Official LoggingServiceV2Client (gRPC, insecure channel) to the fake server."""
    import grpc
    from google.cloud.logging_v2.services.logging_service_v2 import LoggingServiceV2Client
    from google.cloud.logging_v2.services.logging_service_v2.transports import LoggingServiceV2GrpcTransport

    channel = grpc.insecure_channel(fake_logging.grpc_target)
    client = LoggingServiceV2Client(transport=LoggingServiceV2GrpcTransport(channel=channel))
    yield client
    channel.close()
