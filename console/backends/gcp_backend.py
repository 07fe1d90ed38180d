"""The production backend: BigQuery, Firestore and Cloud Logging through the official
clients, deploy state through gcloud and git.

Every call turns client exceptions into one SourceError (gcp_errors.translate), so the
morning check shows `error` with one line of advice instead of a traceback. Clients come
from one lazy factory (gcp_clients) that honours the emulator variables the tests use.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from console.backends import gcp_deploy, gcp_logs
from console.backends.gcp_clients import ClientFactory, check_credentials_file
from console.backends.gcp_errors import translate
from console.backends.gcp_retry import bounded, default_retry
from console.core import sql
from console.core.backend import Backend
from console.core.deadline import Deadline, current_deadline, run_with_deadline
from console.core.errors import ErrorKind, SourceError
from console.core.models import DeployState, LogEntry


def format_bytes(count: int | None) -> str:
    if count is None:
        return "unknown bytes"
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{count} B"  # pragma: no cover


def _plain(value: Any) -> Any:
    """Firestore's DatetimeWithNanoseconds -> datetime (UTC); nested maps and arrays too."""
    if isinstance(value, datetime):
        moment = datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            tzinfo=value.tzinfo or UTC,
        )
        return moment
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _within(timeout: float, call: Callable[[], Any]) -> Any:
    """Run `call` on a daemon thread (console.core.deadline, the one bounded-call mechanism);
    TimeoutError when it has not finished in `timeout` s (the thread is left to die with
    its own socket timeouts)."""
    finished, value = run_with_deadline(call, timeout, timeout, name="gcp-call")
    if not finished:
        raise concurrent.futures.TimeoutError()
    return value


class GcpBackend(Backend):
    name = "gcp"

    def __init__(self, settings, clients: ClientFactory | None = None):
        super().__init__(settings)
        self.clients = clients or ClientFactory(settings.project)
        self._bytes: dict[str, int | None] = {}
        self._bytes_lock = threading.Lock()

    # ------------------------------------------------------------------ credentials

    def preflight(self) -> None:
        """Fail fast, with the one-line message, when no credentials exist at all.

        Skipped when every service is pointed at an emulator (they need none)."""
        c = self.clients
        # A GOOGLE_APPLICATION_CREDENTIALS that points at nothing usable is refused even with
        # emulators: it is a mistake in the environment, and it names the variable and path.
        check_credentials_file()
        if c.bigquery_emulator and c.firestore_emulator and c.logging_endpoint:
            return
        import google.auth
        from google.auth import exceptions as auth_exc

        try:
            google.auth.default()
        except auth_exc.DefaultCredentialsError as exc:
            raise translate(exc, "gcp") from exc

    def _tables(self) -> dict[str, str]:
        return self.settings.tables.model_dump()

    def _fail(self, exc: BaseException, service: str, what: str) -> SourceError:
        return translate(exc, service, what=what, tables=self._tables(), project=self.settings.project)

    # ------------------------------------------------------------------ BigQuery

    def query_text(self, name: str) -> str:
        return sql.render(name, self.settings.tables, "bigquery")

    def last_bytes(self, name: str) -> int | None:
        """What the last dry run of `name` said it would scan (None: unknown or not run)."""
        with self._bytes_lock:
            return self._bytes.get(name)

    def bytes_label(self, name: str) -> str:
        with self._bytes_lock:
            if name not in self._bytes:
                return "not run yet"
        return format_bytes(self.last_bytes(name))

    def _parameters(self, name: str, params: dict[str, Any]) -> list:
        from google.cloud import bigquery

        wanted = sql.parameter_names(name)
        return [
            bigquery.ScalarQueryParameter(k, sql.bigquery_type(v), v) for k, v in sorted(params.items()) if k in wanted
        ]

    def dry_run_bytes(self, client, text: str, parameters: list, timeout: float) -> int | None:
        """The bytes BigQuery says the query would scan; None when the service gives no figure.

        A dry run is free on BigQuery. The emulator accepts it but reports 0 (it has no
        cost model); a server that rejects dry runs outright is treated as 'unknown'
        rather than blocking the query.
        """
        from google.api_core import exceptions as gexc
        from google.cloud import bigquery
        from google.cloud.bigquery.retry import DEFAULT_RETRY

        config = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False, query_parameters=parameters)
        deadline = Deadline(timeout)
        try:
            # The client's own retry would go on for 10 minutes: bound it by our timeout.
            job = client.query(
                text, job_config=config, timeout=timeout, retry=bounded(DEFAULT_RETRY, deadline), job_retry=None
            )
        except gexc.BadRequest as exc:
            if "dry" in str(exc).lower() and "support" in str(exc).lower():
                return None
            raise
        figure = job.total_bytes_processed
        return int(figure) if figure is not None else None

    def run_query(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        # The check's deadline when one runs (all its queries share it), else a fresh one.
        deadline = current_deadline(self.settings.gcp.query_timeout_s)
        timeout = self.settings.gcp.query_timeout_s
        started: list = []  # the job, once BigQuery accepted it, for the cancel
        try:
            # The client's nested retries can outlast any per-request timeout; the deadline
            # is enforced here, around the whole dry run + query + fetch.
            return _within(deadline.remaining(), lambda: self._query(name, params, deadline.at, started))
        except SourceError:
            raise
        except Exception as exc:  # every failure becomes one message
            error = self._fail(exc, "bigquery", name)
            if error.kind is ErrorKind.TIMEOUT:
                self._cancel(started[0] if started else None)
                error = SourceError(ErrorKind.TIMEOUT, f"{name}: cancelled after {timeout:g} s (gcp.query_timeout_s)")
            raise error from exc

    def _query(self, name: str, params: dict[str, Any], deadline: float, started: list) -> list[dict[str, Any]]:
        from google.cloud import bigquery
        from google.cloud.bigquery.retry import DEFAULT_RETRY

        def remaining() -> float:
            left = deadline - time.monotonic()
            if left <= 0:
                raise concurrent.futures.TimeoutError()
            return left

        cap = self.settings.gcp.maximum_bytes_billed
        text = self.query_text(name)
        client = self.clients.bigquery()
        parameters = self._parameters(name, params)
        scanned = self.dry_run_bytes(client, text, parameters, remaining())
        with self._bytes_lock:
            self._bytes[name] = scanned
        if scanned is not None and scanned > cap:
            raise SourceError(
                ErrorKind.TOO_EXPENSIVE,
                f"{name}: would scan {format_bytes(scanned)}, over the cap of {format_bytes(cap)} "
                "(gcp.maximum_bytes_billed); query not run",
            )
        # maximum_bytes_billed on the job too: BigQuery itself refuses if the estimate was low.
        config = bigquery.QueryJobConfig(query_parameters=parameters, maximum_bytes_billed=cap)
        bound = Deadline(remaining())
        # job_retry=None: with any job_retry the client wraps the insert in its own retry
        # (_DEFAULT_QUERY_JOB_INSERT_RETRY, minutes long, connection errors included) that no
        # argument bounds. Transient API errors are still retried by `retry`, within the deadline.
        job = client.query(
            text, job_config=config, timeout=bound.remaining(), retry=bounded(DEFAULT_RETRY, bound), job_retry=None
        )
        started.append(job)
        rows = job.result(timeout=remaining(), retry=bounded(DEFAULT_RETRY, bound))
        return [dict(row.items()) for row in rows]

    @staticmethod
    def _cancel(job) -> None:
        """Best effort: a job that outlived its timeout must not go on billing."""
        if job is None:
            return
        try:
            job.cancel(timeout=5)
        except Exception:  # noqa: BLE001, S110 - the timeout is what the user needs to hear
            pass

    # ------------------------------------------------------------------ Firestore

    def get_document(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        deadline = current_deadline(self.settings.gcp.query_timeout_s)
        try:
            client = self.clients.firestore()
            # Firestore's default retry goes on for 300 s: bounded by the check's deadline,
            # and a refused connection is not retried at all.
            snapshot = _within(
                deadline.remaining(),
                lambda: (
                    client.collection(collection)
                    .document(doc_id)
                    .get(timeout=deadline.remaining(), retry=default_retry(deadline))
                ),
            )
        except Exception as exc:
            raise self._fail(exc, "firestore", f"{collection}/{doc_id}") from exc
        return _plain(snapshot.to_dict()) if snapshot.exists else None

    def watch_document(
        self,
        collection: str,
        doc_id: str,
        callback: Callable[[dict[str, Any] | None], None],
        on_error: Callable[[SourceError], None] | None = None,
    ):
        """Call `callback(fields or None)` now and on every change (Firestore on_snapshot,
        no polling); the listener is re-established with back-off after an error.
        Returns a handle with `unsubscribe()`."""
        from console.backends.gcp_watch import DocumentWatch

        def open_listener(on_snapshot):
            ref = self.clients.firestore().collection(collection).document(doc_id)
            return ref.on_snapshot(on_snapshot)

        def deliver(snapshots) -> None:
            snap = snapshots[0] if snapshots else None
            callback(_plain(snap.to_dict()) if snap is not None and snap.exists else None)

        def report(exc: BaseException) -> None:
            if on_error is not None:
                on_error(self._fail(exc, "firestore", f"watching {collection}/{doc_id}"))

        return DocumentWatch(
            open_listener, deliver, report, initial_backoff_s=self.settings.gcp.retry_initial_s
        ).start()

    # ------------------------------------------------------------------ Cloud Logging

    def read_logs(self, service: str, start: datetime, end: datetime) -> list[LogEntry]:
        try:
            client = self.clients.logging()
        except Exception as exc:
            raise self._fail(exc, "logging", "logs") from exc
        deadline = current_deadline(self.settings.gcp.query_timeout_s)
        try:
            return _within(
                deadline.remaining(),
                lambda: gcp_logs.fetch_entries(
                    client,
                    self.settings.project,
                    gcp_logs.render_filter(service, start, end),
                    attempts=self.settings.gcp.retry_attempts,
                    initial_s=self.settings.gcp.retry_initial_s,
                    deadline=deadline,
                ),
            )
        except concurrent.futures.TimeoutError as exc:
            raise SourceError(
                ErrorKind.TIMEOUT,
                f"logs: Cloud Logging did not answer within {deadline.seconds:g} s (gcp.query_timeout_s)",
            ) from exc

    # ------------------------------------------------------------------ deploys

    def deploy_state(self) -> DeployState:
        return gcp_deploy.deploy_state(self.settings)

    def close(self) -> None:
        self.clients.close()
