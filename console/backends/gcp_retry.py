"""One retry and deadline policy for every gcp source (BigQuery, Firestore, Cloud Logging).

A check has one deadline (`gcp.query_timeout_s`) that covers connecting, every retry and
the fetch. Each client keeps its own notion of what is transient (BigQuery's reasons,
api_core's gRPC codes), bounded here in two ways:

- `bounded(retry, deadline)`: the client's own `google.api_core.retry.Retry`, cut at what
  is left of the deadline, and never retrying a host that refuses connections or does not
  resolve: no retry budget can make a closed port or a wrong name answer, so that is an
  `error` within a few seconds, not after minutes of back-off.
- `unreachable(exc)`: that test, also used by the Cloud Logging back-off loop.
"""

from __future__ import annotations

import re
import socket
from typing import Any

from console.adapters.google_private import retry_predicate
from console.core.deadline import Deadline

# What the transports say when nothing listens or the name does not resolve: requests /
# urllib3 (BigQuery, Logging over HTTP), gRPC core (Firestore), google-auth's token fetch.
_UNREACHABLE_TEXT = (
    "connection refused",
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "dns resolution failed",
    "failed to resolve",
    "no address associated with hostname",
    "network is unreachable",
)


def unreachable(exc: BaseException | None) -> bool:
    """True when `exc` (or anything in its cause chain) says the host refused the connection
    or could not be resolved."""
    seen = 0
    while exc is not None and seen < 12:
        if isinstance(exc, (ConnectionRefusedError, socket.gaierror)):
            return True
        text = str(exc).lower()
        if any(marker in text for marker in _UNREACHABLE_TEXT):
            return True
        details = getattr(exc, "details", None)  # grpc.RpcError
        if callable(details):
            try:
                if any(marker in str(details()).lower() for marker in _UNREACHABLE_TEXT):
                    return True
            except Exception:  # noqa: BLE001, S110 - a probe, never a failure
                pass
        exc = exc.__cause__ or exc.__context__ or getattr(exc, "cause", None) or _reason(exc)
        seen += 1
    return False


_ENDPOINT = (re.compile(r"host='([^']+)', port=(\d+)"), re.compile(r"ipv[46]:([\w.\-\[\]:]+?):(\d+)"))


def describe_unreachable(exc: BaseException) -> str:
    """`connection refused at 127.0.0.1:9198` / `name not resolved`: the transport's
    paragraph boiled down to what the on-call engineer needs."""
    text = ""
    seen = 0
    cur: BaseException | None = exc
    while cur is not None and seen < 12:
        text += " " + str(cur)
        cur = cur.__cause__ or cur.__context__ or getattr(cur, "cause", None) or _reason(cur)
        seen += 1
    lower = text.lower()
    what = (
        "connection refused"
        if "refused" in lower
        else ("network unreachable" if "network is unreachable" in lower else "name not resolved")
    )
    for pattern in _ENDPOINT:
        match = pattern.search(text)
        if match:
            return f"{what} at {match.group(1)}:{match.group(2)}"
    return what


def _reason(exc: BaseException) -> BaseException | None:
    """urllib3 keeps the socket error in `.reason`; api_core's RetryError in `.cause`."""
    reason = getattr(exc, "reason", None)
    return reason if isinstance(reason, BaseException) else None


def bounded(retry: Any, deadline: Deadline) -> Any:
    """`retry` (a google.api_core Retry) that gives up at the deadline and never retries an
    unreachable host; everything else it would retry, it still retries."""
    predicate = retry_predicate(retry)  # the client's own notion of transient

    def transient(exc: BaseException) -> bool:
        return not unreachable(exc) and predicate(exc)

    return retry.with_predicate(transient).with_timeout(deadline.remaining())


def default_retry(deadline: Deadline) -> Any:
    """api_core's transient errors (429, 500, 503, gRPC UNAVAILABLE ...), bounded."""
    from google.api_core import retry as api_retry

    return bounded(api_retry.Retry(predicate=api_retry.if_transient_error, initial=0.5, maximum=8.0), deadline)
