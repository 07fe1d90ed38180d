"""The private names in console/adapters/ still exist, as relied on, in the installed versions.

Each adapter lists what it uses (`PRIVATE_NAMES`); a version of textual, textual-serve or
google-api-core that renamed or reshaped one fails here, naming the package, its version, the
name and the adapter to adapt, before anything subtler breaks. The adapters' functions are
exercised through their public effects too: a subtitle on screen, the served app's routes, the
predicate a Retry decides with.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import re
import select
import sys
import time
from importlib.metadata import version
from pathlib import Path

import pytest
from google.api_core.retry import Retry
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from console.adapters import PrivateName, google_private, textual_private, textual_serve_private

ADAPTERS = [textual_private, textual_serve_private, google_private]


async def _noop(*_args, **_kwargs) -> None:
    return None


# An instance of each owner whose instances the adapters read attributes of.
INSTANCES = {
    "textual.widget:Widget": lambda: Widget(),
    "textual_serve.app_service:AppService": lambda: AppService(
        "true", write_bytes=_noop, write_str=_noop, close=_noop, download_manager=DownloadManager()
    ),
    "google.api_core.retry:Retry": lambda: Retry(),
}


def _owner(spec: str) -> type:
    """`module:Class`, or a bare `module` for a module-level function."""
    module, _, qualname = spec.partition(":")
    found = importlib.import_module(module)
    return getattr(found, qualname) if qualname else found


def _problem(adapter, entry: PrivateName) -> str | None:
    owner = _owner(entry.owner)
    if entry.kind == "attribute":
        if not hasattr(INSTANCES[entry.owner](), entry.name):
            return "is no longer set on its instances"
        return None
    member = inspect.getattr_static(owner, entry.name, None)
    if member is None:
        return "no longer exists"
    if not callable(member):
        return f"is no longer a method ({type(member).__name__})"
    parameters = tuple(inspect.signature(member).parameters)
    if parameters != entry.parameters:
        return f"takes {parameters} now, not {entry.parameters}"
    if entry.kind == "overridden" and inspect.iscoroutinefunction(member) != inspect.iscoroutinefunction(
        getattr(_adapter_override(adapter, entry), entry.name)
    ):
        return "changed between a coroutine and a plain method"
    return None


def _adapter_override(adapter, entry: PrivateName) -> type:
    """The adapter's class that overrides `entry.name` of `entry.owner`."""
    owner = _owner(entry.owner)
    return next(
        cls
        for cls in vars(adapter).values()
        if inspect.isclass(cls) and issubclass(cls, owner) and entry.name in vars(cls)
    )


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.__name__.rsplit(".", 1)[-1])
def test_every_private_name_an_adapter_relies_on_is_still_there(adapter):
    installed = version(adapter.DISTRIBUTION)
    broken = [
        f"{entry.owner.replace(':', '.')}.{entry.name} {problem} ({entry.why})"
        for entry in adapter.PRIVATE_NAMES
        if (problem := _problem(adapter, entry)) is not None
    ]
    assert not broken, (
        f"{adapter.DISTRIBUTION} {installed} changed what {adapter.__name__} relies on: "
        + "; ".join(broken)
        + f". Adapt {adapter.__file__} (and its bound in pyproject.toml)."
    )


def test_the_checker_notices_a_missing_name_and_says_which():
    ghost = PrivateName("textual.widget:Widget", "_no_such_thing", "method", "a name Textual never had", ("self",))
    assert _problem(textual_private, ghost) == "no longer exists"
    reshaped = PrivateName("textual.widget:Widget", "_scroll_update", "method", "", ("self", "size"))
    assert _problem(textual_private, reshaped).startswith("takes ('self', 'virtual_size')")
    unset = PrivateName("textual.widget:Widget", "_no_attribute", "attribute", "")
    assert _problem(textual_private, unset) == "is no longer set on its instances"


def test_each_override_overrides_a_name_the_owner_has():
    for adapter in ADAPTERS:
        for entry in adapter.PRIVATE_NAMES:
            if entry.kind == "overridden":
                assert entry.name in vars(_adapter_override(adapter, entry))


class Body(Static):
    """A bordered box that counts how often its body is rendered."""

    DEFAULT_CSS = "Body { border: round white; height: 6; width: 40; }"
    renders = 0

    def render(self):
        Body.renders += 1
        return "the body"


class BoxApp(App):
    def compose(self) -> ComposeResult:
        yield Body()


def _bottom_row(widget: Widget) -> str:
    strips = widget.render_lines(Region(0, widget.outer_size.height - 1, widget.outer_size.width, 1))
    return strips[0].text


async def test_the_quiet_subtitle_shows_and_repaints_only_the_border():
    app = BoxApp()
    async with app.run_test(size=(60, 10)) as pilot:
        body = app.query_one(Body)
        await pilot.pause()
        before = Body.renders
        textual_private.set_border_subtitle_quietly(body, "refreshed 3s ago")
        await pilot.pause()
        assert body.border_subtitle == "refreshed 3s ago"
        assert "refreshed 3s ago" in _bottom_row(body)
        assert Body.renders == before  # the body was not rendered again
        body.border_subtitle = "refreshed 4s ago"  # the public setter, for contrast
        await pilot.pause()
        assert "refreshed 4s ago" in _bottom_row(body)


TICKING_APP = """
from textual.app import App
from textual.widgets import Static
from console.adapters.textual_private import set_border_subtitle_quietly

class Box(App):
    CSS = "Static { border: round white; height: 6; width: 40; }"

    def compose(self):
        yield Static("body")

    def on_mount(self):
        self.ticks = 0
        self.set_interval(0.1, self.tick)

    def tick(self):
        self.ticks += 1
        set_border_subtitle_quietly(self.query_one(Static), f"tick {self.ticks}")
        if self.ticks == 8:
            self.exit()

Box().run()
"""


def test_the_quiet_subtitle_reaches_a_real_terminal():
    # Pilot is headless: nothing is written, and an export draws the whole screen afresh. A
    # subtitle marked dirty in a way the compositor does not send (as before issue 25) shows in
    # every export and never on a terminal: only a pseudo-terminal tells.
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the app on the pty
        os.execvpe(
            sys.executable,
            [sys.executable, "-c", TICKING_APP],
            {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
        )
    written = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the app exited and closed the terminal
                    break
                if not chunk:
                    break
                written += chunk
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    shown = {int(n) for n in re.findall(rb"tick\D{0,40}?(\d+)", written)}
    assert {2, 4, 6} <= shown, f"subtitles written to the terminal: {sorted(shown)}"


async def test_the_served_app_keeps_textual_serves_routes_and_adds_the_extension():
    class Extended(textual_serve_private.ExtensibleServer):
        def extend_app(self, app):
            app.router.add_get("/extra", _noop, name="extra")
            return app

    app = await Extended("true").make_app()
    names = {route.name for route in app.router.routes()}
    assert {"index", "websocket", "extra"} <= names


async def test_the_process_app_service_starts_what_open_process_starts():
    started: dict = {}

    class Echo(textual_serve_private.ProcessAppService):
        async def open_process(self, environment):
            started.update(environment)
            return await asyncio.create_subprocess_exec(
                "cat", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )

    service = Echo("ignored", write_bytes=_noop, write_str=_noop, close=_noop, download_manager=DownloadManager())
    assert service.process is None
    await service.start(100, 30)  # textual-serve's start() calls the adapter's override
    try:
        assert started["COLUMNS"] == "100" and started["ROWS"] == "30"  # textual-serve's environment
        assert await service.send_bytes(b"x")  # through the public stdin the adapter set
        assert service.process is not None and service.process.returncode is None
    finally:
        service.process.kill()
        await service.process.wait()
        await asyncio.sleep(0.1)  # textual-serve's reader task ends on the closed pipe


def test_the_predicate_of_a_retry_is_the_one_it_was_built_with():
    def only_value_errors(exc):
        return isinstance(exc, ValueError)

    retry = Retry(predicate=only_value_errors)
    assert google_private.retry_predicate(retry) is only_value_errors
    assert google_private.retry_predicate(retry.with_timeout(5)) is only_value_errors
