"""textual-serve's private names the console uses, and only here.

textual-serve (1.1) has no public way to start an app process other than from a shell string,
nor to add routes or middleware to its aiohttp application: its `AppService._open_app_process`
and `Server._make_app` are the seams. The console's server (console/tui/serve.py) subclasses
the two classes below and uses only their public names: `open_process`, `process`,
`make_app`, `extend_app`.

pyproject.toml bounds textual-serve below its next major; tests/unit/adapters/test_private_api_adapters.py
checks every name below against the installed textual-serve.
"""

from __future__ import annotations

from asyncio.subprocess import Process

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from console.adapters import PrivateName

DISTRIBUTION = "textual-serve"

PRIVATE_NAMES = (
    PrivateName(
        "textual_serve.app_service:AppService",
        "_open_app_process",
        "overridden",
        "start() calls it to start the app process",
        ("self", "width", "height"),
    ),
    PrivateName(
        "textual_serve.app_service:AppService",
        "_build_environment",
        "method",
        "the environment the app needs to talk to the page (its driver, size, colours)",
        ("self", "width", "height"),
    ),
    PrivateName(
        "textual_serve.app_service:AppService",
        "_process",
        "attribute",
        "the app process that run() reads and stop() waits for",
    ),
    PrivateName(
        "textual_serve.app_service:AppService",
        "_stdin",
        "attribute",
        "the stream behind the public `stdin` that send_bytes and send_meta write to",
    ),
    PrivateName(
        "textual_serve.server:Server",
        "_make_app",
        "overridden",
        "builds the aiohttp application: routes, templates, static files",
        ("self",),
    ),
)


class ProcessAppService(AppService):
    """An AppService whose subclass starts the app process itself (`open_process`)."""

    @property
    def process(self) -> Process | None:
        """The app's process once started, else None."""
        return self._process

    async def open_process(self, environment: dict[str, str]) -> Process:
        """Start the app with this environment (textual-serve's, for the terminal's size)."""
        raise NotImplementedError

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        self._process = process = await self.open_process(self._build_environment(width=width, height=height))
        self._stdin = process.stdin
        return process


class ExtensibleServer(Server):
    """A Server whose subclass adds to its aiohttp application (`extend_app`)."""

    async def make_app(self) -> web.Application:
        """textual-serve's application (routes, templates, static files), then `extend_app`'s."""
        return await self._make_app()

    def extend_app(self, app: web.Application) -> web.Application:
        return app

    async def _make_app(self) -> web.Application:
        return self.extend_app(await super()._make_app())
