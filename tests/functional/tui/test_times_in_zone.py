"""Issue 14: the console shows every time in the configured zone with its abbreviation,
panels and drill-down cells alike (the rows keep their RFC 3339 values underneath)."""

from __future__ import annotations

import re

from console.tui.screens.detail_screen import DetailScreen
from console.tui.widgets.check_panel import CheckPanel
from console.tui.widgets.rows_table import RowsTable
from tests.functional.conftest import FEB3, FEB4, SIZE, settle, settle_detail


def _text(widget) -> str:
    return "\n".join(line.text for line in widget.render_lines(widget.region.reset_offset))


def _cells(table: RowsTable, column: str) -> list[str]:
    return [str(table.get_cell_at((row, table.columns_order.index(column)))) for row in range(table.row_count)]


async def test_panels_read_their_times_in_the_zone(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        phase3 = _text(app.screen.query_one("#panel-phase3_completion", CheckPanel))
        sequential = _text(app.screen.query_one("#panel-sequential_execution", CheckPanel))
        assert "success  07:14 EST" in phase3 and "grading triggered 07:50 EST" in phase3
        assert "Level 1: 07:05 -> 07:19 EST (3/3)" in sequential and "07:05->07:14 EST" in sequential
        assert "morning window over (11:00 EST on 2026-02-05)" in _text(app.screen.query_one("#timeline"))


async def test_drill_down_cells_read_in_the_zone_and_sort_by_the_moment(make_app):
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#panel-sequential_execution", CheckPanel).focus()
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        await settle_detail(pilot)
        assert "as of 2026-02-05 11:00 EST" in _text(app.screen.query_one("#detail-head"))
        table = app.screen.query_one("#rows", RowsTable)
        shown = _cells(table, "timestamp")
        assert shown[0] == "2026-02-04 05:10:00 EST"  # PlayerGameSummaryProcessor, the race of Feb 3
        assert all(re.fullmatch(r"2026-02-04 [0-9]{2}:[0-9]{2}:[0-9]{2} EST", cell) for cell in shown), shown
        assert table.rows_data[0]["timestamp"] == "2026-02-04T10:10:00+00:00"  # the value underneath
        table.sort_by("timestamp")
        table.sort_by("timestamp")  # descending: by the moment, not by the text shown
        assert _cells(table, "timestamp")[0] == "2026-02-04 06:58:00 EST"
