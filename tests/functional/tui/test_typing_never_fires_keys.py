"""Typing into any input of any screen never runs a binding (issue 14: `service=nba-scrapers
commit=zzz` on the playbooks screen ran `r` twice and `p`; "Davis" in a drill-down opened the
SQL modal; a `q` would quit), and every screen puts focus where the user types or moves first.
"""

from __future__ import annotations

import string

import pytest
from textual.widgets import Input, OptionList

from console.tui.screens.detail_screen import DetailScreen
from console.tui.screens.logs_screen import LogsScreen, LogView
from console.tui.screens.playbooks_screen import ConfirmationModal, PlaybooksScreen, TypedNameModal
from console.tui.widgets.check_panel import CheckPanel
from console.tui.widgets.rows_table import RowsTable
from tests.functional.conftest import FEB3, FEB4, SIZE, settle, settle_detail, until

# Every printable ASCII character (space included) and a few that are not ASCII.
PRINTABLE = [c for c in string.printable if c.isprintable()] + ["é", "ü", "ñ", "½"]


def record_actions(app) -> list[str]:
    """Every action a key binding runs goes through App.run_action: record them."""
    ran: list[str] = []
    original = app.run_action

    async def spy(action, default_namespace=None):
        ran.append(str(action))
        return await original(action, default_namespace)

    app.run_action = spy
    return ran


async def type_everything(pilot, box: Input) -> None:
    app = pilot.app
    stack = list(app.screen_stack)
    ran = record_actions(app)
    box.focus()
    await pilot.pause()
    box.value = ""
    for char in PRINTABLE:
        await pilot.press(char)
    await pilot.pause()
    assert ran == [], f"typing into #{box.id} ran {ran}"
    assert list(app.screen_stack) == stack and app.is_running and app.return_code is None
    assert box.value == "".join(PRINTABLE)
    app.run_action = type(app).run_action.__get__(app)


@pytest.mark.slow
async def test_drill_down_focuses_its_table_and_its_search_box_takes_every_key(make_app):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_detail("dnp_pollution")
        await settle_detail(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        assert app.focused is screen.query_one("#rows", RowsTable)  # arrows, o, / and c work at once
        # "Davis" typed at the table is not text: it must not open the SQL modal once searching.
        await pilot.press("slash")
        box = screen.query_one("#rows-search", Input)
        assert app.focused is box
        await type_everything(pilot, box)


@pytest.mark.slow
async def test_log_filter_box_takes_every_key(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LogsScreen))
        screen = app.screen
        assert isinstance(app.focused, LogView)  # the list: arrows move at once
        await pilot.press("slash")
        box = screen.query_one("#logs-filter", Input)
        assert app.focused is box
        await type_everything(pilot, box)


@pytest.mark.slow
async def test_playbook_form_is_focused_and_its_fields_take_every_key(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#panel-deployment_drift", CheckPanel).focus()
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen) and app.screen.query(".param-field"))
        screen = app.screen
        fields = list(screen.query(".param-field").results(Input))
        await until(pilot, lambda: app.focused is fields[0])  # the form, not the plan pane
        # Tab follows the eye: list -> service -> commit -> plan -> Run.
        screen.query_one("#books", OptionList).focus()
        await pilot.pause()
        order = []
        for _ in range(4):
            await pilot.press("tab")
            order.append(app.focused.id)
        assert order == ["param-service", "param-commit", "detail", "run"]
        for box in fields:
            await type_everything(pilot, box)
            assert not screen.running


@pytest.mark.slow
async def test_typed_name_box_takes_every_key(demo_settings, demo_backend):
    from tests.helpers.playbooks_screen import Host

    app = Host(demo_settings, demo_backend, suggested="disable-sequential-execution")
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        await until(pilot, lambda: isinstance(app.focused, OptionList))  # no parameters: the list
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmationModal))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, TypedNameModal))
        box = app.screen.query_one("#typed", Input)
        await until(pilot, lambda: app.focused is box)
        await type_everything(pilot, box)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen) and not app.screen.running)


async def test_history_focuses_its_grid(make_app):
    from console.tui.screens.history_screen import HistoryScreen

    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await until(pilot, lambda: app.focused is not None)
        assert app.focused is app.screen.query_one("#history-grid")
