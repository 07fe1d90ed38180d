"""The history screen (`h`): every check over the last game dates as a grid, and the numbers
against their thresholds as plots, so a slow decay is seen before it becomes an outage.

One thread worker per check runs console.services.history.run_history_check over the range (the
same judges as the main screen); the head counts the checks still loading, and the grid
and plots are drawn once all are in (each partial draw cost a frame). Enter on a cell
opens that date's drill-down; `[` `]` move the range by its length and stop at the data's
edges, as on the main screen: only dates with data are columns, and the head says what
was left out.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState
from textual_plotext import PlotextPlot

from console.core.game_dates import DateRange
from console.core.models import CheckResult, Status
from console.core.team import Note, TeamStoreError
from console.core.timestamps import parse_timestamp
from console.services.history import (
    SHORT_TITLES,
    HistoryRange,
    Shown,
    bytes_labels,
    contexts,
    cut_to_data,
    history_range,
    run_history_check,
)
from console.services.refresh import PanelState
from console.services.runner import SPEC_BY_ID, SPECS, CheckContext
from console.tui.history_grid import Series, cell, date_label, series
from console.tui.host import ConsoleHost, host_of
from console.tui.widgets.console_footer import ConsoleFooter
from panels.dispatch import plots

# Below this terminal height (80x24, a phone's SSH client) the plots are left out (issue 28).
PLOTS_FROM_ROWS = 30
# Plot colours by threshold label (the badge text carries the meaning without them).
LINE_COLOURS = {"trigger": "green", "monitor": "red", "max": "red", "target": "orange"}


class HistoryScreen(Screen[None]):
    HELP_SECTION = (70, "History (h)")  # where `?` lists its keys
    HELP_EXTRA = (("enter", "the drill-down of the cell's check on its date"), ("arrows", "move between the cells"))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        # The main screen's ids: a remapped prev/next date key moves the range here too.
        Binding("left_square_bracket", "shift(-1)", "Earlier", id="prev_date"),
        Binding("right_square_bracket", "shift(1)", "Later", id="next_date"),
        Binding("r", "reload", "Reload", id="reload"),
        Binding("n", "note", "Note", id="note"),  # issue 26: on the cursor's date and check
    ]

    def __init__(self, end: date, days: int | None = None) -> None:
        super().__init__()
        self._end, self._days = end, days
        self.shown: Shown | None = None  # set on mount
        self.as_of: datetime | None = None
        self.results: dict[str, dict[date, CheckResult]] = {}
        self.scanned: dict[str, str] = {}
        self.generation = 0
        self._jobs: dict[Worker, tuple[str, int]] = {}
        self.notes: list[Note] = []  # the team's notes on the dates shown: ✎ in cells and plots

    def compose(self) -> ComposeResult:
        yield Static(id="history-head")
        # The check's name stays in view when the dates scroll (80 columns show five of them).
        yield DataTable(id="history-grid", cursor_type="cell", zebra_stripes=False, fixed_columns=1)
        with Grid(id="history-plots"):
            for i in range(len(plots())):  # one box per check with a `plot` hook
                yield PlotextPlot(id=f"plot-{i}", classes="history-plot")
        yield ConsoleFooter()

    @property
    def host(self) -> ConsoleHost:
        return host_of(self)

    def on_resize(self) -> None:
        if self.shown is not None:
            self._draw()  # the plots come (or go) with the terminal's height

    def on_mount(self) -> None:
        settings = self.host.settings
        asked = history_range(self._end, self._days or min(settings.history.days, settings.history.max_days), settings)
        self._show(cut_to_data(asked, self._data()))
        self.load()

    def _data(self) -> DateRange | None:
        """The data's game dates as the main screen knows them (None: unknown, nothing is cut)."""
        return self.host.dates.range

    def _show(self, shown: Shown) -> None:
        self.shown = shown

    @property
    def span(self) -> HistoryRange:
        """The dates shown: those of the range asked with data. A range with no data at all
        keeps the asked dates (the main screen's date is always within the data, so this
        only happens when the data changed under the screen)."""
        assert self.shown is not None, "the range is set on mount"
        return self.shown.span or self.shown.asked

    @property
    def loaded(self) -> bool:
        """Every check has its results for the range shown (the tests wait for this)."""
        return not self._jobs and len(self.results) == len(SPECS)

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        self.generation += 1
        self.results = {}
        self.scanned = {}
        self.as_of = self.host.clock.now()
        ctxs = contexts(self.host.settings, self.span, self.as_of)
        self._build_grid()
        for spec in SPECS:
            # An explicit description: Textual would repr the partial, 28 contexts with their settings.
            worker = self.run_worker(
                partial(self._job, spec.id, ctxs),
                thread=True,
                name=f"history:{spec.id}",
                group="history",
                description=f"history of {spec.id}",
                exit_on_error=False,
            )
            self._jobs[worker] = (spec.id, self.generation)
        self.run_worker(self._read_notes, thread=True, name="history:notes", group="history-notes", exit_on_error=False)
        self._draw()

    def _read_notes(self) -> list[Note]:
        try:
            return self.host.team.store().notes()
        except TeamStoreError:
            return []  # the header says the team is unreadable; the grid is still the grid

    def _job(self, check_id: str, ctxs: list[CheckContext]) -> tuple[dict[date, CheckResult], dict[str, str]]:
        backend = self.host.backend()
        return run_history_check(SPEC_BY_ID[check_id], backend, ctxs), bytes_labels(backend, [check_id])

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "history-notes" and event.state is WorkerState.SUCCESS:
            dates = set(self.span.dates)
            self.notes = [n for n in event.worker.result or [] if n.game_date in dates]
            if self.notes and len(self.results) == len(SPECS):
                for spec in SPECS:
                    self._fill_row(spec.id)
                self._draw()  # the plots again, with the notes' marks
            return
        job = self._jobs.get(event.worker)
        if job is None or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        del self._jobs[event.worker]
        check_id, generation = job
        if generation != self.generation:
            return  # a range no longer shown
        if event.state is WorkerState.SUCCESS and event.worker.result is not None:
            self.results[check_id], scanned = event.worker.result
            self.scanned.update(scanned)  # gcp: what each range query's dry run said it would scan
        else:  # run_history_check never raises: this is a bug in the app; say it in every cell
            message = f"{type(event.worker.error).__name__}: {event.worker.error}"
            spec = SPEC_BY_ID[check_id]
            self.results[check_id] = {
                d: CheckResult(id=check_id, title=spec.title, status=Status.ERROR, summary=message, error=message)
                for d in self.span.dates
            }
        try:
            if len(self.results) == len(SPECS):  # fill at once: each partial fill would cost a frame
                for spec in SPECS:
                    self._fill_row(spec.id)
            self._draw(check_id)
        except NoMatches:  # the screen closed while the check ran
            return

    # ------------------------------------------------------------------ drawing

    def _build_grid(self) -> None:
        table = self.query_one("#history-grid", DataTable)
        table.clear(columns=True)
        table.header_height = 2  # weekday over month-day
        table.add_column(Text("check", style="bold"), key="check")
        for day in self.span.dates:
            table.add_column(Text(f"{day:%a}\n{date_label(day)}", justify="center"), key=day.isoformat(), width=13)
        for spec in SPECS:
            table.add_row(SHORT_TITLES[spec.id], *[cell(None) for _ in self.span.dates], key=spec.id, height=1)
        # The cursor on the latest date: at 80 columns the grid shows the newest dates first
        # (the date on the main screen), and scrolls left to the older ones.
        table.move_cursor(row=0, column=len(self.span.dates), scroll=True)

    def _fill_row(self, check_id: str) -> None:
        table = self.query_one("#history-grid", DataTable)
        noted = {n.game_date for n in self.notes if n.check == check_id}
        for day, result in self.results[check_id].items():
            text = cell(result)
            if day in noted:
                text.append(" ✎", style="bold")
            table.update_cell(check_id, day.isoformat(), text)

    def _draw(self, arrived: str | None = None) -> None:
        """The head, and the plots (when the range is set, or once all their checks are in)."""
        span, settings = self.span, self.host.settings
        waiting = len(SPECS) - len(self.results)
        state = f"loading {waiting} of {len(SPECS)} checks…" if waiting else "enter: the drill-down of a cell"
        as_of = self.as_of.astimezone(settings.tz) if self.as_of else None
        note = self.shown.note if self.shown else None
        self.query_one("#history-head", Static).update(
            Text.assemble(
                ("History", "bold"),
                "   games ",
                (f"{span.start} .. {span.end}", "bold"),
                f" ({span.days} dates)",
                (f"   {note}", "yellow") if note else "",
                "   as of ",
                (f"{as_of:%Y-%m-%d %H:%M %Z}" if as_of else "…", "bold"),
                f" (drift: {settings.history.drift_at:%H:%M} on each processing date)",
                "   backend ",
                (settings.backend, "bold"),
                "   ",
                (state, "dim"),
                "\nok / WARN / FAIL / unk (nothing to judge) / ERR (source failed) / no games; numbers: % for grading, "
                "dnp and usage, commits behind head for drift",
                (
                    "   dry run: " + ", ".join(f"{q} {b}" for q, b in self.scanned.items()) if self.scanned else "",
                    "dim",
                ),
            )
        )
        days = [{cid: by_date[d] for cid, by_date in self.results.items() if d in by_date} for d in span.dates]
        boxes = self.query_one("#history-plots")
        if self.app.size.height < PLOTS_FROM_ROWS:
            boxes.display = False  # plots of three lines each say nothing: the grid gets the room
            return
        plotted = {check_id for check_id, _ in plots()}  # the checks whose numbers are plotted
        if not plotted <= set(self.results):
            boxes.display = False  # nothing to plot yet: an empty plotext build would only cost a frame
            return
        if arrived is not None and arrived not in plotted:
            return
        boxes.display = True
        by_plot = [check_id for check_id, _ in plots()]  # series() is in the same order
        for i, s in enumerate(series(days, settings)):
            marks = [span.dates.index(n.game_date) for n in self.notes if n.check in (None, by_plot[i])]
            self._plot(self.query_one(f"#plot-{i}", PlotextPlot), s, span.dates, marks)

    @staticmethod
    def _plot(widget: PlotextPlot, s: Series, dates: list[date], notes: list[int] | None = None) -> None:
        plt = widget.plt
        plt.clear_figure()
        plt.title(s.title)
        n = len(dates)
        step = max(1, n // 7)
        plt.xticks(list(range(0, n, step)), [date_label(d) for d in dates[::step]])
        plt.xlim(-0.5, n - 0.5)
        points = s.points
        for label, y in s.lines.items():
            plt.plot([0, n - 1], [y, y], color=LINE_COLOURS.get(label, "gray"), label=f"{label} {y:g}", marker="dot")
        if points:
            plt.plot([x for x, _ in points], [y for _, y in points], marker="braille", color="cyan", label="value")
        for x in sorted(set(notes or [])):  # a note on that date (the check's, or the date's own)
            plt.vline(x, "yellow")
        ys = [y for _, y in points] + list(s.lines.values())
        if ys:
            low, high = min(ys), max(ys)
            pad = max(1.0, (high - low) * 0.1)
            plt.ylim(low - pad, high + pad)
        widget.refresh()

    # ------------------------------------------------------------------ actions

    def action_shift(self, direction: int) -> None:
        """The range as asked, moved by its length; refused past the data, as `[` `]` are on
        the main screen (a range cut to the data moves from the range asked, not the cut)."""
        asked = self.shown.asked if self.shown else self.span
        shown = cut_to_data(asked.shifted(direction * asked.days), self._data())
        if shown.span is None and (data := shown.data) is not None:
            edge = f"no data before {data.first}" if direction < 0 else f"no data after {data.last}"
            self.notify(edge, severity="warning")
            return
        self._show(shown)
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_note(self) -> None:
        """`n`: a note on the cursor's date, about the cursor's check."""
        from console.tui.screens.team_actions import note_on

        table = self.query_one("#history-grid", DataTable)
        check_id: str | None = None
        day: date | None = None
        if table.row_count and table.is_valid_coordinate(table.cursor_coordinate):
            row, column = table.coordinate_to_cell_key(table.cursor_coordinate)
            check_id = row.value if row.value in SPEC_BY_ID else None
            if column.value not in (None, "check"):
                day = date.fromisoformat(str(column.value))
        note_on(self.app, self.host, check_id, day, on_written=self.load)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        check_id, column = event.cell_key.row_key.value, event.cell_key.column_key.value
        if check_id not in SPEC_BY_ID or column is None or column == "check":
            return
        self.open_detail(check_id, date.fromisoformat(column))

    def open_detail(self, check_id: str, day: date) -> None:
        """That date's drill-down, as the main screen would open it for that game date."""
        from console.tui.screens.detail_screen import DetailScreen

        result, as_of = self.results.get(check_id, {}).get(day), self.as_of
        if result is None or as_of is None:
            self.notify("still loading this check", severity="warning")
            return
        spec = SPEC_BY_ID[check_id]
        state = PanelState(spec.id, spec.title)
        state.apply(result, as_of)
        # Drift was judged as of that date's morning: its drill-down reads the deploys of then.
        judged_at = result.value.judged_as_of() if result.value is not None else None
        moment = parse_timestamp(judged_at) or as_of
        self.app.push_screen(DetailScreen(spec, CheckContext(self.host.settings, day, moment), state))
