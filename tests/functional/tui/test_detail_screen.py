"""Drill-downs as an operator moves in them: sort with an arrow that a second `o` reverses,
cursor and sort that survive a reload, `/` search, `c` copies a row, and the SQL modal's `c`
copies BigQuery SQL with the values bound. Pilot on the demo."""

from __future__ import annotations

import json

import pytest
from textual.geometry import Region

from console.tui.screens.detail_screen import DetailScreen
from console.tui.screens.sql_modal import SqlModal
from console.tui.widgets.rows_table import RowsTable
from tests.functional.conftest import FEB3, FEB4, SIZE, settle, settle_detail, until


def _header(table: RowsTable) -> list[str]:
    return [c.label.plain for c in table.ordered_columns]


async def _open(pilot, check_id: str) -> tuple[DetailScreen, RowsTable]:
    await settle(pilot)
    pilot.app.open_detail(check_id)
    await settle_detail(pilot)
    screen = pilot.app.screen
    return screen, screen.query_one("#rows", RowsTable)


async def test_o_sorts_the_cursor_column_with_an_arrow_and_a_second_o_reverses(make_app):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        _screen, table = await _open(pilot, "usage_rate_coverage")
        assert app.focused is table  # keys work on entry, no Tab first
        column = table.columns_order.index("usage_rate")
        for _ in range(column):
            await pilot.press("right")
        await pilot.press("o")
        values = [r["usage_rate"] for r in table.rows_data if r["usage_rate"] is not None]
        assert values == sorted(values) and table.rows_data[-1]["usage_rate"] is None
        assert table.cursor_column == column  # the cursor stays on the sorted column
        assert "usage_rate ▲" in _header(table)
        await pilot.press("o")  # same column again: descending
        values = [r["usage_rate"] for r in table.rows_data if r["usage_rate"] is not None]
        assert values == sorted(values, reverse=True)
        assert "usage_rate ▼" in _header(table) and "usage_rate ▲" not in _header(table)
        assert table.cursor_column == column


async def test_cursor_and_sort_survive_the_reload_when_the_panel_refreshes(make_app):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(pilot, "dnp_pollution")
        table.sort_by("player_name")
        table.sort_by("player_name")  # descending
        table.move_cursor(row=5, column=table.columns_order.index("player_name"))
        await pilot.pause()
        row = dict(table.rows_data[5])
        fetched = screen.rows
        # The panel refreshes (every 2 s on the demo): a new result object arrives.
        state = app.states["dnp_pollution"]
        state.apply(state.result.model_copy(update={"summary": "refreshed"}), app.clock.now())
        await until(pilot, lambda: screen.rows is not fetched)
        await pilot.pause()
        assert table.sorted_by == ("player_name", True)
        assert table.rows_data[table.cursor_row] == row
        assert table.cursor_column == table.columns_order.index("player_name")
        assert app.focused is table
        assert "refreshed" in str(screen.query_one("#detail-head").render())


@pytest.mark.slow
async def test_slash_searches_the_rows_and_enter_n_find_the_next(make_app):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(pilot, "dnp_pollution")
        await pilot.press("slash", *"davis")  # smart case: lowercase finds "Anthony Davis"
        assert "Davis" in table.rows_data[table.cursor_row]["player_name"]
        assert isinstance(app.screen, DetailScreen)  # `s` of "Davis" did not open the SQL modal
        first = table.cursor_row
        await pilot.press(*["backspace"] * 5, "a")  # any row with an "a": enter walks to the next one
        start = table.cursor_row
        await pilot.press("enter")
        assert table.cursor_row != start or len(table.rows_data) == 1
        await pilot.press("escape")  # ends the search, back in the table
        assert app.focused is table and isinstance(app.screen, DetailScreen)
        table.move_cursor(row=first)
        await pilot.press("n")
        assert table.cursor_row != first and "a" in json.dumps(table.rows_data[table.cursor_row]).lower()
        await pilot.press("slash", *"zzzqqq")
        assert "no row holds 'zzzqqq'" in str(screen.query_one("#rows-title").render())
        await pilot.press("escape", "escape")
        assert not isinstance(app.screen, DetailScreen)


async def test_c_copies_the_selected_row(make_app):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        _screen, table = await _open(pilot, "dnp_pollution")
        table.move_cursor(row=2)
        await pilot.press("c")
        copied = json.loads(app.clipboard)
        assert copied == {k: table.rows_data[2].get(k) for k in table.columns_order}


async def test_sql_modal_c_copies_bigquery_with_the_values_bound(make_app, demo_settings):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        _screen, _ = await _open(pilot, "dnp_pollution")
        await pilot.press("s")
        assert isinstance(app.screen, SqlModal)
        await pilot.press("c")
        text = app.clipboard
        sql = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
        assert "@" not in sql  # no parameter left unbound
        assert "CAST('2026-02-03' AS DATE)" in text  # the DNP window of game date Feb 3
        assert f"`{demo_settings.project}`.nba_precompute.player_daily_cache" in text
        assert "AS TIMESTAMP)" in text and "queries/dnp_polluted_rows.sql" in text


@pytest.mark.parametrize(
    ("check_id", "reads"),
    [
        ("phase3_completion", "Firestore document phase3_completion/2026-02-05"),
        ("sequential_execution", "Cloud Logging entries of nba-phase3-analytics-processors on 2026-02-05"),
        ("deployment_drift", "deploy state of the services and the platform repo's commit history"),
    ],
)
async def test_sql_modal_of_a_check_without_sql_says_what_it_reads(make_app, check_id, reads):
    """The check's own `reads` hook, for the drill-down's date: no SQL to show or copy."""
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, check_id)
        await pilot.press("s")
        assert isinstance(app.screen, SqlModal)
        text = app.screen.query_one("#sql-text")

        def shown() -> str:  # the lines drawn, joined: the sentence wraps at the modal's width
            lines = text.render_lines(Region(0, 0, *text.size))
            return " ".join(" ".join(strip.text.split()) for strip in lines)

        await until(pilot, lambda: "runs no SQL" in shown())
        assert f"runs no SQL: it reads {reads}" in shown()


async def test_usage_drill_down_says_what_its_rows_are_and_why_none(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(pilot, "usage_rate_coverage")
        title = str(screen.query_one("#rows-title").render())
        assert table.row_count == 0
        assert title.startswith("Players who played with a missing or impossible usage rate: none")
        assert "every player who played has a usage rate" in title and "rows: 0" not in title
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(pilot, "usage_rate_coverage")
        title = str(screen.query_one("#rows-title").render())
        assert title.startswith(f"Players who played with a missing or impossible usage rate: {table.row_count}")
        assert table.row_count >= 19  # the 19 impossible values of PHX @ POR
