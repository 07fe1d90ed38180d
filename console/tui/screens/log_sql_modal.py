"""`;` on the log screen: SQL over a table of the loaded entries (`entries`), the answer as a
sortable table (`o` sorts by the cursor's column, `c` copies a row, `n`/`N` search).

The query runs in console/local/sql_sandbox.py: only a SELECT, DuckDB with no file, network
or extension access and its configuration locked, under `logs.sql_row_limit` rows and
`logs.sql_timeout_s` (so `read_text('/etc/passwd')` is refused, in a served console too).
The table is filled once per set of entries (the screen keeps it while they do not change),
in a thread, with its progress on the status line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from console.core.log_entry import LogEntry
from console.logs.entry_table import COLUMNS, EXAMPLES, columns_of, describe_columns
from console.tui.widgets.rows_table import RowsTable

# (key, sandbox): the table of one set of entries, kept by the log screen between prompts.
SandboxCache = dict


SHORT = 40  # terminal rows under which a result hides the help


class LogSqlModal(ModalScreen[None]):
    HELP_SECTION = (102, "Logs: the SQL prompt (;)")  # where `?` lists its keys
    DEFAULT_CSS = """
    LogSqlModal { align: center middle; }
    LogSqlModal > Vertical { width: 96%; height: 92%; border: thick $accent; background: $surface; }
    LogSqlModal #log-sql-help { height: auto; max-height: 50%; color: $text-muted; padding: 0 1; }
    LogSqlModal #log-sql-status { height: auto; padding: 0 1; }
    LogSqlModal #log-sql-status.-error { color: $text-error; }
    LogSqlModal RowsTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="close_log_sql"),
        Binding("ctrl+n", "example", "Next example", id="log_sql_example"),
    ]

    def __init__(
        self,
        settings,
        entries: Callable[[], Iterable[LogEntry]],
        key: tuple,
        cache: SandboxCache,
        what: str,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.entries, self.key, self.cache, self.what = entries, key, cache, what
        self.example = -1
        self.result = None  # the last SqlResult shown
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._help(), id="log-sql-help")
            yield Input(placeholder="SELECT ... FROM entries   (enter runs it; ctrl+n: an example)", id="log-sql-input")
            yield Static(f"the table `entries` holds {self.what}", id="log-sql-status")
            yield RowsTable(self.settings.tz, id="log-sql-result")
        yield Footer()

    def _help(self) -> Text:
        examples = "\n".join(f"  {name}: {sql}" for name, sql in EXAMPLES)
        return Text(f"columns:\n{describe_columns('  ')}\nexamples (ctrl+n puts the next one in the box):\n{examples}")

    def on_mount(self) -> None:
        self.query_one(Vertical).border_title = "SQL over the loaded entries (escape closes)"
        self.query_one("#log-sql-input", Input).focus()

    def action_example(self) -> None:
        self.example = (self.example + 1) % len(EXAMPLES)
        box = self.query_one("#log-sql-input", Input)
        box.value = EXAMPLES[self.example][1]
        box.focus()
        self.query_one("#log-sql-help").display = True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._say("running…")
        self._run(event.value)

    def _say(self, text: str, error: bool = False) -> None:
        self.error = text if error else None
        status = self.query_one("#log-sql-status", Static)
        status.update(Text(("✘ " if error else "") + text))
        status.set_class(error, "-error")

    @work(thread=True, exclusive=True, group="log-sql", exit_on_error=False)
    def _run(self, sql: str) -> None:
        from console.local.sql_sandbox import Sandbox, SqlRefused, check_query

        logs = self.settings.logs
        try:
            check_query(sql)  # a refusal costs no table
            box = self.cache.get(self.key)
            if box is None:
                for old in self.cache.values():
                    old.close()
                self.cache.clear()
                box = Sandbox(COLUMNS, memory_mb=logs.sql_memory_mb)
                box.load(
                    columns_of(self.entries()), lambda n: self.app.call_from_thread(self._say, f"table: {n:,} rows…")
                )
                box.lock(str(self.settings.tz))
                self.cache[self.key] = box
            result = box.query(sql, logs.sql_row_limit, logs.sql_timeout_s)
        except SqlRefused as exc:
            self.app.call_from_thread(self._say, str(exc), True)
            return
        except Exception as exc:  # noqa: BLE001 - a table that cannot be built: say it, keep the screen
            self.app.call_from_thread(self._say, f"{type(exc).__name__}: {exc}", True)
            return
        self.app.call_from_thread(self._show, result)

    def _show(self, result) -> None:
        self.result = result
        names = _unique(result.columns)
        self.query_one(RowsTable).load([dict(zip(names, row, strict=True)) for row in result.rows])
        # On a short terminal the columns and examples give way to the result (ctrl+n: back).
        self.query_one("#log-sql-help").display = self.app.size.height >= SHORT
        more = f" (only the first {len(result.rows):,}: logs.sql_row_limit)" if result.truncated else ""
        self._say(f"{len(result.rows):,} rows{more} in {result.seconds:.2f} s · o sorts, c copies a row")


def _unique(names: list[str]) -> list[str]:
    """Column names made unique (`SELECT a, a`): a table keys its columns by name."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out
