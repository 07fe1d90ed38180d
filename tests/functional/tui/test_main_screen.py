"""The main screen and the app shell (issue 14b): modes in the header, the responsive grid,
the footer's essential keys, dates (g, t, [ ] at the data's edges), one-off refreshes, alerts
told once, the theme remembered."""

from __future__ import annotations

import string
from datetime import UTC, date, timedelta

import pytest
from textual.geometry import Region
from textual.widgets import Input, Static

from console.backends.local_backend import LocalBackend
from console.core.clock import DEMO_END, ReplayClock
from console.core.errors import ErrorKind, SourceError
from console.services import ui_state
from console.tui.messages import PlaybookFinished
from console.tui.screens.goto_modal import GotoDateModal
from console.tui.widgets.check_panel import CheckPanel
from console.tui.widgets.console_footer import ConsoleFooter
from console.tui.widgets.metrics_view import MetricsView
from tests.functional.conftest import FEB3, FEB4, settle, until

FIRST = date(2026, 1, 18)  # the demo's first game date


def shown(widget) -> str:
    """The lines the widget draws on screen (border included), as text."""
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, *widget.size)))


def header(app) -> str:
    return shown(app.screen.query_one("#header", Static))


class FlakyBackend(LocalBackend):
    """The demo until `failing` is set; then every SQL query fails."""

    failing = False

    def run_query(self, name, params):
        if FlakyBackend.failing and name != "game_date_range":
            raise SourceError(ErrorKind.UNAVAILABLE, f"{name}: backend unavailable (test)")
        return super().run_query(name, params)


# ---------------------------------------------------------------- mode in the header


@pytest.mark.slow
async def test_header_says_frozen_read_only_paused_and_stale(make_app, demo_settings):
    FlakyBackend.failing = False
    read_only = demo_settings.model_copy(update={"read_only": True})
    app = make_app(FEB4, settings=read_only, backend_factory=FlakyBackend)
    try:
        async with app.run_test(size=(200, 50)) as pilot:
            await settle(pilot)
            text = header(app)
            assert "READ-ONLY" in text and "FROZEN AT 11:00" in text and "every 1m" in text
            assert "PAUSED" not in text and "STALE" not in text
            await pilot.press("p")
            FlakyBackend.failing = True
            await pilot.press("r")  # once, while paused: the SQL checks fail and keep their values
            await settle(pilot)
            text = header(app)
            assert "PAUSED" in text and "refresh paused (r: once)" in text
            stale = sum(s.display_status == "stale" for s in app.states.values())
            assert stale >= 3 and f"{stale} STALE" in text and f"{stale} stale" in text  # badge, status count
    finally:
        FlakyBackend.failing = False


async def test_replay_header_and_e_leaves_the_footer_at_the_end(make_app, demo_settings):
    fast = demo_settings.model_copy(update={"refresh_seconds": 2.0})
    clock = ReplayClock(DEMO_END - timedelta(hours=1), speed=1.0, end=DEMO_END)
    app = make_app(FEB4, clock=clock, settings=fast)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        text = header(app)
        assert "REPLAY 1x" in text and "(replay)" in text and "ENDED" not in text
        assert "e" in app.screen.active_bindings
        assert any(k.key == "e" for k in app.screen.query_one(ConsoleFooter).keys)
        clock.jump_to_end()  # the replay reaches 11:00 by itself (not through the `e` action)
        await until(pilot, lambda: "ENDED" in header(app))
        await pilot.pause(0.2)
        assert "e" not in app.screen.active_bindings
        assert not any(k.key == "e" for k in app.screen.query_one(ConsoleFooter).keys)


async def test_replay_ages_and_refresh_period_are_in_replay_time(make_app, demo_settings):
    fast = demo_settings.model_copy(update={"refresh_seconds": 2.0})
    clock = ReplayClock(DEMO_END - timedelta(hours=1), speed=60.0, end=DEMO_END)
    app = make_app(FEB4, clock=clock, settings=fast)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        assert "refresh every 2m of replay" in header(app)  # 2 s of wall time are 2 min of the morning


async def test_redraw_leaves_an_unchanged_header_alone(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        header = app.screen.query_one("#header", Static)
        updates = []
        original = header.update
        header.update = lambda *a, **k: (updates.append(a), original(*a, **k))[1]
        app.screen.redraw()  # a FixedClock: the same text as the last redraw
        assert updates == []
        app.clock.advance(timedelta(minutes=1))  # the header's clock moves: drawn again
        app.screen.redraw()
        assert len(updates) == 1


# ---------------------------------------------------------------- responsive layout


@pytest.mark.parametrize(
    ("size", "layout"),
    [((80, 24), "-compact"), ((100, 30), "-compact"), ((120, 40), "-two-columns"), ((200, 50), "-three-columns")],
)
async def test_layout_follows_the_width_and_nothing_essential_is_cut(make_app, demo_settings, size, layout):
    read_only = demo_settings.model_copy(update={"read_only": True})
    app = make_app(FEB4, settings=read_only)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.has_class(layout)
        text = header(app)
        for essential in ("NBA console", "READ-ONLY", "FROZEN AT 11:00", "games 2026-02-04", "1 fail"):
            assert essential in text
        assert all(len(line.rstrip()) <= size[0] - 2 for line in text.splitlines())
        footer = screen.query_one(ConsoleFooter)
        assert [k.key for k in footer.keys[:4]] == ["question_mark", "q", "l", "P"]
        line = footer.render_line(0).text  # the essential keys are drawn, within the width
        assert len(line) == size[0] and " ".join(line.split()).startswith("? Keys q Quit l Logs P Playbooks h History")
        timeline = screen.query_one("#timeline")
        assert timeline.styles.border_top[0] and timeline.region.height >= 4  # it keeps its border
        metrics = shown(screen.query_one(MetricsView))
        assert "Games processed" in metrics and "Predictions graded" in metrics  # labels never "process…"


async def test_compact_shows_all_six_and_the_focused_ones_body_and_a_short_panel_says_what_it_hides(make_app):
    app = make_app(FEB3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        for panel in screen.query(CheckPanel):  # all six on the screen, none scrolled away
            assert panel.region.height == 2 and panel.region.bottom <= 23, panel.check_id
        preview = screen.query_one("#preview")
        assert str(preview.border_title).startswith("Phase 3 completion")
        for _ in range(5):  # down moves through the list; the preview follows the focus
            await pilot.press("down")
        await pilot.pause()
        assert app.focused.id == "panel-deployment_drift"
        assert str(preview.border_title).startswith("Deployment drift")
        assert "nba-scrapers" in shown(preview)
    app = make_app(FEB3)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        subtitles = [str(p.border_subtitle) for p in app.screen.query(".panel")]
        assert any("more (enter)" in s for s in subtitles)


async def test_help_header_keeps_its_brackets(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        # The border as drawn (the screenshot's text): "[keys]" is not taken for markup.
        drawn = app.export_screenshot().replace("&#160;", " ")
        assert "the id for [keys]" in drawn


# ---------------------------------------------------------------- dates


@pytest.mark.slow
async def test_g_goes_to_a_date_and_explains_what_it_cannot(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.dates.range is not None and app.dates.range.first == FIRST
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GotoDateModal)
        # Typing never runs a binding (q would quit, p pause, r refresh, [ change the date).
        await pilot.press(*[c for c in "qprlPh[]et?" if c], "enter")
        assert isinstance(app.screen, GotoDateModal) and not app.paused and app.game_date == FEB4
        assert "is not a date" in shown(app.screen.query_one("#goto-error", Static))
        app.screen.query_one(Input).value = "2025-12-01"
        await pilot.press("enter")
        assert "no data before 2026-01-18" in shown(app.screen.query_one("#goto-error", Static))
        app.screen.query_one(Input).value = "-1"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, GotoDateModal) and app.game_date == FEB3
        assert app.states["usage_rate_coverage"].result.value.impossible == 19
        await pilot.press("g", "escape")
        assert app.game_date == FEB3
        await pilot.press("t")  # back to the default date
        await settle(pilot)
        assert app.game_date == FEB4


@pytest.mark.slow
async def test_brackets_stop_at_the_data_range(make_recording_app):
    app = make_recording_app(FIRST + timedelta(days=1))
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.game_date == FIRST
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app.game_date == FIRST
        assert any(n.message == "no data before 2026-01-18" for n in app.told)
    app = make_recording_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.game_date == FEB4
        assert any(n.message == "no data after 2026-02-04" for n in app.told)


async def test_a_date_change_while_paused_still_loads_the_new_date(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("p", "left_square_bracket")
        await settle(pilot)
        assert app.paused and app.game_date == FEB3
        assert app.states["dnp_pollution"].result.value.game_date_dnp_rows > 0


# ---------------------------------------------------------------- refresh after a playbook


async def test_a_finished_playbook_refreshes_its_panels_at_once(make_app, clock):
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("p")  # even paused
        before = {k: s.refreshed_at for k, s in app.states.items()}
        clock.advance(timedelta(minutes=3))
        message = PlaybookFinished.for_playbook("redeploy-service")
        assert set(message.affected_check_ids) == {"deployment_drift", "dnp_pollution"}
        app.screen.post_message(message)  # as the playbooks screen does, from its screen
        await until(pilot, lambda: app.states["deployment_drift"].refreshed_at != before["deployment_drift"])
        await settle(pilot)
        for check_id, state in app.states.items():
            moved = state.refreshed_at == before[check_id] + timedelta(minutes=3)
            assert moved is (check_id in message.affected_check_ids), check_id


# ---------------------------------------------------------------- notifications, theme


@pytest.mark.slow
async def test_violation_alerts_are_told_once_not_on_every_visit(make_recording_app):
    app = make_recording_app(FEB3)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: any("Sequential violation" in n.message for n in app.told))
        await pilot.pause(0.5)
        told = [n.message for n in app.told if "Sequential violation" in n.message]
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        await until(pilot, lambda: app.states["sequential_execution"].result.status.value == "fail")
        await pilot.pause(0.5)
        assert [n.message for n in app.told if "Sequential violation" in n.message] == told


async def test_the_chosen_theme_is_remembered(make_app, demo_settings):
    app = make_app(FEB4)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not ui_state.state_path(demo_settings).exists()  # the startup theme is no choice
        app.theme = "nord"
        await until(pilot, lambda: ui_state.load(demo_settings).theme == "nord")
    app = make_app(FEB4)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"


async def test_an_unreadable_state_file_is_a_note_not_a_crash(make_recording_app, demo_settings):
    path = ui_state.state_path(demo_settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00{garbage")
    app = make_recording_app(FEB4)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: any("ignored" in n.message and str(path) in n.message for n in app.told))
        await settle(pilot)
        assert app.theme == demo_settings.tui.theme


def test_every_printable_character_is_plain_text_in_the_goto_input():
    # The modal's own keys are escape only: nothing printable is bound there.
    bound = {b.key for b in GotoDateModal.BINDINGS}
    assert not bound & set(string.printable)


# ---------------------------------------------------------------- freshness


@pytest.mark.slow
async def test_each_panel_says_how_old_its_data_is(make_app):
    from datetime import datetime

    from console.core.clock import FixedClock

    at = datetime(2026, 2, 5, 14, 30, tzinfo=UTC)  # 09:30 ET on the demo morning
    app = make_app(FEB4, clock=FixedClock(at))
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: app.states["sequential_execution"].result.data_at is not None)
        app.redraw()
        await pilot.pause()
        expected = {  # newest completion, Level line, graded_at, cache row, processed_at (ET)
            "phase3_completion": "data 07:50, 1h 40m old",
            "sequential_execution": "data 07:47",
            "grading_coverage": "data 08:17",
            "dnp_pollution": "data 08:40, 50m old",
            "usage_rate_coverage": "data 07:54",
        }
        for check_id, text in expected.items():
            data_at = app.states[check_id].result.data_at
            assert data_at is not None and data_at <= at, check_id
            assert text in shown(app.screen.query_one(f"#panel-{check_id}")), check_id
        assert app.states["deployment_drift"].result.data_at is None  # read live: its age is the refresh's
        assert " data " not in shown(app.screen.query_one("#panel-deployment_drift")).split("\n")[1]
