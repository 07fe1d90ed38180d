"""SQL typed by a person, over a table the console fills, in a DuckDB that can reach nothing.

The log screen's `;` prompt and `logs search --sql` run what someone typed, in a console that
may be served to a browser. Three locks, each enough on its own for what it covers:
- only a query: sqlglot parses the text and anything but one SELECT (or UNION ..., WITH ...
  SELECT) is refused before DuckDB sees it (no INSERT, COPY, ATTACH, SET, PRAGMA, INSTALL);
- no file, network or extension: the connection is opened with `enable_external_access`
  false and extension autoloading off, so `read_text('/etc/passwd')`, `COPY ... TO`, `ATTACH`
  and `httpfs` are refused by DuckDB itself; the table is filled from Python values (JSON
  text given as a parameter), never from a file;
- the configuration locked (`lock_configuration`) once the table is filled: a query cannot
  turn any of that back on, nor raise the memory limit.
Bounded: `memory_limit`, a row limit (the query is wrapped in a LIMIT) and a deadline (the
query is interrupted from another thread when it passes).

Knows nothing of logs: the caller gives the columns and their values (console/logs/entry_table.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import orjson
import sqlglot
from sqlglot import exp

# sqlglot says on its logger when it parses a statement as an opaque Command (`LOAD httpfs`):
# without a handler Python's last resort would print that over the TUI. The refusal says it.
logging.getLogger("sqlglot").addHandler(logging.NullHandler())

TABLE = "entries"
_QUERY_ROOTS = (exp.Select, exp.Union, exp.Intersect, exp.Except)
_FORBIDDEN = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Command,
    exp.Set,
    exp.Pragma,
    exp.Copy,
    exp.Attach,
    exp.Detach,
    exp.Use,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.LoadData,
    exp.Into,
)


class SqlRefused(ValueError):
    """A query that was not run (not a query, does not parse) or did not finish (the deadline,
    the memory limit, DuckDB's own refusal): one line for a person."""


@dataclass
class SqlResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool  # more rows than the limit: only the first `limit` are here
    seconds: float


def check_query(sql: str) -> str:
    """The query text to run (one statement, without a trailing `;`), or SqlRefused saying why."""
    text = (sql or "").strip().rstrip(";").strip()
    if not text:
        raise SqlRefused("nothing to run: type a SELECT")
    try:
        statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as exc:
        first = str(exc).splitlines()[0][:200]
        raise SqlRefused(f"cannot parse the query: {first}") from None
    if len(statements) != 1:
        raise SqlRefused("one query at a time")
    root = statements[0]
    if not isinstance(root, _QUERY_ROOTS) or any(isinstance(node, _FORBIDDEN) for node in root.walk()):
        kind = root.key.upper()
        raise SqlRefused(f"only a query (SELECT, WITH ... SELECT) runs here, not {kind}")
    return text


class Sandbox:
    """One locked-down in-memory DuckDB with one table, `entries` by default."""

    def __init__(self, columns: Sequence[tuple[str, str, str]], memory_mb: int = 512, threads: int = 2):
        self.columns = [(name, kind) for name, kind, *_ in columns]
        self.rows = 0
        self._con = duckdb.connect(
            ":memory:",
            config={
                "enable_external_access": False,
                "autoload_known_extensions": False,
                "autoinstall_known_extensions": False,
                "allow_community_extensions": False,
                "memory_limit": f"{memory_mb}MB",
                "threads": threads,
            },
        )
        self._con.execute("SET TimeZone = 'UTC'")
        defs = ", ".join(f'"{name}" {kind}' for name, kind in self.columns)
        self._con.execute(f"CREATE TABLE {TABLE} ({defs})")
        selects = []
        for i, (_name, kind) in enumerate(self.columns):
            value = f"unnest(from_json(${i + 1}, '[\"{'BIGINT' if kind == 'TIMESTAMPTZ' else kind}\"]'))"
            selects.append(f"{value} AS c{i}")
        # TIMESTAMPTZ columns arrive as microseconds since the epoch, UTC.
        outs = [
            f"timezone('UTC', make_timestamp(c{i}))" if kind == "TIMESTAMPTZ" else f"c{i}"
            for i, (_, kind) in enumerate(self.columns)
        ]
        self._insert = f"INSERT INTO {TABLE} SELECT {', '.join(outs)} FROM (SELECT {', '.join(selects)})"
        self._locked = False

    def load(self, chunks: Iterable[list[list[Any]]], progress: Callable[[int], None] | None = None) -> int:
        """Append rows given column by column (one list per column, in chunks)."""
        if self._locked:
            raise RuntimeError("the sandbox is locked: load before the first query")
        for chunk in chunks:
            self._con.execute(self._insert, [orjson.dumps(column).decode() for column in chunk])
            self.rows += len(chunk[0])
            if progress is not None:
                progress(self.rows)
        return self.rows

    def lock(self, tz: str = "UTC") -> None:
        """Show times in `tz`, then lock the configuration: nothing a query does can change it."""
        if not self._locked:
            self._con.execute("SET TimeZone = ?", [tz])
            self._con.execute("SET lock_configuration = true")
            self._locked = True

    def query(self, sql: str, row_limit: int, timeout_s: float) -> SqlResult:
        text = check_query(sql)
        self.lock()
        wrapped = f"SELECT * FROM ({text}) AS q LIMIT {int(row_limit) + 1}"
        answer: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                cursor = self._con.execute(wrapped)
                answer["columns"] = [d[0] for d in cursor.description or []]
                answer["rows"] = cursor.fetchall()
            except Exception as exc:  # noqa: BLE001 - handed to the caller's thread below
                answer["error"] = exc
            finally:
                done.set()

        started = time.monotonic()
        worker = threading.Thread(target=run, name="sql query", daemon=True)
        worker.start()
        if not done.wait(timeout_s):
            self._con.interrupt()
            done.wait(5)
            raise SqlRefused(f"stopped after {timeout_s:g} s (logs.sql_timeout_s): the query took too long")
        error = answer.get("error")
        if error is not None:
            raise SqlRefused(_duckdb_message(error)) from None
        rows = answer["rows"]
        return SqlResult(answer["columns"], rows[:row_limit], len(rows) > row_limit, time.monotonic() - started)

    def close(self) -> None:
        self._con.close()


def _duckdb_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, duckdb.PermissionException):
        return f"refused: {text} (no file, network or extension access here)"
    return text[:300]


def run_query(
    columns: Sequence[tuple[str, str, str]],
    chunks: Iterable[list[list[Any]]],
    sql: str,
    row_limit: int,
    timeout_s: float,
    memory_mb: int = 512,
    tz: str = "UTC",
) -> SqlResult:
    """Fill a sandbox with `chunks`, lock it, run `sql` once (checked first: a refusal costs
    no load)."""
    check_query(sql)
    box = Sandbox(columns, memory_mb)
    try:
        box.load(chunks)
        box.lock(tz)
        return box.query(sql, row_limit, timeout_s)
    finally:
        box.close()
