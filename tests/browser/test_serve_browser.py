"""`nba-console serve` in Debian's chromium: what a viewer on the incident call sees and can do."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import ARTIFACTS, wait_sessions
from tests.helpers.serve_helpers import pid_alive, wait_until


@pytest.fixture(autouse=True)
def _no_leftover_sessions(served):
    """Each test starts with no viewer: the previous test's pages have ended their consoles."""
    wait_sessions(served, 0)


def test_page_shows_the_feb4_morning_read_only_and_saves_a_screenshot(served, new_viewer):
    viewer = new_viewer(served.url())
    assert viewer.response.status == 200
    assert "token=" not in viewer.page.url  # swapped for an HttpOnly cookie: out of the address bar
    viewer.wait_for_text(" WEB ", " READ-ONLY ", "759", "743/759 graded (97.9%)", "nba-scrapers", "2de48c04")
    viewer.page.wait_for_function("document.body.classList.contains('-first-byte')")
    shot = viewer.screenshot("serve-console.png")
    assert shot.stat().st_size > 10_000 and shot.parent == ARTIFACTS


def test_keys_reach_the_console_and_playbooks_are_refused(served, new_viewer):
    viewer = new_viewer(served.url())
    viewer.wait_for_text("759", "nba-scrapers")
    mark = viewer.press("[")  # previous game date: Feb 3, the usage-rate failure
    viewer.wait_for_text("2026-02-03", "87.1", since=mark)
    mark = viewer.press("P")
    viewer.wait_for_text("READ-ONLY: playbooks can be shown but not run", since=mark)
    mark = viewer.press("r")  # try to run the suggested playbook anyway
    viewer.wait_for_text("read-only mode: playbooks cannot be run", since=mark)
    viewer.screenshot("serve-playbooks-read-only.png")
    assert not (served.out_path.parent / "state" / "audit.jsonl").exists()  # nothing ran, nothing audited


def test_requests_without_the_token_are_refused(served, new_viewer):
    viewer = new_viewer(served.url(with_token=False))
    assert viewer.response.status == 401
    assert viewer.frames == []  # no websocket, no console
    for path, headers in [
        ("/", {}),
        ("/static/js/textual.js", {}),
        ("/status", {}),
        ("/", {"Cookie": "nba_console_token=wrong"}),
        ("/?token=wrong", {}),
        (
            "/ws",
            {
                "Connection": "Upgrade",
                "Upgrade": "websocket",
                "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            },
        ),
    ]:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(served.base + path, headers=headers), timeout=10)
        assert refused.value.code == 401, path
    assert session_count(served) == 0
    # Printed once for the operator; never in a log line (the access log drops query strings).
    assert served.output().count(served.token) == 1


def test_two_browsers_get_two_consoles_and_closing_a_page_ends_its_console(served, new_viewer):
    first, second = new_viewer(served.url()), new_viewer(served.url())
    first.wait_for_text("759")
    second.wait_for_text("759")
    pids = wait_sessions(served, 2)
    assert len(set(pids)) == 2 and all(pid_alive(p) for p in pids)
    first.page.close()
    wait_until(lambda: sum(pid_alive(p) for p in pids) == 1, 30, "the closed page's console to end")
    [remaining] = wait_sessions(served, 1)
    assert remaining in pids and pid_alive(remaining)
    mark = second.press("[")  # the console left is the open page's: it still answers
    second.wait_for_text("87.1", since=mark)


def session_count(served) -> int:
    return len(served.status()["sessions"])
