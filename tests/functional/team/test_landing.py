"""An alert's link lands where it says (issue 26): `nba-console --date D --check ID --drill` opens
the TUI in that drill-down (or focused on the panel without `--drill`), and the served
console's `?date=…&check=…&drill=1` starts each viewer's console with the same arguments."""

from __future__ import annotations

import ast
import asyncio
import sys

import pytest
from aiohttp.test_utils import TestClient, TestServer

from console.cli import main
from console.tui.screens.detail_screen import DetailScreen
from console.tui.serve import ConsoleServer, ServeOptions, landing_argv
from console.tui.widgets.check_panel import CheckPanel
from tests.functional.conftest import FEB3, SIZE, settle, until


async def test_the_command_of_an_alert_lands_in_the_drill_down(make_app):
    app = make_app(FEB3, land_check="usage_rate_coverage", land_drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), timeout=20)
        assert app.screen.spec.id == "usage_rate_coverage" and app.game_date == FEB3
        await pilot.press("escape")  # back on the main screen, on that panel
        await until(pilot, lambda: not isinstance(app.screen, DetailScreen))
        assert isinstance(app.focused, CheckPanel) and app.focused.check_id == "usage_rate_coverage"


async def test_without_drill_the_panel_has_the_focus(make_app):
    app = make_app(FEB3, land_check="dnp_pollution")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, DetailScreen)
        assert isinstance(app.focused, CheckPanel) and app.focused.check_id == "dnp_pollution"


@pytest.mark.parametrize(
    ("argv", "says"),
    [(["--drill"], "--drill needs --check"), (["--check", "nope"], "unknown check id 'nope'")],
)
def test_a_bad_landing_is_refused_in_one_line(argv, says, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own refusal of a bad id
        code = exc.code
    assert code == 2 and says in capsys.readouterr().err


@pytest.mark.parametrize(
    ("match", "argv"),
    [
        (
            {"date": "2026-02-03", "check": "usage_rate_coverage", "drill": "1"},
            ["--date", "2026-02-03", "--check", "usage_rate_coverage", "--drill"],
        ),
        ({"date": "-", "check": "dnp_pollution", "drill": "0"}, ["--check", "dnp_pollution"]),
        ({"date": "2026-13-45", "check": "x;rm -rf /", "drill": "1"}, []),
        ({"date": "--read-only=false", "check": "--allow-playbooks", "drill": "1"}, []),
        ({}, []),
    ],
)
def test_the_landing_path_is_validated_before_it_reaches_argv(match, argv):
    assert landing_argv(match) == argv


async def test_a_served_link_starts_the_viewers_console_there(tmp_path):
    seen = tmp_path / "argv"
    stand_in = [
        sys.executable,
        "-c",
        f"import sys, time; open({str(seen)!r}, 'w').write(repr(sys.argv[1:])); time.sleep(60)",
    ]
    server = ConsoleServer(ServeOptions(host="127.0.0.1", port=0, argv=stand_in, quit_grace_s=0.5))
    client = TestClient(TestServer(await server.make_app()))
    await client.start_server()
    try:
        page = await (await client.get("/?date=2026-02-03&check=usage_rate_coverage&drill=1")).text()
        url = f"ws://{client.host}:{client.port}/ws/at/2026-02-03/usage_rate_coverage/1"
        assert f'data-session-websocket-url="{url}"' in page
        plain = await (await client.get("/")).text()
        assert f'data-session-websocket-url="ws://{client.host}:{client.port}/ws"' in plain
        ws = await client.ws_connect("/ws/at/2026-02-03/usage_rate_coverage/1?width=80&height=24")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while not (seen.exists() and seen.read_text()):
            assert loop.time() < deadline, "the console was not started"
            await asyncio.sleep(0.05)
        assert ast.literal_eval(seen.read_text()) == [
            "--date",
            "2026-02-03",
            "--check",
            "usage_rate_coverage",
            "--drill",
        ]
        await ws.close()
    finally:
        await client.close()


async def test_in_one_column_the_landed_panel_is_on_screen(make_app):
    app = make_app(FEB3, land_check="usage_rate_coverage")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause()
        panel = app.screen.query_one("#panel-usage_rate_coverage")
        assert app.focused is panel
        assert 0 <= panel.region.y < 24 and panel.region.height > 0  # scrolled to, not below the fold


async def test_a_served_link_without_colour_lands_there_and_has_no_colour(tmp_path):
    """Issue 26's landing and issue 28's `?no_color` together: `/ws-no-color/at/DATE/CHECK/1`
    starts the viewer's console with the landing's arguments and NO_COLOR=1."""
    seen = tmp_path / "seen"
    stand_in = [
        sys.executable,
        "-c",
        "import os, sys, time; "
        f"open({str(seen)!r}, 'w').write(repr((sys.argv[1:], os.environ.get('NO_COLOR', '-')))); time.sleep(60)",
    ]
    server = ConsoleServer(ServeOptions(host="127.0.0.1", port=0, argv=stand_in, quit_grace_s=0.5))
    client = TestClient(TestServer(await server.make_app()))
    await client.start_server()
    try:
        page = await (await client.get("/?date=2026-02-03&check=usage_rate_coverage&drill=1&no_color")).text()
        path = "/ws-no-color/at/2026-02-03/usage_rate_coverage/1"
        assert f'data-session-websocket-url="ws://{client.host}:{client.port}{path}"' in page
        ws = await client.ws_connect(f"{path}?width=80&height=24")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while not (seen.exists() and seen.read_text()):
            assert loop.time() < deadline, "the console was not started"
            await asyncio.sleep(0.05)
        argv, no_color = ast.literal_eval(seen.read_text())
        assert argv == ["--date", "2026-02-03", "--check", "usage_rate_coverage", "--drill"]
        assert no_color == "1"
        await ws.close()
    finally:
        await client.close()
