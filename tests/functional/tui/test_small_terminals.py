"""The console on a laptop or a phone's SSH client (issue 28): at 80x24 and 100x30 the verdict
comes first, the rows of a drill-down are never squeezed out, the key that matters now is in
the footer, one escape leads home, and nothing needs colour."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Button, Static

from console.core.clock import DEMO_END, FixedClock, ReplayClock
from console.core.errors import ErrorKind, SourceError
from console.services.runner import SPECS
from console.tui.screens.detail_screen import DetailScreen
from console.tui.screens.main_screen import MainScreen
from console.tui.themes import COLORBLIND, COLORBLIND_ANSI
from console.tui.widgets.check_panel import CheckPanel
from console.tui.widgets.console_footer import ConsoleFooter
from console.tui.widgets.rows_table import RowsTable
from tests.functional.conftest import FEB3, FEB4, settle, settle_detail, until
from tests.helpers.snapshots import SilentLogs

SMALL = [(80, 24), (100, 30)]
FEB3_10AM = DEMO_END - timedelta(days=1, hours=1)  # Feb 4 10:00 ET: Feb 3's morning
DEMO_0655 = DEMO_END - timedelta(hours=4, minutes=5)  # Feb 5 06:55 ET


def _footer_line(screen) -> str:
    return " ".join(screen.query_one(ConsoleFooter).render_line(0).text.split())


def _header(app) -> str:
    return str(app.screen.query_one("#header", Static).render())


@pytest.fixture
def quiet_app(make_app):
    def make(game_date, **kwargs):
        kwargs.setdefault("log_source_factory", lambda *a, **k: SilentLogs())
        return make_app(game_date, **kwargs)

    return make


@pytest.mark.parametrize("size", SMALL, ids=["80x24", "100x30"])
async def test_all_six_statuses_are_on_one_screen_and_the_header_names_what_fails(quiet_app, size):
    app = quiet_app(FEB3, clock=FixedClock(FEB3_10AM))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        panels = list(app.screen.query(CheckPanel))
        assert len(panels) == 6
        for panel in panels:  # every check's status, number and verdict, none scrolled off
            assert panel.region.bottom <= size[1] - 1, panel.check_id
            status = panel.state.display_status
            assert panel.render_line(0).text.lstrip().startswith({"ok": "✓ ok", "fail": "✗ FAIL"}[status])
            assert panel.render_line(1).text.strip(), panel.check_id  # the verdict's first clause
        assert [p.state.display_status for p in panels].count("fail") == 4
        header = _header(app)
        assert "FAIL sequence, dnp, usage, drift" in header
        assert all(len(line) <= size[0] - 2 for line in header.splitlines())


async def test_on_the_demo_at_0655_the_header_says_drift_fails_and_why(quiet_app):
    app = quiet_app(FEB4, clock=FixedClock(DEMO_0655))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "FAIL drift: nba-scrapers 49 commits / 13.4 days behind" in _header(app)


@pytest.mark.slow
@pytest.mark.parametrize("game_date", [FEB3, FEB4], ids=["feb3", "feb4"])
async def test_every_drill_down_at_80x24_keeps_half_the_height_for_its_rows(quiet_app, game_date):
    app = quiet_app(game_date)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for spec in SPECS:
            app.open_detail(spec.id)
            await settle_detail(pilot)
            screen = app.screen
            assert isinstance(screen, DetailScreen)
            body, rows = screen.query_one("#detail-body"), screen.query_one("#rows", RowsTable)
            assert rows.region.height * 2 >= body.region.height, (spec.id, rows.region, body.region)
            if screen.rows:  # the rows are there to see: the header and at least one row
                assert rows.region.height >= min(len(screen.rows) + 1, 3), spec.id
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, MainScreen))


async def test_the_usage_drill_down_of_a_date_nobody_played_says_so(quiet_app):
    app = quiet_app(FEB4, clock=FixedClock(DEMO_0655))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_detail("usage_rate_coverage")
        await settle_detail(pilot)
        title = str(app.screen.query_one("#rows-title", Static).render())
        assert "no active players" in title and "every player who played" not in title


async def test_tab_from_the_search_lands_on_a_table_and_row_n_follows_n(quiet_app):
    app = quiet_app(FEB3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_detail("dnp_pollution")
        await settle_detail(pilot)
        await pilot.press("slash", *"2026-02-02")
        await pilot.press("tab")
        rows = app.screen.query_one("#rows", RowsTable)
        assert app.focused is rows and rows.region.height > 0  # the rows searched: n, o and c act there
        await pilot.press("n")
        await pilot.pause()
        title = str(app.screen.query_one("#rows-title", Static).render())
        assert f"row {rows.cursor_row + 1};" in title


@pytest.mark.parametrize("size", SMALL, ids=["80x24", "100x30"])
async def test_e_leads_the_footer_while_the_demo_replays(quiet_app, demo_settings, size):
    clock = ReplayClock(DEMO_END - timedelta(hours=1), speed=1.0, end=DEMO_END)
    app = quiet_app(FEB4, clock=clock)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert _footer_line(app.screen).startswith("e End")


@pytest.mark.parametrize("size", SMALL, ids=["80x24", "100x30"])
async def test_r_leads_the_footer_when_a_panel_is_stale_and_p_says_resume_while_paused(quiet_app, size):
    app = quiet_app(FEB4)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert _footer_line(app.screen).startswith("? Keys q Quit")
        await pilot.press("p")
        await pilot.pause()
        assert _footer_line(app.screen).startswith("r Refresh")
        keys = app.screen.query_one(ConsoleFooter).keys
        assert any(k.key == "p" and k.description == "Resume refresh" for k in keys)
        await pilot.press("p")
        error = SourceError(ErrorKind.UNAVAILABLE, "503 from the source")
        from console.core.models import CheckResult, Status

        failed = CheckResult(
            id="grading_coverage", title="Grading coverage", status=Status.ERROR, summary=str(error), error=str(error)
        )
        app.update_result("grading_coverage", failed, FEB4)  # a good value, then a failed refresh: stale
        await until(pilot, lambda: app.states["grading_coverage"].display_status == "stale")
        await pilot.pause()
        assert _footer_line(app.screen).startswith("r Refresh")


async def test_escape_leads_the_footer_of_any_other_screen(quiet_app):
    app = quiet_app(FEB3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("enter", "h", "P"):
            await pilot.press(key)
            await pilot.pause(0.3)
            assert _footer_line(app.screen).startswith("esc "), (key, _footer_line(app.screen))
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, MainScreen))


async def test_one_escape_leads_home_from_any_top_level_screen(quiet_app):
    app = quiet_app(FEB3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("h", "l", "h", "P", "h", "question_mark", "l"):
            await pilot.press(key)
            await pilot.pause(0.3)
            assert len(app.screen_stack) == 2, [type(s).__name__ for s in app.screen_stack]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert len(app.screen_stack) == 1
        await pilot.press("enter", "h")  # from a drill-down too
        await pilot.pause(0.3)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))


async def test_p_on_a_healthy_panel_preselects_no_playbook(quiet_app):
    from console.tui.screens.playbooks_screen import PlaybooksScreen

    app = quiet_app(FEB4)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.states[app.focused.check_id].display_status == "ok"
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        await pilot.pause()
        screen = app.screen
        assert screen.current is None and screen.query_one("#books").highlighted is None
        assert "pick a playbook" in str(screen.query_one("#plan", Static).render())
        await pilot.press("r")  # nothing chosen: nothing runs
        await pilot.pause()
        assert not screen.running


async def test_read_only_run_button_says_it_cannot_run(quiet_app, demo_settings):
    from console.tui.screens.playbooks_screen import PlaybooksScreen

    app = quiet_app(FEB3, settings=demo_settings.model_copy(update={"read_only": True}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        button = app.screen.query_one("#run", Button)
        assert button.disabled and "read-only" in str(button.label) and button.variant == "default"


async def test_the_log_screen_shows_the_analytics_service_whole(quiet_app, demo_settings):
    from console.tui.screens.logs_screen import LogsScreen
    from console.tui.widgets.log_view import LogView

    app = quiet_app(FEB4)
    app.log_source_factory = lambda *a, **k: _demo_logs(demo_settings)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LogsScreen))
        view = app.screen.query_one(LogView)
        await until(pilot, lambda: view.buffer.shown_count > 0)
        lines = [view.render_line(y).text for y in range(min(view.size.height, view.buffer.shown_count))]
        assert any("nba-phase3-analytics-processors " in line for line in lines)


def _demo_logs(settings):
    from console.backends.log_stream import open_log_source

    return open_log_source(settings, FixedClock(DEMO_END))


async def test_the_colour_blind_theme_maps_green_and_red_to_blue_and_orange(quiet_app):
    app = quiet_app(FEB4)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        default = app.ansi_theme_dark
        assert COLORBLIND in app.available_themes
        app.theme = COLORBLIND
        await pilot.pause()
        assert app.ansi_theme_dark is COLORBLIND_ANSI
        assert COLORBLIND_ANSI.ansi_colors[2].hex == "#56b4e9" and COLORBLIND_ANSI.ansi_colors[1].hex == "#e69f00"
        app.theme = "textual-dark"
        await pilot.pause()
        assert app.ansi_theme_dark is default


async def test_no_color_draws_without_colour_and_every_status_still_reads(quiet_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = quiet_app(FEB3, clock=FixedClock(FEB3_10AM))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.no_color
        for panel in app.screen.query(CheckPanel):
            status = panel.state.display_status
            word = {"ok": "✓ ok", "fail": "✗ FAIL"}[status]
            assert word in panel.render_line(0).text, panel.check_id
