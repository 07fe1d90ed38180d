"""The one place Google clients are made: lazily, once each, honouring emulator variables.

- BigQuery: `BIGQUERY_EMULATOR_HOST=host:port` -> api_endpoint http://host:port, anonymous
  credentials (the bigquery client has no native emulator switch).
- Firestore: `FIRESTORE_EMULATOR_HOST` is honoured natively by google-cloud-firestore.
- Cloud Logging has no emulator: `NBA_CONSOLE_LOGGING_ENDPOINT=http://host:port` -> the
  HTTP/JSON transport (`_use_grpc=False`) at that endpoint, anonymous credentials.
  `NBA_CONSOLE_LOGGING_GRPC=host:port` points the TailLogEntries stream at a plaintext
  gRPC server (the live tail; tests use the fake server's gRPC port).

Without those variables the clients use Application Default Credentials; constructing a
client without them raises DefaultCredentialsError, which gcp_errors turns into the
"run `gcloud auth application-default login`" message.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from console.core.config_environment import (
    BIGQUERY_EMULATOR_ENV,
    CREDENTIALS_ENV,
    FIRESTORE_EMULATOR_ENV,
    GRPC_DNS_RESOLVER_ENV,
    LOGGING_ENDPOINT_ENV,
    LOGGING_GRPC_ENV,
)

# gRPC's own c-ares resolver keeps retrying a name that does not resolve until the call's
# deadline (a minute on Firestore); the system resolver (what the HTTP clients use) says so
# at once. Set before grpc is first imported (the clients are imported lazily, below);
# an explicit GRPC_DNS_RESOLVER in the environment wins.
os.environ.setdefault(GRPC_DNS_RESOLVER_ENV, "native")


def credentials_problem(env: dict[str, str] | None = None) -> str | None:
    """What is wrong with the key file GOOGLE_APPLICATION_CREDENTIALS names (None: unset or
    fine). google-auth would only say "File ... was not found" or raise on a directory; the
    on-call engineer needs the variable, the path and what to do."""
    import json

    path = (env if env is not None else os.environ).get(CREDENTIALS_ENV)
    if not path:
        return None
    where = f"{CREDENTIALS_ENV}={path}"
    fix = f"point it at a service-account or authorized-user JSON key, or unset {CREDENTIALS_ENV}"
    if os.path.isdir(path):
        return f"{where} is a directory, not a key file: {fix}"
    try:
        with open(path, "rb") as fh:
            data = fh.read(1 << 20)
    except FileNotFoundError:
        return f"{where}: no such file: {fix}"
    except OSError as exc:
        return f"{where} cannot be read ({exc.strerror or exc}): {fix}"
    try:
        info = json.loads(data)
    except ValueError:
        return f"{where} is not a JSON key file: {fix}"
    if not isinstance(info, dict) or not isinstance(info.get("type"), str):
        return f'{where} is not a credentials file (no "type" field): {fix}'
    if info["type"] == "service_account" and (reason := _signing_problem(info)):
        # google-auth would say "Failed to load service account credentials", which the
        # console could only read as "no Application Default Credentials".
        return f"{where}: the private key cannot sign: {reason}: {fix}"
    return None


def _signing_problem(info: dict) -> str | None:
    """Why a service-account key's private key cannot sign (missing, not PEM, not a key
    google-auth can use), or None: the key is loaded and made to sign a few bytes, offline."""
    import re

    try:
        from google.oauth2 import service_account

        service_account.Credentials.from_service_account_info(info).signer.sign(b"nba-console")
    except Exception as exc:  # noqa: BLE001 - whatever google-auth or cryptography says, in one line
        text = re.sub(r"\s*See https?://\S+ for more details\.", "", str(exc) or type(exc).__name__)
        return " ".join(text.split())[:200].rstrip(".")
    return None


def check_credentials_file(env: dict[str, str] | None = None) -> None:
    """Raise the SourceError (auth) of `credentials_problem`, if any."""
    problem = credentials_problem(env)
    if problem is not None:
        from console.core.errors import ErrorKind, SourceError

        raise SourceError(ErrorKind.AUTH, problem)


def _http_endpoint(value: str) -> str:
    value = value.strip().rstrip("/")
    return value if value.startswith(("http://", "https://")) else f"http://{value}"


class ClientFactory:
    """Creates each client on first use and hands the same one out afterwards.

    Thread-safe: the TUI's workers may ask for a client at the same moment.
    """

    def __init__(self, project: str, env: dict[str, str] | None = None):
        self.project = project
        self._env = env if env is not None else os.environ
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    # ------------------------------------------------------------------ helpers

    def _get(self, key: str, make):
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = make()
                self._clients[key] = client
            return client

    @property
    def bigquery_emulator(self) -> str | None:
        return self._env.get(BIGQUERY_EMULATOR_ENV) or None

    @property
    def firestore_emulator(self) -> str | None:
        return self._env.get(FIRESTORE_EMULATOR_ENV) or None

    @property
    def logging_endpoint(self) -> str | None:
        return self._env.get(LOGGING_ENDPOINT_ENV) or None

    def created(self) -> list[str]:
        return sorted(self._clients)

    # ------------------------------------------------------------------ clients

    def bigquery(self):
        def make():
            from google.cloud import bigquery

            host = self.bigquery_emulator
            if host:
                from google.auth.credentials import AnonymousCredentials

                return bigquery.Client(
                    project=self.project,
                    credentials=AnonymousCredentials(),
                    client_options={"api_endpoint": _http_endpoint(host)},
                )
            return bigquery.Client(project=self.project)

        return self._get("bigquery", make)

    def firestore(self):
        def make():
            from google.cloud import firestore

            # FIRESTORE_EMULATOR_HOST is read by the client itself (emulator credentials).
            return firestore.Client(project=self.project)

        return self._get("firestore", make)

    def logging(self):
        def make():
            from google.cloud import logging as gcl

            endpoint = self.logging_endpoint
            if endpoint:
                from google.auth.credentials import AnonymousCredentials

                return gcl.Client(
                    project=self.project,
                    credentials=AnonymousCredentials(),
                    _use_grpc=False,
                    client_options={"api_endpoint": _http_endpoint(endpoint)},
                )
            return gcl.Client(project=self.project)

        return self._get("logging", make)

    def logging_tail(self):
        """The low-level LoggingServiceV2Client, for TailLogEntries (gRPC streaming only)."""

        def make():
            from google.cloud.logging_v2.services.logging_service_v2 import LoggingServiceV2Client

            target = self._env.get(LOGGING_GRPC_ENV)
            if target:
                import grpc
                from google.cloud.logging_v2.services.logging_service_v2.transports import (
                    LoggingServiceV2GrpcTransport,
                )

                channel = grpc.insecure_channel(target)
                return LoggingServiceV2Client(transport=LoggingServiceV2GrpcTransport(channel=channel))
            return LoggingServiceV2Client()

        return self._get("logging_tail", make)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, {}
        for client in clients.values():
            close = getattr(client, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:  # noqa: BLE001, S110 - closing must never fail the app
                    pass
