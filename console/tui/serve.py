"""The console served to browsers: textual-serve's aiohttp server, wrapped for the incident call.

textual-serve runs one app process per websocket and relays its terminal stream to xterm.js
in the page. What it does not do, and this module adds by subclassing (not forking) it, through
the public seams of console/adapters/textual_serve_private.py:

- the console as an argv list (textual-serve runs a shell string), with the server's
  effective settings, and without the serve token in its environment;
- a token on every request (HTTP and websocket) when asked for: `?token=` once, then an
  HttpOnly cookie, so it leaves the address bar; the access log never shows a query string;
- at most `max_sessions` consoles; each ended when its websocket goes (closed page, lost
  heartbeat) or after `idle_seconds` without input, and killed if it does not quit in time;
- page URLs built from the request (Host, X-Forwarded-Proto), so it works behind a proxy
  such as Cloud Run with IAP; malformed browser messages ignored instead of a traceback;
- (serve_guard.py) a log that never holds the token, malformed requests included, and
  terminal sizes clamped to what the console can draw.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import os
import shlex
import signal
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import WSMsgType, web
from aiohttp.abc import AbstractAccessLogger
from textual_serve.server import to_int

from console.adapters.textual_serve_private import ExtensibleServer, ProcessAppService
from console.core.config_environment import NO_COLOR_ENV
from console.core.links import parse_query
from console.core.serve_token import TOKEN_ENV
from console.tui.serve_guard import guard_server_log, terminal_size

log = logging.getLogger("nba-console.tui.serve")

TOKEN_PARAM = "token"
NO_COLOR_PARAM = "no_color"
NO_COLOR_WS = "/ws-no-color"
TOKEN_COOKIE = "nba_console_token"
HEARTBEAT_S = 15.0  # websocket ping: a browser that vanished without closing is noticed within ~2x this


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    argv: list[str]
    read_only: bool = True
    token: str | None = None
    print_token: bool = True
    max_sessions: int = 8
    idle_seconds: float = 1800.0
    quit_grace_s: float = 5.0


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Method, path without its query string (where the token travels), status, time."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, duration: float) -> None:
        self.logger.info(
            "%s %s %s %s %.0fms", request.remote, request.method, request.path, response.status, duration * 1000
        )


class ConsoleAppService(ProcessAppService):
    """One viewer's console process, started from an argv list in its own process group."""

    def __init__(self, argv: list[str], *, no_color: bool = False, **kwargs: Any) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = argv
        self.no_color = no_color

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    async def open_process(self, environment: dict[str, str]) -> asyncio.subprocess.Process:
        environment.pop(TOKEN_ENV, None)  # the console has no use for it
        if self.no_color:  # the viewer opened the no-colour page (the server's own NO_COLOR is inherited)
            environment[NO_COLOR_ENV] = "1"
        return await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,  # its own group: a playbook's gcloud child ends with it
        )

    async def stop_within(self, grace_s: float) -> None:
        """Ask the console to quit (textual-serve waits for that forever); kill its group after grace_s."""
        try:
            await asyncio.wait_for(self.stop(), grace_s)
        except Exception:  # noqa: BLE001, S110 - a timeout or a broken pipe: the kill below ends it either way
            pass
        process = self.process
        if process is None:
            return
        try:  # also when it quit: whatever it started (a playbook's gcloud) must not outlive the viewer
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        await asyncio.wait_for(process.wait(), grace_s)


@dataclass
class Session:
    service: ConsoleAppService
    websocket: web.WebSocketResponse
    remote: str
    started: float = field(default_factory=time.monotonic)
    last_input: float = field(default_factory=time.monotonic)

    def describe(self, now: float) -> dict[str, Any]:
        return {
            "id": self.service.app_service_id[:8],
            "pid": self.service.pid,
            "remote": self.remote,
            "age_s": round(now - self.started, 1),
            "idle_s": round(now - self.last_input, 1),
        }


class ConsoleServer(ExtensibleServer):
    def __init__(self, options: ServeOptions) -> None:
        mode = "read-only" if options.read_only else "PLAYBOOKS ALLOWED"
        super().__init__(shlex.join(options.argv), host=options.host, port=options.port, title=f"nba-console ({mode})")
        self.options = options
        self.sessions: dict[str, Session] = {}
        self._cleanups: set[asyncio.Future] = set()
        self._watchdog: asyncio.Task | None = None

    # ------------------------------------------------------------------ app and auth

    def extend_app(self, app: web.Application) -> web.Application:
        app.middlewares.append(self._authenticate)
        app.router.add_get("/status", self.handle_status, name="status")
        app.router.add_get(NO_COLOR_WS, self.handle_websocket_no_color, name="websocket-no-color")
        # An alert's link (`?date=…&check=…&drill=1`, issue 26): the page's websocket carries the
        # landing in its path (textual.js appends `?width=…&height=…` to the URL it is given),
        # with or without colour.
        app.router.add_get("/ws/at/{date}/{check}/{drill}", self.handle_websocket, name="landing")
        app.router.add_get(
            NO_COLOR_WS + "/at/{date}/{check}/{drill}", self.handle_websocket_no_color, name="landing-no-color"
        )
        return app

    def _token_ok(self, given: str | None) -> bool:
        token = self.options.token
        return token is None or (given is not None and hmac.compare_digest(given.encode(), token.encode()))

    @web.middleware
    async def _authenticate(self, request: web.Request, handler) -> web.StreamResponse:
        if self.options.token is None:
            return await handler(request)
        bearer = request.headers.get("Authorization", "")
        given = (
            request.query.get(TOKEN_PARAM)
            or request.cookies.get(TOKEN_COOKIE)
            or (bearer[7:] if bearer.startswith("Bearer ") else None)
        )
        if not self._token_ok(given):
            return web.Response(status=401, text="401: open the URL with the token that `nba-console serve` printed\n")
        if TOKEN_PARAM in request.query:
            # Swap the token in the URL for a cookie, so it leaves the address bar and the history.
            query = {k: v for k, v in request.query.items() if k != TOKEN_PARAM}
            redirect = web.HTTPFound(request.rel_url.with_query(query))
            redirect.set_cookie(
                TOKEN_COOKIE,
                self.options.token,
                httponly=True,
                samesite="Lax",
                path="/",
                secure=_scheme(request) == "https",
            )
            raise redirect
        return await handler(request)

    async def handle_status(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        return web.json_response(
            {
                "read_only": self.options.read_only,
                "max_sessions": self.options.max_sessions,
                "idle_seconds": self.options.idle_seconds,
                "sessions": [s.describe(now) for s in self.sessions.values()],
            }
        )

    async def handle_index(self, request: web.Request) -> web.Response:
        if len(self.sessions) >= self.options.max_sessions:
            raise web.HTTPServiceUnavailable(text=self._full_message())
        # From the request, not from --host: right behind a proxy and when bound to 0.0.0.0.
        base = f"{_scheme(request)}://{request.host}"
        ws_scheme = "wss" if base.startswith("https") else "ws"
        # `/?no_color`: this viewer's console without colour (NO_COLOR), whatever the server's.
        # The page appends `?width=..` to the websocket URL itself, so the choice is a route, as
        # is an alert's landing (`?date=…&check=…&drill=1`).
        no_color = NO_COLOR_PARAM in request.query
        route = request.app.router["websocket-no-color" if no_color else "websocket"].url_for()
        landing = parse_query(request.query_string)
        if landing.game_date is not None or landing.check is not None:
            route = request.app.router["landing-no-color" if no_color else "landing"].url_for(
                date=landing.game_date.isoformat() if landing.game_date else "-",
                check=landing.check or "-",
                drill="1" if landing.drill else "0",
            )
        response = aiohttp_jinja2.render_template(
            "app_index.html",
            request,
            {
                "font_size": to_int(request.query.get("fontsize", "16"), 16),
                "app_websocket_url": f"{ws_scheme}://{request.host}{route}",
                "config": {"static": {"url": f"{base}/static/"}},
                "application": {"name": self.title},
            },
        )
        # textual-serve's page has no <title>: a browser tab would read the bare address.
        response.text = (response.text or "").replace(
            "<head>", f"<head>\n    <title>{html.escape(self.title)}</title>", 1
        )
        return response

    async def handle_websocket_no_color(self, request: web.Request) -> web.WebSocketResponse:
        return await self.handle_websocket(request, no_color=True)

    def _full_message(self) -> str:
        return f"503: all {self.options.max_sessions} viewer slots are in use (serve.max_sessions); try again later\n"

    # ------------------------------------------------------------------ sessions

    async def handle_websocket(self, request: web.Request, *, no_color: bool = False) -> web.WebSocketResponse:
        if len(self.sessions) >= self.options.max_sessions:
            raise web.HTTPServiceUnavailable(text=self._full_message())
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT_S)
        service = ConsoleAppService(
            self.options.argv + landing_argv(request.match_info),
            no_color=no_color,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        session = Session(service, websocket, request.remote or "?")
        key = service.app_service_id
        self.sessions[key] = session  # before the first await: the limit holds under a burst of connections
        try:
            await websocket.prepare(request)
        except web.HTTPException:  # not a websocket request: its 400, and the slot back
            self.sessions.pop(key, None)
            raise
        try:
            await service.start(*terminal_size(request.query.get("width"), request.query.get("height")))
            log.info(
                "viewer %s from %s: console pid %s (%d/%d viewers)",
                key[:8],
                session.remote,
                service.pid,
                len(self.sessions),
                self.options.max_sessions,
            )
            await self._relay(session)
        except Exception as exc:  # noqa: BLE001 - one viewer's failure must not take the server down
            log.error("viewer %s: %s: %s", key[:8], type(exc).__name__, exc)
        finally:
            self.sessions.pop(key, None)
            # aiohttp may cancel this handler when the browser disconnects: end the console in a task
            # of its own, so a cancelled handler cannot leave it running.
            cleanup = asyncio.ensure_future(self._end_session(key, session))
            self._cleanups.add(cleanup)
            cleanup.add_done_callback(self._cleanups.discard)
            await asyncio.shield(cleanup)
        return websocket

    async def _end_session(self, key: str, session: Session) -> None:
        try:
            await session.service.stop_within(self.options.quit_grace_s)
            await session.websocket.close()
        except Exception as exc:  # noqa: BLE001 - logged; the process group was killed first
            log.error("viewer %s: ending it: %s: %s", key[:8], type(exc).__name__, exc)
        log.info(
            "viewer %s gone: console pid %s ended (%d/%d viewers)",
            key[:8],
            session.service.pid,
            len(self.sessions),
            self.options.max_sessions,
        )

    async def _relay(self, session: Session) -> None:
        """Browser -> console. Anything malformed is dropped: a page cannot crash the server."""
        service, websocket = session.service, session.websocket
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            envelope = parse_envelope(message.data)
            if envelope is None:
                continue
            kind, data = envelope
            if kind == "stdin" and isinstance(data, str):
                session.last_input = time.monotonic()
                await service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                session.last_input = time.monotonic()
                await service.set_terminal_size(*terminal_size(data.get("width"), data.get("height")))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "focus":
                await service.focus()
            elif kind == "blur":
                await service.blur()

    async def _end_idle_sessions(self) -> None:
        period = min(30.0, max(0.5, self.options.idle_seconds / 4))
        while True:
            await asyncio.sleep(period)
            now = time.monotonic()
            for key, session in list(self.sessions.items()):
                if now - session.last_input >= self.options.idle_seconds:
                    log.info("viewer %s idle for %.0f s: ending its console", key[:8], now - session.last_input)
                    await session.websocket.close(message=b"idle")

    # ------------------------------------------------------------------ lifecycle

    async def on_startup(self, app: web.Application) -> None:
        self._watchdog = asyncio.create_task(self._end_idle_sessions())

    def announce(self) -> None:
        """Once listening. The one place the token is shown: the operator's terminal. Logs never carry it."""
        o = self.options
        query = "" if o.token is None else f"?{TOKEN_PARAM}=" + (o.token if o.print_token else f"${TOKEN_ENV}")
        urls = "".join(f"\n  open {url}{query}" for url in open_urls(o.host, o.port))
        mode = "READ-ONLY" if o.read_only else "PLAYBOOKS ALLOWED (viewers act with this server's credentials)"
        print(
            f"nba-console serve: {mode}, at most {o.max_sessions} viewers, idle limit "
            f"{o.idle_seconds / 60:g} min{urls}\n"
            "  (add ?no_color, or &no_color after the token, for a console without colour)\n"
            f"  each viewer runs: {shlex.join(o.argv)}\n  Ctrl+C to stop",
            flush=True,
        )

    async def on_shutdown(self, app: web.Application) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        sessions = list(self.sessions.values())
        for session in sessions:
            await session.websocket.close(message=b"server shutting down")
        await asyncio.gather(
            *(s.service.stop_within(self.options.quit_grace_s) for s in sessions),
            *list(self._cleanups),
            return_exceptions=True,
        )

    def run(self) -> None:
        """Serve until SIGINT/SIGTERM. OSError when the address cannot be bound (nothing printed then)."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        guard_server_log(self.options.token)  # no record carries the token, malformed requests included
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        runner = web.AppRunner(await self.make_app(), access_log_class=PathOnlyAccessLogger, shutdown_timeout=5.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.options.host, self.options.port).start()
            self.announce()
            await stop.wait()
        finally:
            await runner.cleanup()  # on_shutdown: every console is ended


def open_urls(host: str, port: int) -> list[str]:
    """Addresses a person can open for a bind address: `0.0.0.0`/`::` are no address at all,
    so this machine's name (for the others) and localhost (for this machine) instead."""
    if host in ("0.0.0.0", "::", ""):
        return [f"http://{_url_host(socket.gethostname())}:{port}/", f"http://localhost:{port}/"]
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    return [f"http://{_url_host(shown)}:{port}/"]


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host  # an IPv6 literal


def landing_argv(match: Mapping[str, str]) -> list[str]:
    """`--date D --check ID --drill` for the landing route's path, validated again (the path is
    the browser's to send): what does not parse is left out, never passed on."""
    if not match:
        return []
    query = {"date": match.get("date", ""), "check": match.get("check", ""), "drill": match.get("drill", "")}
    landing = parse_query(urlencode(query))
    argv = ["--date", landing.game_date.isoformat()] if landing.game_date else []
    if landing.check:
        argv += ["--check", landing.check] + (["--drill"] if landing.drill else [])
    return argv


def parse_envelope(text: str) -> tuple[str, Any] | None:
    """A browser message `[kind, data, ...]`, or None for anything else."""
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(envelope, list) or len(envelope) < 2 or not isinstance(envelope[0], str):
        return None
    return envelope[0], envelope[1]


def _scheme(request: web.Request) -> str:
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip()
    return forwarded if forwarded in ("http", "https") else request.scheme
