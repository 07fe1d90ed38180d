"""Pilot tests: the console on the demo, navigating dates, drill-downs, help and SQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from console.services.runner import SPEC_BY_ID, SPECS, CheckContext, run_all
from console.services.timeline import criteria
from console.tui.screens.detail_screen import DetailScreen
from console.tui.screens.help_screen import HelpScreen, binding_rows
from console.tui.screens.main_screen import MainScreen
from console.tui.screens.sql_modal import SqlModal
from console.tui.widgets.check_panel import CheckPanel
from tests.functional.conftest import FEB3, FEB4, SIZE, settle, settle_detail, until, wait_finite
from tests.helpers.snapshots import SilentLogs


def _text(widget) -> str:
    return "\n".join(line.text for line in widget.render_lines(widget.region.reset_offset))


def _panel_text(app, check_id: str) -> str:
    return _text(app.screen.query_one(f"#panel-{check_id}", CheckPanel))


def _expected(demo_backend, demo_settings, game_date, clock):
    return run_all(demo_backend, CheckContext(demo_settings, game_date, clock.now()))


async def test_opens_on_latest_demo_date_with_every_panel_populated(make_app, demo_backend, demo_settings, clock):
    app = make_app()  # no date: the latest game date in the local data
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.game_date == FEB4
        report = _expected(demo_backend, demo_settings, FEB4, clock)
        for check in report.checks:
            state = app.states[check.id]
            assert state.display_status == check.status.value
            assert check.summary.split(";")[0] in _panel_text(app, check.id).replace("\n", " ") or state.result == check
            assert state.result.value_json() == check.value_json()  # sequential: the live trace's own value
        assert "refreshed 0s ago" in str(app.screen.query_one("#panel-grading_coverage", CheckPanel).border_subtitle)
        # Feb 4 verdicts: every success criterion of the morning is ticked.
        assert all(c.met for c in criteria(app.results, demo_settings, FEB4))


async def test_brackets_change_the_game_date(make_app, demo_backend, demo_settings, clock):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.game_date == FEB3
        report = _expected(demo_backend, demo_settings, FEB3, clock)
        assert {c.id: c.status.value for c in report.checks} == {k: s.display_status for k, s in app.states.items()}
        assert "PHX @ POR" in _panel_text(app, "usage_rate_coverage")
        assert "violation" in _panel_text(app, "sequential_execution")
        assert "Anthony Davis" in _panel_text(app, "dnp_pollution")
        header = _text(app.screen.query_one("#header"))
        assert "2026-02-03" in header and "2026-02-04" in header  # game date and processing date
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.game_date == FEB4


async def test_enter_opens_the_drill_down_and_escape_goes_back(make_app, demo_backend, demo_settings, clock):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#panel-dnp_pollution", CheckPanel).focus()
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        await settle_detail(pilot)
        ctx = CheckContext(demo_settings, FEB3, clock.now())
        expected = SPEC_BY_ID["dnp_pollution"].drill(demo_backend, ctx)
        table = app.screen.query_one("#rows")
        assert table.row_count == len(expected) == app.states["dnp_pollution"].result.value.dnp_rows
        # The DNP rows name no service or commit: no redeploy with placeholders, and why.
        assert "no playbook suggested" in _text(app.screen.query_one("#detail-playbooks"))
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_drill_down_rows_sort_by_column(make_app):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_detail("usage_rate_coverage")
        await settle_detail(pilot)
        table = app.screen.query_one("#rows")
        table.sort_by("usage_rate")
        values = [r["usage_rate"] for r in table.rows_data if r["usage_rate"] is not None]
        assert values == sorted(values)
        assert table.rows_data[-1]["usage_rate"] is None  # missing values sort last
        table.sort_by("usage_rate")
        values = [r["usage_rate"] for r in table.rows_data if r["usage_rate"] is not None]
        assert values == sorted(values, reverse=True)
        assert sum(r["game"] == "PHX @ POR" for r in table.rows_data) == 20


@pytest.mark.slow
async def test_every_check_has_a_drill_down(make_app, demo_backend, demo_settings, clock):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for spec in SPECS:
            app.open_detail(spec.id)
            await settle_detail(pilot)
            assert app.screen.query_one("#rows").row_count == len(spec.drill(demo_backend, app.screen.ctx))
            await pilot.press("escape")


@pytest.mark.slow
async def test_sql_on_demand_shows_the_backend_text(make_app, demo_backend):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_detail("grading_coverage")
        await settle_detail(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, SqlModal)
        await wait_finite(app)
        await pilot.pause()
        text = _text(app.screen.query_one("#sql-text"))
        assert "queries/grading_coverage.sql" in text and "queries/ungraded_predictions.sql" in text
        first_line = demo_backend.query_text("grading_coverage").strip().splitlines()[0].strip()
        assert first_line.split()[0] in text
        await pilot.press("escape")
        assert isinstance(app.screen, DetailScreen)


async def test_a_check_due_while_a_modal_is_open_runs_when_it_closes_not_before(make_app, clock, timers):
    app = make_app(FEB4, timers=timers)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = {k: s.refreshed_at for k, s in app.states.items()}
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        clock.advance(timedelta(minutes=1))
        assert timers.fire() == len(SPECS)  # the refresh period passed while the modal was open
        await settle(pilot)
        assert {k: s.refreshed_at for k, s in app.states.items()} == before  # held: the user is reading
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await settle(pilot)
        assert all(s.refreshed_at == before[k] + timedelta(minutes=1) for k, s in app.states.items())
        assert timers.fire() == len(SPECS)  # run once, then timed again as usual


@pytest.mark.slow
async def test_question_mark_lists_every_key(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {row[3] for row in binding_rows(app)}
        assert {
            "refresh",
            "pause",
            "prev_date",
            "next_date",
            "help",
            "open_detail",
            "show_sql",
            "back",
            "playbooks",
            "logs",
        } <= ids
        # The sub-screens' keys are discoverable from the same place, each under what it is.
        rows = binding_rows(app)
        keys_of = {(r[0], r[1]) for r in rows}
        assert ("Logs (l)", "/") in keys_of and ("Logs (l)", "space") in keys_of
        assert ("Logs: the list of entries", "⏎") in keys_of
        assert ("Playbook run: confirming a step's command", "y", "Yes, run it", "confirm_yes") in rows
        # Issue 28: the history screen's keys, go-to-date, and the three playbook modals told apart.
        history = {r[1] for r in rows if r[0] == "History (h)"}
        assert {"[", "]", "r", "esc", "enter"} <= history
        assert ("Main screen", "g", "Go to date", "goto_date") in rows
        assert any(r[0] == "Go to a date (g)" and r[1] == "enter" for r in rows)
        retry = [r[0] for r in rows if r[2] == "Retry"]
        assert retry == ["Playbook run: after a step failed"]
        # Issue 27's log tools and issue 26's team keys, found by their HELP_SECTION like the rest.
        ids_of = {(r[0], r[3]) for r in rows}
        assert {
            ("Main screen", "acknowledge"),
            ("Main screen", "note"),
            ("Acknowledging or noting a check (a, n)", "close_team"),
            ("Logs: the volume strip", "histogram_jump"),
            ("Logs: the SQL prompt (;)", "log_sql_example"),
            ("Logs: the saved filters", "delete_saved_filter"),
            ("Logs: opening exported files", "close_open_files"),
            ("Logs (l)", "logs_sql"),
        } <= ids_of
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@pytest.mark.slow
async def test_keys_are_remappable_from_the_config(demo_settings, make_app, clock):
    settings = demo_settings.model_copy(update={"keys": {"prev_date": "comma"}})
    app = make_app(FEB4, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)
        assert app.game_date == FEB3
        assert ("Main screen", ",", "Prev day", "prev_date") in binding_rows(app)


@pytest.mark.slow
async def test_command_palette_opens_a_detail_screen(make_app):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Open DNP pollution details")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.spec.id == "dnp_pollution"


async def test_P_opens_the_playbooks_with_the_check_suggestion(make_app):  # noqa: N802 - P is the key (shift+p)
    from console.tui.screens.playbooks_screen import PlaybooksScreen

    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#panel-dnp_pollution", CheckPanel).focus()
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, PlaybooksScreen)
        # The DNP rows do not fill redeploy-service's parameters: no suggestion, and why.
        why = _text(app.screen.query_one("#why")).strip()
        assert why.startswith("DNP pollution: no playbook suggested (the DNP rows name no service")


async def test_playbooks_with_a_backend_that_blocks_open_at_once_and_keys_answer(make_app):
    """The playbooks screen gets a backend provider and calls it in its workers: opening the
    backend (gcp clients, credentials) never holds the UI thread."""
    from console.backends.local_backend import LocalBackend
    from console.tui.screens.playbooks_screen import PlaybooksScreen

    opened = threading.Event()

    def slow_backend(settings):
        opened.wait(30)  # as a credential lookup that hangs
        return LocalBackend(settings)

    app = make_app(FEB4, backend_factory=slow_backend)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("P")
            await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen), timeout=5)
            screen = app.screen
            books = screen.query_one("#books")
            assert books.highlighted is None  # a healthy panel suggests nothing: nothing is preselected
            books.focus()
            await pilot.press("down")  # keys answer while the backend is still opening
            await until(pilot, lambda: books.highlighted == 0, timeout=5)
            await until(pilot, lambda: "reading the deploy state" in _text(screen.query_one("#flags")), timeout=5)
            opened.set()
            await until(pilot, lambda: "reading the deploy state" not in _text(screen.query_one("#flags")))
            assert "current value unknown" not in _text(screen.query_one("#flags"))
    finally:
        opened.set()


async def test_l_opens_the_log_screen_at_once_and_its_source_in_a_worker(make_app):
    from console.tui.screens.logs_screen import LogsScreen

    opened = threading.Event()

    def slow_source(settings, clock, query=None):
        if query is None:  # the log screen's; the console's own live feed opens at once
            opened.wait(30)
        return SilentLogs()

    app = make_app(FEB4, log_source_factory=slow_source)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("l")
            await until(pilot, lambda: isinstance(app.screen, LogsScreen), timeout=5)
            assert "opening the log source" in _text(app.screen.query_one("#logs-status"))
            opened.set()
            await until(pilot, lambda: "following" in _text(app.screen.query_one("#logs-status")))
            await pilot.press("escape")
            assert isinstance(app.screen, MainScreen)
    finally:
        opened.set()


async def test_a_log_source_that_cannot_open_is_said_on_the_log_screen(make_app):
    from console.tui.screens.logs_screen import LogsScreen

    def broken(settings, clock, query=None):
        if query is None:  # the log screen's; the console's own live feed opens
            raise PermissionError("no credentials for Cloud Logging")
        return SilentLogs()

    app = make_app(FEB4, log_source_factory=broken)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LogsScreen), timeout=5)
        await until(pilot, lambda: "no credentials" in _text(app.screen.query_one("#logs-error")))
        assert "cannot open live logs" in _text(app.screen.query_one("#logs-error"))
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen) and app.is_running
