"""Google client exceptions -> one SourceError each, phrased for the on-call engineer.

Every adapter call in gcp.py funnels its exceptions through `translate()`, so the panel and
`check` show one line (what went wrong, and what to do), never a traceback. The Google
exception classes are imported lazily: this module is loaded only with the gcp backend.
"""

from __future__ import annotations

import concurrent.futures
import re
import socket
from typing import Literal

from console.core.errors import ErrorKind, SourceError, first_line

Service = Literal["bigquery", "firestore", "logging"]

NO_ADC = "no Application Default Credentials: run `gcloud auth application-default login`"

# What a user needs for each read the console makes (docs/operations.md: "The gcp backend", roles).
ROLES: dict[str, str] = {
    "bigquery": "BigQuery Job User (roles/bigquery.jobUser) and BigQuery Data Viewer (roles/bigquery.dataViewer)",
    "bigquery.jobs": "BigQuery Job User (roles/bigquery.jobUser)",
    "bigquery.data": "BigQuery Data Viewer (roles/bigquery.dataViewer)",
    "firestore": "Firestore viewer (roles/datastore.viewer)",
    "logging": "Logs Viewer (roles/logging.viewer)",
}

# BigQuery names a missing object as "Not found: Table proj:dataset.table" (real service)
# or "Table dataset.table not found" (some emulators); both name it, with or without project.
_NOT_FOUND_OBJECT = re.compile(
    r"(?:Not found: (?P<kind1>Table|Dataset) (?P<name1>[\w.:-]+))"
    r"|(?:(?P<kind2>Table|Dataset) (?P<name2>[\w.:`-]+) (?:was )?not found)",
    re.IGNORECASE,
)
_QUOTA_REASONS = {"quotaExceeded", "rateLimitExceeded", "resourcesExceeded"}


def _reasons(exc: BaseException) -> set[str]:
    """The `reason` fields of a google.api_core error's `errors` list (BigQuery puts
    quotaExceeded / bytesBilledLimitExceeded there, whatever the HTTP status)."""
    out = set()
    for err in getattr(exc, "errors", None) or []:
        if isinstance(err, dict) and err.get("reason"):
            out.add(str(err["reason"]))
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and reason:
        out.add(reason)
    return out


def _strip_project(name: str, kind: str) -> str:
    """`proj:ds.t`, `proj.ds.t` -> `ds.t`; `proj:ds` -> `ds`."""
    name = name.strip("`")
    if ":" in name:
        name = name.split(":", 1)[1]
    parts = name.split(".")
    keep = 2 if kind == "table" else 1
    return ".".join(parts[-keep:])


def missing_object(message: str, tables: dict[str, str] | None = None) -> str:
    """'table nba_analytics.x not found (config key tables.y)' from a BigQuery 404 message."""
    match = _NOT_FOUND_OBJECT.search(message)
    if not match:
        return f"not found: {message}"
    kind = (match.group("kind1") or match.group("kind2")).lower()
    name = _strip_project(match.group("name1") or match.group("name2"), kind)
    keys = []
    for logical, qualified in (tables or {}).items():
        short = ".".join(qualified.split(".")[-2:])
        if (kind == "table" and short == name) or (kind == "dataset" and short.split(".")[0] == name):
            keys.append(f"tables.{logical}")
    where = f" (config key {', '.join(keys)})" if keys else " (see [tables] in the config)"
    return f"BigQuery {kind} {name} not found{where}"


def _permission_role(service: str, message: str) -> str:
    if service == "bigquery":
        if "bigquery.jobs.create" in message:
            return ROLES["bigquery.jobs"]
        if "bigquery.tables.getData" in message or "bigquery.tables.get" in message:
            return ROLES["bigquery.data"]
    return ROLES.get(service, "the viewer role of this service")


def translate(
    exc: BaseException,
    service: Service | str,
    *,
    what: str = "",
    tables: dict[str, str] | None = None,
    project: str = "",
) -> SourceError:
    """The one SourceError a user should see for `exc` raised by `service` while doing `what`."""
    if isinstance(exc, SourceError):
        return exc
    prefix = f"{what}: " if what else ""
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc

    if isinstance(exc, auth_exc.DefaultCredentialsError):
        from console.backends.gcp_clients import credentials_problem

        # "run gcloud auth application-default login" cannot help while the variable points
        # at a bad file: name the variable and the path instead.
        return SourceError(ErrorKind.AUTH, credentials_problem() or NO_ADC)
    if isinstance(exc, auth_exc.TransportError):
        return SourceError(
            ErrorKind.UNAVAILABLE,
            f"{prefix}{service}: cannot reach the Google token endpoint to "
            f"use the credentials (no network?): {first_line(exc)}",
        )
    if isinstance(exc, auth_exc.RefreshError):
        return SourceError(
            ErrorKind.AUTH,
            f"{service} credentials could not be refreshed ({first_line(exc)}): "
            "run `gcloud auth application-default login`",
        )
    if isinstance(exc, gexc.RetryError):
        # api_core gave up retrying: report what it kept failing on.
        cause = exc.cause
        if cause is not None and not isinstance(cause, gexc.RetryError):
            inner = translate(cause, service, what=what, tables=tables, project=project)
            from console.backends.gcp_retry import unreachable

            if inner.kind is not ErrorKind.UNAVAILABLE or unreachable(cause):
                return inner
        return SourceError(
            ErrorKind.TIMEOUT, f"{prefix}{service} did not answer before the deadline ({first_line(exc)})"
        )

    reasons = _reasons(exc)
    message = first_line(exc)
    if "bytesBilledLimitExceeded" in reasons:
        return SourceError(ErrorKind.TOO_EXPENSIVE, f"{prefix}over the byte cap gcp.maximum_bytes_billed ({message})")
    if isinstance(exc, gexc.Unauthenticated):
        return SourceError(
            ErrorKind.AUTH, f"{service} refused the credentials: run `gcloud auth application-default login`"
        )
    if isinstance(exc, (gexc.TooManyRequests, gexc.ResourceExhausted)) or reasons & _QUOTA_REASONS:
        return SourceError(ErrorKind.QUOTA, f"{prefix}{service} quota or rate limit hit, backing off ({message})")
    if isinstance(exc, (gexc.Forbidden, gexc.PermissionDenied)):
        project_part = f" on project {project}" if project else ""
        return SourceError(
            ErrorKind.PERMISSION,
            f"{prefix}permission denied{project_part}: your account needs {_permission_role(service, message)}",
        )
    if isinstance(exc, gexc.NotFound):
        if service == "bigquery":
            return SourceError(ErrorKind.NOT_FOUND, f"{prefix}{missing_object(message, tables)}")
        return SourceError(ErrorKind.NOT_FOUND, f"{prefix}{service}: not found ({message})")
    if isinstance(exc, (gexc.DeadlineExceeded, concurrent.futures.TimeoutError, TimeoutError, socket.timeout)):
        return SourceError(ErrorKind.TIMEOUT, f"{prefix}{service} timed out")
    if _is_requests_timeout(exc):
        return SourceError(ErrorKind.TIMEOUT, f"{prefix}{service} timed out")
    if isinstance(exc, gexc.BadRequest):
        return SourceError(ErrorKind.MALFORMED, f"{prefix}{service} rejected the request: {message}")
    if isinstance(
        exc, (gexc.ServiceUnavailable, gexc.InternalServerError, gexc.BadGateway, ConnectionError)
    ) or _is_requests_error(exc):
        from console.backends.gcp_retry import unreachable

        if unreachable(exc):
            from console.backends.gcp_retry import describe_unreachable

            return SourceError(ErrorKind.UNAVAILABLE, f"{prefix}{service} unreachable: {describe_unreachable(exc)}")
        return SourceError(ErrorKind.UNAVAILABLE, f"{prefix}{service} unavailable: {message}")
    if isinstance(exc, gexc.GoogleAPIError):
        return SourceError(ErrorKind.UNAVAILABLE, f"{prefix}{service} error: {message}")
    if isinstance(exc, auth_exc.GoogleAuthError):
        return SourceError(
            ErrorKind.AUTH, f"{service} authentication failed ({message}): run `gcloud auth application-default login`"
        )
    return SourceError(ErrorKind.UNAVAILABLE, f"{prefix}{service}: {type(exc).__name__}: {message}")


def _is_requests_timeout(exc: BaseException) -> bool:
    try:
        import requests
    except ImportError:  # pragma: no cover - requests comes with google-cloud-core
        return False
    return isinstance(exc, requests.exceptions.Timeout)


def _is_requests_error(exc: BaseException) -> bool:
    try:
        import requests
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, requests.exceptions.RequestException)
