"""The served console in a real browser: Debian's chromium driven by Playwright.

Playwright's own browser download is not available here, so it launches /usr/bin/chromium
(`make test` installs it as root when missing). Without it, or without the playwright
package, these tests skip with the reason, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.helpers.serve_helpers import start_served_console, wait_until

CHROMIUM = os.environ.get("NBA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Where the screenshots land, for people to look at (gitignored).
ARTIFACTS = Path(os.environ.get("NBA_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
VIEWPORT = {"width": 1600, "height": 1000}
# Cursor moves, colours and modes: what is left is the text the console drew.
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[\]P][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
TIMEOUT_S = 60.0  # generous: several helpers' test suites share two cores


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401 - imported only to learn whether it is installed
    except ImportError:
        return "the playwright package is not installed (make install)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (as root: apt-get install -y chromium; make test does it)"
    return None


@pytest.fixture(scope="module")  # closed with its module: its event loop never meets pytest-asyncio's
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def served(_seeded_demo_dir, tmp_path_factory):
    """One `nba-console serve --require-token` for the module, on a copy of the demo."""
    tmp = tmp_path_factory.mktemp("serve")
    data = tmp / "data"
    shutil.copytree(_seeded_demo_dir, data, symlinks=True)
    server = start_served_console(tmp, data, {"NBA_CONSOLE_SERVE__MAX_SESSIONS": "3"})
    yield server
    server.stop()


class Viewer:
    """One browser page on the served console, with the terminal stream it received."""

    def __init__(self, context, url: str):
        self.context = context
        self.page = context.new_page()
        self.frames: list[str] = []
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.response = self.page.goto(url)

    def _frame(self, payload) -> None:
        self.frames.append(payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))

    def text(self, since: int = 0) -> str:
        return ANSI.sub("", "".join(self.frames[since:]))

    def wait_for_text(self, *needles: str, since: int = 0, timeout: float = TIMEOUT_S) -> None:
        """Until every needle is in the stream; page.wait_for_timeout lets Playwright deliver frames."""
        deadline_ms = timeout * 1000
        waited = 0
        while not all(n in self.text(since) for n in needles):
            missing = [n for n in needles if n not in self.text(since)]
            assert waited < deadline_ms, f"the terminal stream never showed {missing}"
            self.page.wait_for_timeout(200)
            waited += 200

    def press(self, key: str) -> int:
        """Press a key in the terminal; returns the stream position before it, to search after."""
        mark = len(self.frames)
        self.page.focus(".xterm-helper-textarea")  # xterm.js's input; a click would be a mouse event for the app
        self.page.keyboard.press(key)
        return mark

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def new_viewer(browser):
    """Viewers in fresh browser contexts (own cookies); closed at the end of the test."""
    contexts = []

    def make(url: str) -> Viewer:
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        return Viewer(context, url)

    yield make
    for context in contexts:
        context.close()


def session_pids(served) -> list[int]:
    return [s["pid"] for s in served.status()["sessions"] if s["pid"]]


def wait_sessions(served, count: int, timeout: float = TIMEOUT_S) -> list[int]:
    wait_until(lambda: len(session_pids(served)) == count, timeout, f"{count} console session(s)")
    return session_pids(served)
