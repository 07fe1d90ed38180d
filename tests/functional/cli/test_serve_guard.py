"""Issue 24 item 5: `nba-console serve` never logs its token, for any request (malformed ones
sent over raw sockets included), and a browser's terminal size is clamped: a websocket
`["resize", {"width": 80, "height": -1}]` no longer kills that viewer's console.

One real server (a subprocess, a fixed NBA_CONSOLE_SERVE_TOKEN that is never printed) for
the module; its whole stdout and stderr are searched at the end."""

from __future__ import annotations

import asyncio
import socket
import time
import urllib.request

import aiohttp
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.tui.serve_guard import MAX_COLS, MAX_ROWS, MIN_COLS, MIN_ROWS, terminal_size
from tests.helpers.examples import examples
from tests.helpers.serve_helpers import pid_alive, start_served_console, wait_until

TOKEN = "FixedServeToken-7Qm2Vx9Lr4Tz8Kp3Wn6Bc1"


@pytest.fixture(scope="module")
def served(tmp_path_factory, _seeded_demo_dir):
    tmp = tmp_path_factory.mktemp("serve-guard")
    server = start_served_console(tmp, _seeded_demo_dir, {"NBA_CONSOLE_SERVE_TOKEN": TOKEN})
    assert server.token is None  # printed as $NBA_CONSOLE_SERVE_TOKEN, never as itself
    yield server
    server.stop()


def _send(served, raw: bytes) -> bytes:
    host, port = served.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        try:
            conn.sendall(raw)
            return conn.recv(65536)  # the status line is in the first bytes back
        except (TimeoutError, ConnectionResetError, BrokenPipeError):
            return b""


T = TOKEN.encode()
RAW_REQUESTS = [
    b"GET /?token=" + T + b" HTTP/1.1 garbage\r\n\r\n",  # three words too many
    b"GET /?token=" + T + b"\x00 HTTP/1.1\r\nHost: x\r\n\r\n",  # NUL in the URL
    b"GARBAGE /?token=" + T + b"\r\n\r\n",  # no version
    b"GET /?token=" + T + b" HTTP/9.9\r\n\r\n",  # a version that does not exist
    b"get /?token=" + T + b" http/1.1\r\n\r\n",
    b"GET /?token=" + T + b"\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",  # not ASCII
    b"GET / HTTP/1.1\r\nAuthorization Bearer " + T + b"\r\n\r\n",  # a header line without its colon
    b"GET /?token=" + T + b" HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST /?token=" + T + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + T + b"\r\n",
    b"GET /?token=" + T + b"&pad=" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n",  # a request line too long
    b"GET / HTTP/1.1\r\nHost: x\r\nCookie: nba_console_token=" + T + b"; pad=" + b"a" * 9000 + b"\r\n\r\n",
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + T,
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + T,  # TLS on the plain port
    T + b"\r\n\r\n",  # the token alone
    b"GET /ws?token=" + T + b" HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Version: 99\r\n\r\n",
    # Well-formed, the token in every place a client may put it:
    b"GET /?token=" + T + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /" + T + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + T + b"\r\n\r\n",
    b"GET /status HTTP/1.1\r\nHost: x\r\nCookie: nba_console_token=" + T + b"\r\n\r\n",
    b"GET /?token=" + T[:-1] + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # one character short: refused
]


def test_no_request_puts_the_token_in_the_server_log(served):
    answers = [_send(served, raw) for raw in RAW_REQUESTS]
    assert all(answers[i].startswith(b"HTTP/1.") for i in (0, 3, 15, 16, 17)), answers
    assert b" 401 " in answers[-1].split(b"\r\n")[0]
    wait_until(lambda: served.output().count("aiohttp.access") >= len(RAW_REQUESTS) - 3, 20, "the access log lines")
    out = served.output()
    assert TOKEN not in out and TOKEN[:-1] not in out, out
    assert "Error handling request" in out and "Traceback" not in out  # one line per bad request


EXPECT_THEN_GONE = b"GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n"


def _send_and_go(served, raw: bytes) -> None:
    """A client that sends its request and closes its side before the answer, then waits for
    the server to close the connection (so what the server logs about it is written)."""
    host, port = served.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(raw)
        conn.shutdown(socket.SHUT_WR)
        try:
            while conn.recv(65536):
                pass
        except (TimeoutError, ConnectionResetError):
            pass


def _get(served, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(served.base + path, headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def test_a_client_gone_mid_request_is_one_line_and_the_server_still_serves(served):
    """`Expect: 100-continue` with a body length, then a half-close: aiohttp's `100 Continue`
    meets a closing transport. One line in the log, no traceback; the next requests are served."""
    for _ in range(5):
        _send_and_go(served, EXPECT_THEN_GONE)
    wait_until(lambda: "closed by the peer" in served.output() or "Traceback" in served.output(), 20, "the log line")
    out = served.output()
    assert "Traceback" not in out and "Cannot write to closing transport" not in out, out
    line = next(line for line in out.splitlines() if "closed by the peer" in line)
    assert "Error handling request from 127.0.0.1" in line and "ClientConnectionResetError" in line
    status, body = _get(served, "/status")
    assert status == 200 and "sessions" in orjson.loads(body)
    assert _get(served, "/")[0] == 200


request_line_parts = st.sampled_from([b"GET", b"POST", b"G\x00T", b"", b"\xff", b"OPTIONS"])
noise = st.binary(max_size=12)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=request_line_parts,
    before=noise,
    after=noise,
    where=st.sampled_from(["query", "path", "header", "line"]),
    version=st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/x", b""]),
)
def test_fuzzed_requests_never_put_the_token_in_the_server_log(served, method, before, after, where, version):
    target = {
        "query": b"/?token=" + before + T + after,
        "path": b"/" + before + T + after,
        "header": b"/",
        "line": before + T + after,
    }[where]
    raw = method + b" " + target + b" " + version + b"\r\nHost: x\r\n"
    if where == "header":
        raw += b"Authorization: Bearer " + before + T + after + b"\r\nX" + after + b": " + T + b"\r\n"
    _send(served, raw + b"\r\n")
    assert TOKEN not in served.output()


# ------------------------------------------------------------------ resize


@given(
    width=st.one_of(st.integers(), st.floats(), st.text(max_size=8), st.none(), st.booleans()),
    height=st.one_of(st.integers(), st.floats(), st.text(max_size=8), st.none(), st.booleans()),
)
def test_any_size_becomes_one_the_console_can_draw(width, height):
    cols, rows = terminal_size(width, height)
    assert MIN_COLS <= cols <= MAX_COLS and MIN_ROWS <= rows <= MAX_ROWS


def test_sizes_within_bounds_are_kept():
    assert terminal_size(80, 24) == (80, 24) and terminal_size("132", "43") == (132, 43)
    assert terminal_size(80, -1) == (80, MIN_ROWS) and terminal_size(10**9, 10**9) == (MAX_COLS, MAX_ROWS)


@pytest.mark.slow
def test_a_negative_or_huge_resize_leaves_the_viewer_console_alive(served):
    async def scenario() -> tuple[int, int]:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            ws_url = served.base.replace("http", "ws") + "/ws?width=80&height=-1"  # the start size too
            async with http.ws_connect(ws_url) as ws:
                frames = 0
                await ws.send_json(["resize", {"width": 80, "height": -1}])
                await ws.send_json(["resize", {"width": -5, "height": 10**12}])
                await ws.send_json(["resize", {"width": "80", "height": "-1"}])
                await ws.send_json(["resize", {"width": 100, "height": 30}])
                # The console keeps drawing for well past the moment the IndexError came.
                loop = asyncio.get_running_loop()
                end = loop.time() + 8
                while loop.time() < end:
                    try:
                        message = await ws.receive(timeout=max(0.1, end - loop.time()))
                    except TimeoutError:
                        break
                    if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        raise AssertionError(f"the viewer's console ended: {message}")
                    frames += 1
                status = await (await http.get(served.base + "/status")).json()
                (session,) = status["sessions"]
                assert pid_alive(session["pid"])
                return frames, session["pid"]

    frames, pid = asyncio.run(scenario())
    assert frames > 0
    wait_until(lambda: not pid_alive(pid), 30, "the console to end with its websocket")
    time.sleep(0.2)
    assert "IndexError" not in served.output()
