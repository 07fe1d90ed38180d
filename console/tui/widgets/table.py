"""A DataTable over plain dict rows that sorts by any column (header click or `o`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from ...core.timefmt import for_people, to_moment


def _sort_key(value: Any) -> tuple:
    # None last, numbers before text, so mixed columns still sort instead of raising.
    if value is None:
        return (2, 0, "")
    if isinstance(value, bool):
        return (0, int(value), "")
    if isinstance(value, (int, float)):
        return (0, value, "")
    return (1, 0, str(value))


def _cell(value: Any, tz=None) -> Text:
    if value is None:
        return Text("-", style="dim")
    if tz is not None and isinstance(value, (str, datetime)) and to_moment(value) is not None:
        return Text(for_people(value, tz, "seconds"))  # as the panels read: the configured zone
    if isinstance(value, float):
        return Text(f"{value:g}", justify="right")
    if isinstance(value, int) and not isinstance(value, bool):
        return Text(str(value), justify="right")
    if isinstance(value, (dict, list)):
        return Text(json.dumps(value, default=str)[:120])
    return Text(str(value)[:160])  # Text, not str: log lines and SQL may contain [markup]


class RowsTable(DataTable):
    BINDINGS = [Binding("o", "sort_cursor_column", "Sort", id="sort")]

    def __init__(self, tz=None, **kwargs: Any) -> None:
        super().__init__(zebra_stripes=True, **kwargs)
        self.tz = tz  # timestamps in cells are shown in this zone (sorting keeps the raw values)
        self.rows_data: list[dict[str, Any]] = []
        self.columns_order: list[str] = []
        self.sorted_by: tuple[str, bool] | None = None

    def load(self, rows: list[dict[str, Any]]) -> None:
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        self.rows_data, self.columns_order = list(rows), columns
        self.clear(columns=True)
        for name in columns:
            self.add_column(name, key=name)
        self._fill()

    def _fill(self) -> None:
        self.clear()
        for row in self.rows_data:
            self.add_row(*(_cell(row.get(c), self.tz) for c in self.columns_order))

    def sort_by(self, column: str) -> None:
        reverse = self.sorted_by == (column, False)
        self.rows_data.sort(key=lambda r: _sort_key(r.get(column)), reverse=reverse)
        self.sorted_by = (column, reverse)
        self._fill()

    def action_sort_cursor_column(self) -> None:
        if self.columns_order:
            self.sort_by(self.columns_order[min(self.cursor_column, len(self.columns_order) - 1)])

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))
