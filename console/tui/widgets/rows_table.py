"""A DataTable over plain dict rows: sort by any column (header click or `o`, again reverses,
an arrow in the header), search the rows (`n`/`N` for the next match), copy a row (`c`).

A reload (`load` with fresh rows) keeps the sort, the cursor's column and, when it is still
there, the cursor's row: the demo reloads every 2 s and must not throw the reader off.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from console.core.timefmt import for_people, to_moment

ARROWS = {False: "▲", True: "▼"}  # ascending, descending


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


def _plain(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return "" if value is None else str(value)


def smart_case_contains(needle: str, haystack: str) -> bool:
    """Vim's smartcase: all lowercase matches any case; an uppercase letter makes it exact."""
    if needle != needle.lower():
        return needle in haystack
    return needle in haystack.lower()


def row_matches(row: dict[str, Any], needle: str) -> bool:
    return any(smart_case_contains(needle, _plain(v)) for v in row.values())


def row_text(row: dict[str, Any], columns: list[str]) -> str:
    """A row as one JSON object in column order (what `c` copies: unambiguous, pastes anywhere)."""
    return json.dumps({c: row.get(c) for c in columns}, default=str, ensure_ascii=False)


class RowsTable(DataTable):
    HELP_SECTION = (50, "Drill-down: the rows table")  # where `?` lists its keys
    BINDINGS = [
        Binding("o", "sort_cursor_column", "Sort", id="sort"),
        Binding("c", "copy_row", "Copy row", id="copy_row"),
        Binding("n", "search_next(1)", "Next match", show=False, id="search_next"),
        Binding("N", "search_next(-1)", "Prev match", show=False, id="search_prev"),
    ]

    def __init__(self, tz=None, **kwargs: Any) -> None:
        super().__init__(zebra_stripes=True, **kwargs)
        self.tz = tz  # timestamps in cells are shown in this zone (sorting keeps the raw values)
        self.rows_data: list[dict[str, Any]] = []
        self.columns_order: list[str] = []
        self.sorted_by: tuple[str, bool] | None = None  # (column, descending)
        self.search_text = ""

    # ------------------------------------------------------------------ data

    def load(self, rows: list[dict[str, Any]]) -> None:
        """Show `rows`; a reload keeps the sort, the cursor's column and (if present) its row."""
        previous = self._cursor_row()
        column = self.cursor_column
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        self.rows_data = list(rows)
        if columns != self.columns_order:
            self.columns_order = columns
            self.clear(columns=True)
            for name in columns:
                # Two spaces of room for the sort arrow, so the header never crops it.
                self.add_column(Text(f"{name}  "), key=name)
        if self.sorted_by and self.sorted_by[0] in self.columns_order:
            self._sort_data(*self.sorted_by)
        else:
            self.sorted_by = None
        self._fill(self._index_of(previous), column)

    def _cursor_row(self) -> dict[str, Any] | None:
        if 0 <= self.cursor_row < len(self.rows_data):
            return self.rows_data[self.cursor_row]
        return None

    def _index_of(self, row: dict[str, Any] | None) -> int:
        """Where `row` is now: the same row, else the one with the same first column, else the same place."""
        if row is None:
            return self.cursor_row
        for i, candidate in enumerate(self.rows_data):
            if candidate is row or candidate == row:
                return i
        first = self.columns_order[0] if self.columns_order else None
        if first is not None and row.get(first) is not None:
            same = [i for i, r in enumerate(self.rows_data) if r.get(first) == row.get(first)]
            if len(same) == 1:
                return same[0]
        return self.cursor_row

    def _fill(self, row: int, column: int) -> None:
        self.clear()
        for name in self.columns_order:
            arrow = ARROWS[self.sorted_by[1]] if self.sorted_by and self.sorted_by[0] == name else " "
            self.columns[self._column_key(name)].label = Text(f"{name} {arrow}")
        for data in self.rows_data:
            self.add_row(*(_cell(data.get(c), self.tz) for c in self.columns_order))
        if self.rows_data:
            self.move_cursor(
                row=max(0, min(row, len(self.rows_data) - 1)), column=max(0, min(column, len(self.columns_order) - 1))
            )

    def _column_key(self, name: str):
        return next(k for k in self.columns if k.value == name)

    # ------------------------------------------------------------------ sort

    def _sort_data(self, column: str, descending: bool) -> None:
        self.rows_data.sort(key=lambda r: _sort_key(r.get(column)), reverse=descending)

    def sort_by(self, column: str) -> None:
        """Ascending; the same column again toggles. The cursor keeps its row and column."""
        descending = self.sorted_by == (column, False)
        previous = self._cursor_row()
        self.sorted_by = (column, descending)
        self._sort_data(column, descending)
        self._fill(self._index_of(previous), self.columns_order.index(column))

    def action_sort_cursor_column(self) -> None:
        if self.columns_order:
            self.sort_by(self.columns_order[min(self.cursor_column, len(self.columns_order) - 1)])

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    # ------------------------------------------------------------------ search and copy

    def search(self, text: str, direction: int = 1, *, include_current: bool = False) -> int | None:
        """Move the cursor to the next row (wrapping) holding `text`; None when no row does."""
        self.search_text = text
        count = len(self.rows_data)
        if not text or not count:
            return None
        start = self.cursor_row if include_current else self.cursor_row + direction
        for step in range(count):
            index = (start + step * direction) % count
            if row_matches(self.rows_data[index], text):
                self.move_cursor(row=index)
                return index
        return None

    def action_search_next(self, direction: int) -> None:
        if not self.search_text:
            return
        if self.search(self.search_text, direction) is None:
            self.notify(f"no row holds {self.search_text!r}", severity="warning")

    def action_copy_row(self) -> None:
        row = self._cursor_row()
        if row is None:
            self.notify("no row to copy", severity="warning")
            return
        self.app.copy_to_clipboard(row_text(row, self.columns_order))
        self.notify(f"row {self.cursor_row + 1} copied to the clipboard (JSON)")
