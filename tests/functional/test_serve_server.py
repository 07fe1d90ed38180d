"""The serve wrapper in-process (aiohttp's test server): token, limits, idle end, kill, malformed input.

The consoles here are stand-ins that never answer textual-serve's quit, so every end goes
through the kill after `quit_grace_s`; the real console in a browser is in tests/browser.
"""

from __future__ import annotations

import asyncio
import sys

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from console.tui.serve import TOKEN_COOKIE, ConsoleServer, ServeOptions
from tests.helpers.serve_helpers import pid_alive

DEAF_CONSOLE = [sys.executable, "-c", "import time; time.sleep(600)"]
TOKEN = "t0ken-for-the-tests-0123456789"


async def _client(**overrides) -> TestClient:
    options = ServeOptions(**{"host": "127.0.0.1", "port": 0, "argv": DEAF_CONSOLE, "quit_grace_s": 0.5, **overrides})
    server = ConsoleServer(options)
    client = TestClient(TestServer(await server.make_app()))
    await client.start_server()
    client.console_server = server
    return client


async def _until(predicate, timeout: float = 20.0) -> None:  # noqa: ASYNC109 - runs out as an assertion that says what it waited for
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out waiting for the condition"
        await asyncio.sleep(0.05)


async def _status(client, **kwargs) -> dict:
    response = await client.get("/status", **kwargs)
    assert response.status == 200
    return await response.json()


async def test_every_request_needs_the_token_which_moves_to_a_cookie():
    client = await _client(token=TOKEN)
    try:
        for path in ("/", "/static/js/textual.js", "/status", f"/?token={TOKEN[:-1]}"):
            assert (await client.get(path, allow_redirects=False)).status == 401, path
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/ws")
        assert refused.value.status == 401
        assert client.console_server.sessions == {}

        first = await client.get(f"/?token={TOKEN}&fontsize=14", allow_redirects=False)
        assert first.status == 302 and first.headers["Location"] == "/?fontsize=14"
        cookie = first.headers["Set-Cookie"]
        assert f"{TOKEN_COOKIE}={TOKEN}" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
        page = await client.get("/", cookies={TOKEN_COOKIE: TOKEN})
        assert page.status == 200 and f"ws://{client.host}:{client.port}/ws" in await page.text()
        assert (await client.get("/status", headers={"Authorization": f"Bearer {TOKEN}"})).status == 200
        # Behind a TLS proxy (Cloud Run + IAP): wss and a Secure cookie.
        proxied = await client.get(f"/?token={TOKEN}", headers={"X-Forwarded-Proto": "https"}, allow_redirects=False)
        assert "Secure" in proxied.headers["Set-Cookie"]
        page = await client.get(
            "/",
            headers={"X-Forwarded-Proto": "https", "Host": "console.example.run.app"},
            cookies={TOKEN_COOKIE: TOKEN},
        )
        assert 'data-session-websocket-url="wss://console.example.run.app/ws"' in await page.text()
    finally:
        await client.close()


async def test_on_loopback_without_a_token_everything_is_open():
    client = await _client(token=None)
    try:
        assert (await client.get("/")).status == 200
        assert (await _status(client))["read_only"] is True
    finally:
        await client.close()


async def test_at_most_max_sessions_and_a_console_that_ignores_quit_is_killed():
    client = await _client(max_sessions=2)
    try:
        first, second = await client.ws_connect("/ws"), await client.ws_connect("/ws")
        await _until(lambda: all(s.service.pid for s in client.console_server.sessions.values()))
        pids = [s["pid"] for s in (await _status(client))["sessions"]]
        assert len(pids) == 2 and all(pid_alive(p) for p in pids)
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/ws")
        assert refused.value.status == 503
        full = await client.get("/")
        assert full.status == 503 and "serve.max_sessions" in await full.text()

        await first.close()  # the page went away: its console is asked to quit, then killed
        await _until(lambda: not pid_alive(pids[0]))
        assert pid_alive(pids[1])
        await _until(lambda: len(client.console_server.sessions) == 1)
        third = await client.ws_connect("/ws")  # the slot is free again
        await _until(lambda: len(client.console_server.sessions) == 2)
        await third.close()
        await second.close()
        await _until(lambda: not client.console_server.sessions and not pid_alive(pids[1]))
    finally:
        await client.close()


@pytest.mark.slow
async def test_an_idle_viewer_is_ended_and_an_active_one_is_not():
    client = await _client(idle_seconds=1.0)
    try:
        idle, active = await client.ws_connect("/ws"), await client.ws_connect("/ws")
        await _until(
            lambda: (
                len(client.console_server.sessions) == 2
                and all(s.service.pid for s in client.console_server.sessions.values())
            )
        )
        idle_pid, active_pid = [s.service.pid for s in client.console_server.sessions.values()]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 3.0
        while loop.time() < deadline:  # the active viewer types; the idle one does nothing
            await active.send_json(["stdin", "x"])
            await asyncio.sleep(0.2)
        assert idle.closed or (await idle.receive(timeout=5)).type in (
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSED,
        )
        await _until(lambda: not pid_alive(idle_pid))
        assert not active.closed and pid_alive(active_pid)
        await active.close()
    finally:
        await client.close()


async def test_malformed_browser_messages_are_dropped_and_the_session_lives_on():
    client = await _client()
    try:
        ws = await client.ws_connect("/ws")
        for junk in (
            "",
            "{",
            "[]",
            '["stdin"]',
            "{}",
            "42",
            "[1, 2]",
            '["resize", "big"]',
            '["stdin", 5]',
            "[" * 100_000,
            '["stdin", "\\ud800"]',
            '["resize", {"width": "x", "height": null}]',
        ):
            await ws.send_str(junk)
        await ws.send_bytes(b"\x00\xff")
        await ws.send_json(["ping", "still-here"])
        reply = await ws.receive(timeout=10)
        assert reply.type == aiohttp.WSMsgType.TEXT and reply.json() == ["pong", "still-here"]
        assert len(client.console_server.sessions) == 1
        await ws.close()
    finally:
        await client.close()


async def test_shutdown_ends_every_console():
    client = await _client()
    ws = await client.ws_connect("/ws")
    await _until(lambda: any(s.service.pid for s in client.console_server.sessions.values()))
    [pid] = [s.service.pid for s in client.console_server.sessions.values()]
    await client.close()
    await _until(lambda: not pid_alive(pid))
    assert ws.closed or (await ws.receive(timeout=5)).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


async def test_the_header_names_the_mode_read_only_in_a_terminal_web_only_in_a_browser(demo_settings, clock):
    from console.tui.app import NbaConsoleApp
    from tests.functional.conftest import FEB4, SIZE

    for read_only, expected in ((True, ["READ-ONLY"]), (False, [])):
        settings = demo_settings.model_copy(update={"read_only": read_only})
        app = NbaConsoleApp(settings, clock=clock, game_date=FEB4)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.mode_labels() == expected  # a Pilot run is not web: no WEB badge
            header = str(app.screen.query_one("#header").render())
            assert ("READ-ONLY" in header) is read_only and " WEB " not in header
    # In the browser (tests/browser) the same header carries WEB and READ-ONLY.


async def test_what_a_console_started_ends_with_it_and_a_plain_get_of_the_websocket_is_a_400(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    spawner = [
        sys.executable,
        "-c",
        "import subprocess, sys, time; p = subprocess.Popen(['sleep', '600']); "
        f"open({str(pid_file)!r}, 'w').write(str(p.pid)); time.sleep(600)",
    ]
    client = await _client(argv=spawner, max_sessions=1)
    try:
        assert (await client.get("/ws")).status == 400  # no upgrade: refused, and the slot is not kept
        assert client.console_server.sessions == {}
        ws = await client.ws_connect("/ws")
        await _until(lambda: pid_file.exists() and pid_file.read_text())
        grandchild = int(pid_file.read_text())
        assert pid_alive(grandchild)
        await ws.close()
        await _until(lambda: not pid_alive(grandchild))  # e.g. a playbook's gcloud
    finally:
        await client.close()


async def test_the_page_has_a_title_and_no_color_gives_the_viewer_a_console_without_colour(tmp_path):
    """Issue 28: a browser tab reads the console's name, not the address; `/?no_color` starts
    that viewer's console with NO_COLOR=1 (Textual then draws it in monochrome)."""
    seen = tmp_path / "env"
    telling = [
        sys.executable,
        "-c",
        f"import os, time; open({str(seen)!r}, 'w').write(os.environ.get('NO_COLOR', '-')); time.sleep(600)",
    ]
    client = await _client(argv=telling)
    try:
        page = await (await client.get("/")).text()
        assert "<title>nba-console (read-only)</title>" in page
        assert f'data-session-websocket-url="ws://{client.host}:{client.port}/ws"' in page
        plain = await (await client.get("/?no_color")).text()
        assert f'data-session-websocket-url="ws://{client.host}:{client.port}/ws-no-color"' in plain
        # The page appends its size as the query, as textual-serve's script does.
        socket = await client.ws_connect("/ws-no-color?width=80&height=24")
        await _until(lambda: seen.exists() and seen.read_text() != "")
        assert seen.read_text() == "1"
        await socket.close()
        seen.unlink()
        socket = await client.ws_connect("/ws?width=80&height=24")
        await _until(lambda: seen.exists() and seen.read_text() != "")
        assert seen.read_text() == "-"  # the server's environment had no NO_COLOR
        await socket.close()
        await _until(lambda: not client.console_server.sessions)
    finally:
        await client.close()
