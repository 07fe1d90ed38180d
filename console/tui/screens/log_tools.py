"""What the log screen does besides following a stream: jump to the next / previous entry at
ERROR or above (`e` / `E`), copy an entry as JSON (`c`, OSC 52), SQL over the loaded entries
(`;`), saved filters (`ctrl+s`, `F`), the volume strip's sync and jumps, and opening an export
(`o`). One object per screen, holding the screen: the screen keeps its bindings and calls in.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from console.logs.parse import entry_to_dict

if TYPE_CHECKING:
    from console.services.saved_filters import SavedFilters

ERROR_RANK = 500


class LogTools:
    def __init__(self, screen) -> None:
        self.screen = screen
        self.sql_tables: dict = {}  # the SQL table of the entries, kept while they do not change
        self._filters: SavedFilters | None = None

    @property
    def app(self):
        return self.screen.app

    @property
    def view(self):
        return self.screen.view

    @property
    def rows(self):
        return self.screen.buffer

    # ------------------------------------------------------------------ e / E

    def next_error(self, step: int) -> None:
        rows, view = self.rows, self.view
        if not rows.shown_count:
            return
        found = rows.next_at_least(view.cursor, ERROR_RANK, step)
        if found is None:
            where = "after" if step > 0 else "before"
            self.screen.notify(f"no entry at ERROR or above {where} this line", severity="warning", timeout=4)
            return
        view.go_to(found)

    # ------------------------------------------------------------------ c

    def copy_entry(self) -> None:
        rows, view = self.rows, self.view
        if not rows.shown_count:
            self.screen.notify("no entry to copy", severity="warning")
            return
        entry = rows.shown(view.cursor)
        text = orjson.dumps(entry_to_dict(entry), default=str).decode()
        self.app.copy_to_clipboard(text)
        self.screen.notify(f"entry copied as JSON ({len(text):,} characters; OSC 52: the terminal must allow it)")

    # ------------------------------------------------------------------ ;

    def sql(self) -> None:
        from console.tui.screens.log_sql_modal import LogSqlModal

        rows = self.rows
        export = getattr(rows, "loaded", None) is not None
        if export:
            key = ("export", id(rows), len(rows), rows.loaded)
            what = f"the {len(rows):,} entries loaded" + ("" if rows.loaded else " so far")
            source = rows.held
        else:
            held = rows.held()  # a snapshot: the stream goes on while the table is filled
            key = ("live", id(rows), rows.received, len(held))
            what = f"the {len(held):,} entries held"

            def source():
                return held

        self.app.push_screen(LogSqlModal(self.screen.settings, source, key, self.sql_tables, what))

    def close(self) -> None:
        for box in self.sql_tables.values():
            box.close()
        self.sql_tables.clear()

    # ------------------------------------------------------------------ saved filters

    def filters(self):
        if self._filters is None:
            from console.services import saved_filters

            self._filters = saved_filters.load(self.screen.settings)
            if self._filters.note:
                self.screen.notify(self._filters.note, severity="warning")
        return self._filters

    def _keep(self) -> None:
        from console.services import saved_filters

        settings = self.screen.settings
        # As the theme (services/ui_state.py): a viewer of a served console, or a read-only one,
        # never changes the operator's state directory.
        why_not = None
        if self.app.is_web:
            why_not = "a served console keeps saved filters for this session only"
        elif settings.read_only:
            why_not = "read-only: saved filters are kept for this session only"
        problem = saved_filters.save(settings, self.filters().filters, why_not)
        if problem:
            self.screen.notify(problem, severity="warning", timeout=6)

    def save_filter(self) -> None:
        from console.tui.screens.log_filters_modal import FilterNameModal

        text = self.screen.filter_text()
        if not text.strip():
            self.screen.notify("the filter box is empty: type a filter (/) first", severity="warning")
            return

        def saved(name: str | None) -> None:
            if name:
                self.filters().filters[name] = text
                self._keep()
                self.screen.notify(f"filter {name!r} saved: F lists them")

        self.app.push_screen(FilterNameModal(text, list(self.filters().filters)), saved)

    def list_filters(self) -> None:
        from console.tui.screens.log_filters_modal import SavedFiltersModal

        def deleted(name: str) -> None:
            self.filters().filters.pop(name, None)
            self._keep()

        def chosen(text: str | None) -> None:
            if text is not None:
                self.screen.set_filter_text(text)

        self.app.push_screen(SavedFiltersModal(self.filters().filters, deleted), chosen)

    # ------------------------------------------------------------------ o

    def open_files(self, error: str | None = None, value: str = "") -> None:
        from console.tui.screens.log_filters_modal import OpenFilesModal

        def chosen(text: str | None) -> None:
            if text:
                self._open(text)

        self.app.push_screen(OpenFilesModal(error, value), chosen)

    def _open(self, text: str) -> None:
        from console.logs.export_view import ExportView
        from console.logs.search import SearchError

        try:
            words = shlex.split(text)
        except ValueError as exc:
            self.open_files(f"cannot read that: {exc}", text)
            return
        newest_first = "--newest-first" in words
        paths = [Path(w).expanduser() for w in words if w != "--newest-first"]
        try:
            export = ExportView(paths, newest_first=newest_first)
        except (SearchError, OSError) as exc:
            self.open_files(str(exc), text)
            return
        # The screen's own class (LogsScreen): importing it here would make a cycle.
        self.app.push_screen(type(self.screen)(self.screen.settings, export=export, clock=self.screen.clock))

    # ------------------------------------------------------------------ an export's status line

    def export_status(self, out, filter_error: str | None):
        x = self.rows
        if not x.loaded:
            out.append(f"loading {x.progress:.0%}", "bold yellow")
        elif not x.in_order:
            out.append("sorting", "bold yellow")
        else:
            out.append("loaded", "bold green")
        out.append(f" · {len(x):,} entries · {x.shown_count:,} shown")
        if x.filtering is not None:
            out.append(f" · filtering {x.filtering:.0%}", "yellow")
        out.append(" · newest first" if x.newest_first else " · oldest first")
        if filter_error:
            out.append(" · filter not applied (see above)", "red")
        if x.skipped:
            from console.core.errors import skipped_note

            out.append(f" · {skipped_note(x.skipped)}", "yellow")
        return out

    # ------------------------------------------------------------------ the volume strip

    def sync_histogram(self) -> None:
        strip = self.screen.histogram
        strip.update_counts(self.rows.counts, self.cursor_ts())

    def cursor_ts(self) -> float | None:
        rows, view = self.rows, self.view
        if not rows.shown_count or view.cursor >= rows.shown_count:
            return None
        return rows.shown(view.cursor).timestamp.timestamp()

    def jump(self, start: float, until: float) -> None:
        found = self.rows.first_at_or_after(start, until)
        if found is None:
            self.screen.notify("no entry shown in that bucket", severity="warning", timeout=3)
            return
        self.view.go_to(found)
        self.view.focus()
