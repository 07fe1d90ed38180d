"""In-process fake of the Cloud Logging API (there is no official emulator).

One :class:`FakeLoggingServer` runs, in the test process:

* an HTTP server (stdlib ``ThreadingHTTPServer``) implementing
  ``POST /v2/entries:list`` (filter / orderBy / pageSize / pageToken with real
  paging) and ``POST /v2/entries:write``, which is what
  ``google.cloud.logging.Client(_use_grpc=False, client_options={"api_endpoint": "http://127.0.0.1:PORT"})``
  talks to;
* a gRPC server implementing ``google.logging.v2.LoggingServiceV2/TailLogEntries``
  (bidi stream) for ``LoggingServiceV2Client.tail_log_entries``. The client
  package ships no ``*_pb2_grpc`` module, so the servicer is registered with
  ``grpc.method_handlers_generic_handler`` and the proto-plus message
  classes' ``serialize`` / ``deserialize`` as (de)serializers.

Every request is recorded (``list_requests``, ``received_filters``,
``tail_requests``) so tests can assert on the exact rendered filter, and
failures can be injected for the next N list calls (``fail_next``) or tail
calls (``fail_next_tail``).

Needs ``grpcio`` and ``google-cloud-logging`` only for the gRPC part (imported
lazily in :meth:`FakeLoggingServer.start` when ``grpc=True``).
"""

from __future__ import annotations

import base64
import json
import queue
import threading
import uuid
from collections.abc import Iterable
from concurrent import futures
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.emulators.logfilter import FilterSyntaxError, compile_filter, parse_time

HTTP_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
# google.rpc.Code numbers for the gRPC side
GRPC_CODE_BY_STATUS = {
    "INVALID_ARGUMENT": 3,
    "DEADLINE_EXCEEDED": 4,
    "NOT_FOUND": 5,
    "PERMISSION_DENIED": 7,
    "RESOURCE_EXHAUSTED": 8,
    "INTERNAL": 13,
    "UNAVAILABLE": 14,
    "UNAUTHENTICATED": 16,
}
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_SERVICE = "google.logging.v2.LoggingServiceV2"


def rfc3339(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_entry(
    text: str | None = None,
    *,
    project: str = "test-project",
    service_name: str = "nba-api",
    severity: str = "INFO",
    timestamp: datetime | str | None = None,
    log_id: str = "run.googleapis.com%2Fstdout",
    json_payload: dict | None = None,
    labels: dict[str, str] | None = None,
    resource_type: str = "cloud_run_revision",
    resource_labels: dict[str, str] | None = None,
    insert_id: str | None = None,
    **extra: Any,
) -> dict:
    """A LogEntry in REST JSON form (camelCase), Cloud Run flavoured by default."""
    ts = timestamp or datetime.now(UTC)
    entry: dict[str, Any] = {
        "logName": f"projects/{project}/logs/{log_id}",
        "resource": {
            "type": resource_type,
            "labels": {"project_id": project, "service_name": service_name, **(resource_labels or {})},
        },
        "timestamp": ts if isinstance(ts, str) else rfc3339(ts),
        "severity": severity,
        "insertId": insert_id or uuid.uuid4().hex[:16],
    }
    if json_payload is not None:
        entry["jsonPayload"] = json_payload
    else:
        entry["textPayload"] = text if text is not None else ""
    if labels:
        entry["labels"] = dict(labels)
    entry.update(extra)
    return entry


@dataclass
class InjectedFailure:
    status: int = 429
    message: str = "Quota exceeded for quota metric 'Read requests'"
    grpc_status: str | None = None  # default from HTTP_STATUS_NAMES

    @property
    def status_name(self) -> str:
        return self.grpc_status or HTTP_STATUS_NAMES.get(self.status, "UNKNOWN")

    def body(self) -> dict:
        return {"error": {"code": self.status, "message": self.message, "status": self.status_name}}


class _Subscriber:
    def __init__(self, request: dict, predicate):
        self.request = request
        self.predicate = predicate
        self.q: queue.Queue = queue.Queue()


class FakeLoggingServer:
    """HTTP ``entries:list`` + gRPC ``TailLogEntries`` fake. Thread-safe."""

    def __init__(self, host: str = "127.0.0.1", http_port: int = 0, grpc_port: int = 0, project: str = "test-project"):
        self.host = host
        self.project = project
        self._want_http_port = http_port
        self._want_grpc_port = grpc_port
        self.http_port: int | None = None
        self.grpc_port: int | None = None
        self.lock = threading.RLock()
        self._entries: list[dict] = []
        self.list_requests: list[dict] = []  # parsed JSON bodies of entries:list
        self.write_requests: list[dict] = []
        self.tail_requests: list[dict] = []  # first request of each tail stream (JSON form)
        self._failures: list[InjectedFailure] = []
        self._tail_failures: list[InjectedFailure] = []
        # True: TailLogEntries answers UNIMPLEMENTED, like an endpoint without the tail.
        self.tail_unimplemented = False
        self.tail_subscriptions = 0  # streams that got as far as receiving entries, ever
        self._subscribers: list[_Subscriber] = []
        self._sub_cv = threading.Condition(self.lock)
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._grpc_server = None

    # ------------------------------------------------------------------ data
    @property
    def received_filters(self) -> list[str | None]:
        with self.lock:
            return [r.get("filter") for r in self.list_requests]

    @property
    def entries(self) -> list[dict]:
        with self.lock:
            return list(self._entries)

    def add_entries(self, entries: Iterable[dict]) -> None:
        with self.lock:
            self._entries.extend(json.loads(json.dumps(e)) for e in entries)

    def reset(self) -> None:
        """Forget entries, recorded requests and pending failures."""
        with self.lock:
            self._entries.clear()
            self.list_requests.clear()
            self.write_requests.clear()
            self.tail_requests.clear()
            self._failures.clear()
            self._tail_failures.clear()
            self.tail_unimplemented = False
            self.tail_subscriptions = 0

    def fail_next(self, n: int = 1, status: int = 429, message: str | None = None) -> None:
        """Make the next *n* HTTP API requests fail (429 RESOURCE_EXHAUSTED, 403 PERMISSION_DENIED, ...)."""
        f = InjectedFailure(status=status, message=message or _default_message(status))
        with self.lock:
            self._failures.extend([f] * n)

    def fail_next_tail(self, n: int = 1, status: int = 429, message: str | None = None) -> None:
        """Make the next *n* TailLogEntries streams fail with the matching gRPC status."""
        f = InjectedFailure(status=status, message=message or _default_message(status))
        with self.lock:
            self._tail_failures.extend([f] * n)

    def pop_failure(self, tail: bool = False) -> InjectedFailure | None:
        with self.lock:
            pending = self._tail_failures if tail else self._failures
            return pending.pop(0) if pending else None

    # ------------------------------------------------------------ list logic
    def query(self, body: dict) -> dict:
        """Evaluate an ``entries:list`` request body; raises FilterSyntaxError."""
        predicate = compile_filter(body.get("filter"))
        names = body.get("resourceNames") or body.get("projectIds") or []
        prefixes = tuple(
            (n if n.startswith(("projects/", "organizations/", "folders/", "billingAccounts/")) else f"projects/{n}")
            + "/"
            for n in names
        )
        order = (body.get("orderBy") or "timestamp asc").strip().lower()
        if order not in ("timestamp asc", "timestamp desc"):
            raise FilterSyntaxError(f"invalid orderBy {body.get('orderBy')!r}")
        page_size = int(body.get("pageSize") or DEFAULT_PAGE_SIZE)
        if page_size <= 0:
            page_size = DEFAULT_PAGE_SIZE
        page_size = min(page_size, MAX_PAGE_SIZE)
        offset = _decode_token(body.get("pageToken"))
        with self.lock:
            snapshot = list(self._entries)
        matched = [
            e for e in snapshot if (not prefixes or str(e.get("logName", "")).startswith(prefixes)) and predicate(e)
        ]
        matched.sort(
            key=lambda e: parse_time(e["timestamp"]) if e.get("timestamp") else datetime.min.replace(tzinfo=UTC),
            reverse=(order == "timestamp desc"),
        )
        page = matched[offset : offset + page_size]
        out: dict[str, Any] = {"entries": page}
        if offset + page_size < len(matched):
            out["nextPageToken"] = _encode_token(offset + page_size)
        return out

    # --------------------------------------------------------------- tailing
    def push_tail(self, entries: Iterable[dict]) -> int:
        """Send entries to every open tail stream whose filter matches; returns #streams."""
        entries = [json.loads(json.dumps(e)) for e in entries]
        with self.lock:
            subs = list(self._subscribers)
        for sub in subs:
            matched = [e for e in entries if sub.predicate(e)]
            if matched:
                sub.q.put(matched)
        return len(subs)

    def end_tail_streams(self) -> None:
        """End every open tail stream normally, as the service does when it closes a session."""
        with self.lock:
            subs = list(self._subscribers)
        for sub in subs:
            sub.q.put(None)

    def wait_for_tail_subscribers(self, n: int = 1, timeout: float = 10.0) -> bool:
        with self._sub_cv:
            return self._sub_cv.wait_for(lambda: len(self._subscribers) >= n, timeout=timeout)

    def wait_for_tail_subscriptions(self, total: int, timeout: float = 10.0) -> bool:
        """Until `total` streams have subscribed since the last reset and only the newest
        is still open (a reconnect replaced the previous stream)."""
        with self._sub_cv:
            return self._sub_cv.wait_for(
                lambda: self.tail_subscriptions >= total and len(self._subscribers) == 1, timeout=timeout
            )

    @property
    def tail_subscriber_count(self) -> int:
        with self.lock:
            return len(self._subscribers)

    # ------------------------------------------------------------- lifecycle
    @property
    def http_endpoint(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    @property
    def grpc_target(self) -> str:
        return f"{self.host}:{self.grpc_port}"

    def start(self, grpc: bool = True) -> FakeLoggingServer:
        self._stopping.clear()
        handler = _make_http_handler(self)
        self._httpd = ThreadingHTTPServer((self.host, self._want_http_port), handler)
        self._httpd.daemon_threads = True
        self.http_port = self._httpd.server_address[1]
        self._http_thread = threading.Thread(
            target=self._httpd.serve_forever, name="fake-logging-http", kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._http_thread.start()
        if grpc:
            self._start_grpc()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self.lock:
            subs = list(self._subscribers)
        for sub in subs:
            sub.q.put(None)
        if self._grpc_server is not None:
            self._grpc_server.stop(grace=0).wait(5)
            self._grpc_server = None
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._http_thread is not None:
            self._http_thread.join(timeout=5)
            self._http_thread = None

    def __enter__(self) -> FakeLoggingServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ gRPC
    def _start_grpc(self) -> None:
        import grpc
        from google.cloud.logging_v2.types import TailLogEntriesRequest, TailLogEntriesResponse

        server = grpc.server(futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="fake-logging-grpc"))
        handlers = {
            "TailLogEntries": grpc.stream_stream_rpc_method_handler(
                self._tail_handler,
                request_deserializer=TailLogEntriesRequest.deserialize,
                response_serializer=TailLogEntriesResponse.serialize,
            ),
        }
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(_SERVICE, handlers),))
        port = server.add_insecure_port(f"{self.host}:{self._want_grpc_port}")
        if not port:
            raise RuntimeError("could not bind gRPC port for fake logging server")
        server.start()
        self.grpc_port = port
        self._grpc_server = server

    def _tail_handler(self, request_iterator, context):
        import grpc
        from google.cloud.logging_v2.types import LogEntry, TailLogEntriesRequest, TailLogEntriesResponse

        try:
            first = next(request_iterator)
        except StopIteration:
            return
        req_json = json.loads(TailLogEntriesRequest.to_json(first))
        with self.lock:
            self.tail_requests.append(req_json)
        if self.tail_unimplemented:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, "Method not found: TailLogEntries")
        failure = self.pop_failure(tail=True)
        if failure is not None:
            code = getattr(grpc.StatusCode, failure.status_name, grpc.StatusCode.UNKNOWN)
            context.abort(code, failure.message)
        try:
            predicate = compile_filter(first.filter)
        except FilterSyntaxError as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        sub = _Subscriber(req_json, predicate)
        with self._sub_cv:
            self._subscribers.append(sub)
            self.tail_subscriptions += 1
            self._sub_cv.notify_all()
        try:
            while context.is_active() and not self._stopping.is_set():
                try:
                    batch = sub.q.get(timeout=0.2)
                except queue.Empty:
                    continue
                if batch is None:
                    break
                entries = [LogEntry.from_json(json.dumps(e), ignore_unknown_fields=True) for e in batch]
                yield TailLogEntriesResponse(entries=entries)
        finally:
            with self._sub_cv:
                if sub in self._subscribers:
                    self._subscribers.remove(sub)
                self._sub_cv.notify_all()


def _default_message(status: int) -> str:
    return {
        429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute'",
        403: "The caller does not have permission",
    }.get(status, f"injected failure {status}")


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        kind, _, num = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind != "offset":
            raise ValueError
        return int(num)
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors too
        raise FilterSyntaxError(f"invalid pageToken {token!r}") from None


def _make_http_handler(server: FakeLoggingServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep pytest output clean
            pass

        def _send(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str) -> None:
            self._send(status, InjectedFailure(status=status, message=message).body())

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return self._error(400, "Invalid JSON payload received.")
            if path == "/v2/entries:list":
                with server.lock:
                    server.list_requests.append(body)
                failure = server.pop_failure()
                if failure is not None:
                    return self._send(failure.status, failure.body())
                try:
                    return self._send(200, server.query(body))
                except FilterSyntaxError as exc:
                    return self._error(400, f"Invalid filter: {exc}")
            if path == "/v2/entries:write":
                with server.lock:
                    server.write_requests.append(body)
                failure = server.pop_failure()
                if failure is not None:
                    return self._send(failure.status, failure.body())
                defaults = {k: body[k] for k in ("logName", "resource", "labels") if k in body}
                now = rfc3339(datetime.now(UTC))
                entries = []
                for e in body.get("entries", []):
                    merged = {**defaults, **e}
                    merged.setdefault("timestamp", now)
                    merged.setdefault("insertId", uuid.uuid4().hex[:16])
                    entries.append(merged)
                server.add_entries(entries)
                return self._send(200, {})
            return self._error(404, f"fake logging server: no route for POST {path}")

        def do_GET(self):
            self._error(404, f"fake logging server: no route for GET {self.path}")

    return Handler
