"""Cloud Logging for the gcp backend: the filter, `list_entries` with back-off, de-duplication.

Small functions on purpose: the live-tail screen reuses `render_filter`, `fetch_entries`,
`Deduper` and `tail_entries` with its own LogQuery.

The client appends ` AND timestamp>="<now-24h>"` to a filter that does not mention
`timestamp`, so every filter rendered here carries its own timestamp bounds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from console.backends.gcp_errors import translate
from console.backends.gcp_retry import unreachable
from console.core.backoff import BackoffPolicy, up_to_half_more
from console.core.deadline import Deadline
from console.core.errors import ErrorKind, SourceError
from console.core.models import LogEntries, LogEntry
from console.core.timestamps import rfc3339
from console.logs.dedupe import Deduper
from console.logs.parse import entry_from_dict
from console.logs.query import LogQuery


def render_filter(
    service: str | None,
    start: datetime | None = None,
    end: datetime | None = None,
    patterns: Iterable[str] = (),
) -> str:
    """`resource.labels.service_name="S" AND (textPayload=~"A" OR ...) AND timestamp>="..Z" AND timestamp<="..Z"`:
    the handoff's form, rendered by the one filter model the log tail uses too."""
    query = LogQuery(service=service or None, patterns=tuple(p for p in patterns if p), since=start, until=end)
    return query.to_filter()


def to_log_entry(entry: Any) -> LogEntry | None:
    """A google-cloud-logging entry object (TextEntry, StructEntry, ...) -> LogEntry.

    `to_api_repr()` gives the REST JSON shape gcloud prints, which console.logs.parse already reads.
    """
    try:
        raw = entry.to_api_repr() if hasattr(entry, "to_api_repr") else entry
    except Exception:  # noqa: BLE001 - a malformed entry is skipped, never fatal
        return None
    if isinstance(raw, dict) and not raw.get("timestamp") and getattr(entry, "timestamp", None):
        raw = {**raw, "timestamp": rfc3339(entry.timestamp)}
    return entry_from_dict(raw)


def with_backoff(
    call: Callable[[], Any],
    *,
    attempts: int,
    initial_s: float,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[SourceError, float], None] | None = None,
    what: str = "",
    project: str = "",
    deadline: Deadline | None = None,
) -> Any:
    """Run `call`, retrying 429 / quota and unavailability with exponential back-off and
    jitter; every other error (auth, permission, bad filter) is raised at once, and so is a
    host that refuses connections or does not resolve (gcp_retry.unreachable). With a
    `deadline`, no wait goes past it: the last error is raised instead.

    Waits: `initial_s` doubling, plus up to half again (the one policy, core/backoff.py)."""

    def attempt() -> Any:
        try:
            return call()
        except Exception as exc:  # translated here, judged by `retryable`
            raise translate(exc, "logging", what=what, project=project) from exc

    def retryable(error: BaseException) -> bool:
        return (
            isinstance(error, SourceError)
            and error.kind in (ErrorKind.QUOTA, ErrorKind.UNAVAILABLE)
            and not unreachable(error.__cause__)
        )

    def past_deadline(state: RetryCallState) -> bool:
        return deadline is not None and (state.upcoming_sleep or 0.0) >= deadline.remaining(floor=0.0)

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        if on_retry is not None and isinstance(error, SourceError) and state.next_action is not None:
            on_retry(error, state.next_action.sleep)  # only a SourceError is retried (retryable)

    after_attempts = stop_after_attempt(attempts)

    def stop(state: RetryCallState) -> bool:  # a function: tenacity's stop_any takes stop_base objects only
        return after_attempts(state) or past_deadline(state)

    retrying = Retrying(
        stop=stop,
        wait=BackoffPolicy(initial_s, jitter=up_to_half_more()),
        retry=retry_if_exception(retryable),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(attempt)


def fetch_entries(
    client: Any,
    project: str,
    filter_: str,
    *,
    page_size: int = 1000,
    max_results: int = 50_000,
    attempts: int = 4,
    initial_s: float = 1.0,
    dedupe: Deduper | None = None,
    on_retry: Callable[[SourceError, float], None] | None = None,
    deadline: Deadline | None = None,
) -> LogEntries:
    """All entries matching `filter_`, oldest first, de-duplicated by insertId.

    A 429 mid-way restarts the listing after a back-off; the Deduper drops what the first
    attempt already returned.
    """
    from google.cloud import logging as gcl

    dedupe = dedupe if dedupe is not None else Deduper()
    out: list[LogEntry] = []
    skipped = [0]

    def run() -> None:
        skipped[0] = 0  # a restarted listing sees the same malformed entries again
        iterator = client.list_entries(
            resource_names=[f"projects/{project}"],
            filter_=filter_,
            order_by=gcl.ASCENDING,
            page_size=page_size,
            max_results=max_results,
        )
        for item in iterator:
            entry = to_log_entry(item)
            if entry is None:
                skipped[0] += 1  # malformed: counted and said on the panel, never fatal
            elif not dedupe.seen(entry):
                out.append(entry)

    with_backoff(
        run, attempts=attempts, initial_s=initial_s, on_retry=on_retry, what="logs", project=project, deadline=deadline
    )
    out.sort(key=lambda e: e.timestamp)
    return LogEntries.of(out, skipped[0])


def _open_tail(tail_client: Any, request: Any, cancellable: bool) -> Any:
    """The TailLogEntries call. The GAPIC method (api_core) waits for the first response
    before returning the call, so nobody can cancel a stream that is still idle; when the
    caller needs that, call the transport's gRPC stub, which returns the call at once."""
    stub = getattr(getattr(tail_client, "transport", None), "tail_log_entries", None)
    if cancellable and callable(stub):
        return stub(iter([request]))
    return tail_client.tail_log_entries(requests=iter([request]))


def _grpc_errors_mapped(stream: Any) -> Iterator[Any]:
    """Raw gRPC errors as api_core exceptions, as the GAPIC wrapper would give them."""
    try:
        yield from stream
    except Exception as exc:
        import grpc
        from google.api_core import exceptions as gexc

        if isinstance(exc, grpc.RpcError) and not isinstance(exc, gexc.GoogleAPICallError):
            raise gexc.from_grpc_error(exc) from exc
        raise


def tail_entries(
    tail_client: Any,
    project: str,
    filter_: str,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    dedupe: Deduper | None = None,
    on_stream: Callable[[Any], None] | None = None,
) -> Iterator[LogEntry]:
    """The TailLogEntries stream (gRPC) as LogEntry, de-duplicated; stops when `should_stop()`
    is true after a response, or when the server ends the stream. Errors are translated;
    reconnecting (with back-off) is the caller's loop, which keeps the Deduper.

    `on_stream(call)` receives the gRPC call as soon as it is opened, before any response:
    `should_stop` is only looked at after a response, so a caller that must stop an idle
    stream from another thread keeps the call and `.cancel()`s it."""
    from google.cloud.logging_v2.types import TailLogEntriesRequest
    from google.protobuf.json_format import MessageToDict

    dedupe = dedupe if dedupe is not None else Deduper()
    request = TailLogEntriesRequest(resource_names=[f"projects/{project}"], filter=filter_)
    stream = None
    try:
        stream = _open_tail(tail_client, request, cancellable=on_stream is not None)
        if on_stream is not None:
            on_stream(stream)
        for response in _grpc_errors_mapped(stream):
            for proto_entry in response.entries:
                raw = MessageToDict(type(proto_entry).pb(proto_entry))
                entry = entry_from_dict(raw)
                if entry is not None and not dedupe.seen(entry):
                    yield entry
            if should_stop():
                return
    except SourceError:
        raise
    except Exception as exc:
        raise translate(exc, "logging", what="log tail", project=project) from exc
    finally:
        # Stopping, closing the generator or an error: end the call now rather than when
        # the garbage collector finds it, so the server (and the read quota) see it end.
        cancel = getattr(stream, "cancel", None)
        if callable(cancel):
            cancel()
