r"""Loading a table file with DuckDB doing the parsing, when it can prove the validator would
accept the file (issue 13: a season used to spend most of its load in Python's JSON parsing).

The file is read once by DuckDB (`read_json`, every column as JSON): in that one pass each
value's kind is checked and the value converted (a value of another kind stops the statement
with error()); the other checks of validate.py are answered from the converted rows and a
few byte counts of the same bytes, all in one transaction. When every date and timestamp has
the plainest form (_PLAIN) the statement inserts straight into the table and the counts come
from the table; otherwise the rows go through a temporary table, where each distinct date or
timestamp meets validate.py's checkers. The table files load side by side, each on its own
cursor in a worker thread (DuckDB reads one file on one core and releases the GIL); the
validator still takes them in its order, and a refusal discards the whole generation. When
any check fails, DuckDB refuses the file, or the file changed while being read, nothing is
kept and the caller falls back to the row-by-row validator, which words the refusal exactly
as before (path, line, column, reason). So this path may only ever *accept* files; every
refusal still comes from validate.py (tests/unit/local/test_fast_load.py compares the two).

Why the checks are enough (for one file; `K` = key occurrences in the file):
- kinds: a string's JSON text starts with `"`, a boolean is `true`/`false`, an INT64 is what
  json_type calls an integer, a FLOAT64 any other scalar (NaN, Infinity and 1e400 are then
  refused as not finite); required columns must be present and not null; DATE and TIMESTAMP
  values go through validate.py's own checkers, each distinct value once (the plainest forms
  are recognised in SQL first, see _SURELY_VALID).
- no unknown key: every key is followed by exactly one `:` outside strings, so
  count(':') = K + colons inside strings >= known non-null values (counted by DuckDB) + known
  nulls (the bytes `"name":null` or `"name": null`; with no `\"` in the file these occur
  only as a key and its null) + colons inside known strings (no `\u003a` in the file). When
  the two sides are equal, no key is left over for an unknown column.
- no trailing comma (DuckDB's parser allows them, orjson does not): count(',') must then be
  K - rows + commas inside known strings.
- what DuckDB's reader forgives and orjson does not is refused by bytes first: a BOM, \v or
  \f (trimmed around a line), a \r not ending a line; and escapes the counts cannot see
  through (`\"`, `\u003a`, `\u002c`, `\u0000`) leave the file to the validator.
- duplicate keys, lines that are not objects, invalid UTF-8 or malformed JSON: DuckDB refuses.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from console.core.errors import ScenarioError
from console.core.schema import DUCKDB_TYPES, Column, TableSpec
from console.local.validate import _CHECKERS

if TYPE_CHECKING:
    import duckdb

    from console.local.validate import _Reader

_NOT_PLAIN = "not a plain date or timestamp"
_BOM = b"\xef\xbb\xbf"
_ESCAPES_WE_DO_NOT_COUNT = (b'\\"', b"\\u003a", b"\\u003A", b"\\u002c", b"\\u002C", b"\\u0000")
_KIND_SQL = {
    "STRING": "starts_with({c}, '\"')",
    "DATE": "starts_with({c}, '\"')",
    "TIMESTAMP": "starts_with({c}, '\"')",
    "BOOL": "{c}::VARCHAR IN ('true', 'false')",
    "INT64": "json_type({c}) IN ('UBIGINT', 'BIGINT')",
    # A scalar that is not a string, true or false is a number (NaN and infinities are refused
    # after conversion): no JSON parse per value.
    "FLOAT64": "left({c}::VARCHAR, 1) NOT IN ('\"', 't', 'f', '[', '{{')",
}

# The plainest DATE and TIMESTAMP forms, which validate.py's checkers accept whenever these
# hold (its regex and date.fromisoformat; parse_timestamp's layout, with no year near its
# limits). Anything else, each distinct value once, goes through the checkers themselves.
_SURELY_VALID = {
    "DATE": "coalesce(regexp_full_match({v}, '\"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}\"') "
    "AND try_cast(substr({v}, 2, 10) AS DATE) BETWEEN DATE '1900-01-01' AND DATE '2999-12-31', false)",
    "TIMESTAMP": "coalesce(regexp_full_match({v}, "
    "'\"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}Z\"') "
    "AND try_cast(substr({v}, 2, 10) AS DATE) BETWEEN DATE '1000-01-01' AND DATE '8999-12-31' "
    "AND try_cast(substr({v}, 13, 2) AS INT) < 24 AND try_cast(substr({v}, 16, 2) AS INT) < 60 "
    "AND try_cast(substr({v}, 19, 2) AS INT) < 60, false)",
}


# What the insert straight into the table calls plain, in one regex per value (cheaper than
# _SURELY_VALID): the year range and each field's range are in the pattern; a day the month
# does not have (2026-02-30) fails DuckDB's cast, which stops the statement, and then the
# validator decides. Whatever matches here and casts, validate.py's checkers accept.
_PLAIN = {
    "DATE": '"(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"',
    "TIMESTAMP": '"[1-8][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z"',
}


def bytes_allow_fast_path(data: bytes) -> bool:
    """What DuckDB's reader forgives but orjson refuses, or what the counts cannot see through."""
    if data.startswith(_BOM) or b"\x0b" in data or b"\x0c" in data:
        return False
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return False
    return b"\\" not in data or not any(escape in data for escape in _ESCAPES_WE_DO_NOT_COUNT)


class FastTables:
    """`load(reader, path, spec)` -> the row count when the file was checked and inserted into
    its table on `con`; None when the validator must decide (nothing was inserted then)."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, tables: dict[str, str], specs: dict[str, TableSpec] | None = None
    ):
        self.con, self.tables = con, tables  # file name -> "schema"."table"
        self.specs = specs or {}  # file name -> its spec: those files are loaded side by side
        self.loaded: set[str] = set()
        self.usable = os.path.isdir("/dev/fd")  # DuckDB reads the very file we opened and checked
        self._started: dict[str, Future[int | None]] | None = None
        self._pool: ThreadPoolExecutor | None = None

    def load(self, reader: _Reader, path: Path, spec: TableSpec) -> int | None:
        if not self._takes(path.name, spec):
            return None
        if self._started is None:
            self._start_all(reader, path.parent)
        started = self._started.pop(path.name, None) if self._started else None
        rows = started.result() if started is not None else self._load_on(self.con, reader, path, spec)
        if rows is not None:
            self.loaded.add(path.name)
        return rows

    def _takes(self, name: str, spec: TableSpec) -> bool:
        return self.usable and name in self.tables and not all(c.nullable for c in spec.columns)

    def _start_all(self, reader: _Reader, folder: Path) -> None:
        """Every table file of `folder` starts loading at once, each on its own cursor (DuckDB
        reads one file on one core and releases the GIL meanwhile). The validator still asks
        for them in its order and decides about any the fast path did not take; a refusal
        discards the whole generation, so what was inserted meanwhile is never seen."""
        self._started = {}
        workers = min(os.cpu_count() or 1, 4)
        try:
            paths = [
                p
                for p in reader.folder(folder) or []
                if p.name in self.specs and self._takes(p.name, self.specs[p.name])
            ]
        except ScenarioError:
            return
        if workers < 2 or len(paths) < 2:
            return
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fast-load")
        for p in sorted(paths, key=_size, reverse=True):  # the longest first
            self._started[p.name] = self._pool.submit(self._load_on_cursor, reader, p, self.specs[p.name])

    def _load_on_cursor(self, reader: _Reader, path: Path, spec: TableSpec) -> int | None:
        cursor = self.con.cursor()
        try:
            return self._load_on(cursor, reader, path, spec)
        finally:
            cursor.close()

    def close(self) -> None:
        """Waits for the loads still running (after a refusal): none outlives the connection."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _load_on(self, con: duckdb.DuckDBPyConnection, reader: _Reader, path: Path, spec: TableSpec) -> int | None:
        try:
            fh = reader.open(path)
        except ScenarioError:
            return None  # the validator refuses it with the same words
        with fh:
            before = os.fstat(fh.fileno())
            data = fh.read(reader.max_bytes + 1)
            if len(data) > reader.max_bytes or not bytes_allow_fast_path(data):
                return None
            source, table = f"/dev/fd/{fh.fileno()}", self.tables[path.name]
            # First straight into the table (plain dates and timestamps only); a file with other
            # forms goes through a temporary table, where each distinct one meets the checkers.
            rows, plain_only = self._in_transaction(
                con, fh, before, data, lambda: self._insert_plain(con, source, data, spec, table)
            )
            if rows is None and plain_only:
                try:
                    rows, _ = self._in_transaction(
                        con, fh, before, data, lambda: self._insert(con, source, data, spec, table)
                    )
                finally:
                    con.execute("DROP TABLE IF EXISTS temp.fast_rows")
        return rows

    def _in_transaction(
        self,
        con: duckdb.DuckDBPyConnection,
        fh: IO[bytes],
        before: os.stat_result,
        data: bytes,
        insert: Callable[[], int | None],
    ) -> tuple[int | None, bool]:
        """(rows, False) when `insert` checked and inserted the file and the file did not change
        meanwhile; else nothing is kept: (None, True) when only a non-plain date or timestamp
        stopped it."""
        import duckdb

        con.execute("BEGIN TRANSACTION")
        try:
            rows = insert()
            after = os.fstat(fh.fileno())
            same = (before.st_size, before.st_mtime_ns, before.st_ctime_ns) == (
                after.st_size,
                after.st_mtime_ns,
                after.st_ctime_ns,
            )
            if rows is None or not same or after.st_size != len(data):
                con.execute("ROLLBACK")
                return None, False
            con.execute("COMMIT")
            return rows, False
        except Exception as exc:  # noqa: BLE001 - DuckDB's refusal or anything unforeseen: the validator decides
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            return None, _NOT_PLAIN in str(exc)

    def _insert_plain(
        self, con: duckdb.DuckDBPyConnection, source: str, data: bytes, spec: TableSpec, table: str
    ) -> int | None:
        """The file checked and converted in the statement that inserts it into its (empty)
        table; the counts then come from the table. Dates and timestamps must be plain
        (_SURELY_VALID), else error() with _NOT_PLAIN stops it."""
        cols = spec.columns
        if _one_row(con.execute(f"SELECT count(*) FROM {table}"))[0]:
            return None
        as_json = ", ".join(f"{c.name}: 'JSON'" for c in cols)
        escapes = b"\\" in data
        checked = ", ".join(_checked(c, escapes, plain=True) for c in cols)
        names = ", ".join(c.name for c in cols)
        con.execute(
            f"INSERT INTO {table} ({names}) SELECT {checked} FROM read_json(?, format='newline_delimited', "
            f"columns={{{as_json}}})",
            [source],
        )
        # A plain timestamp's text holds two colons and no comma; a plain date neither.
        stamps = " + ".join(f"2 * count({c.name})" for c in cols if c.type == "TIMESTAMP") or "0"
        strings = [c.name for c in cols if c.type == "STRING"]
        floats = [c.name for c in cols if c.type == "FLOAT64"]
        finite = " + ".join(f"count(*) FILTER (WHERE NOT isfinite({f}))" for f in floats) or "0"
        rows, not_finite, colons_in_strings, commas_in_strings, *present = _one_row(
            con.execute(
                f"SELECT count(*), {finite}, {_inside(strings, ':')} + {stamps}, {_inside(strings, ',')}, "
                + ", ".join(f"count({c.name})" for c in cols)
                + f" FROM {table}"
            )
        )
        if not_finite:  # NaN, Infinity or 1e400: orjson refuses them
            return None
        return self._counts_agree(data, cols, rows, present, colons_in_strings, commas_in_strings)

    @staticmethod
    def _counts_agree(
        data: bytes,
        cols: Sequence[Column],
        rows: int,
        present: list[int],
        colons_in_strings: int,
        commas_in_strings: int,
    ) -> int | None:
        """`rows` when no key is left over for an unknown column and no comma is trailing."""
        if rows == 0:
            return 0 if not data.strip() else None
        nulls = sum(
            data.count(f'"{c.name}":{space}null'.encode())
            for c, n in zip(cols, present, strict=True)
            if n < rows
            for space in ("", " ")
        )
        keys = sum(present) + nulls
        if data.count(b":") != keys + colons_in_strings or data.count(b",") != keys - rows + commas_in_strings:
            return None
        return rows

    def _insert(
        self, con: duckdb.DuckDBPyConnection, source: str, data: bytes, spec: TableSpec, table: str
    ) -> int | None:
        cols = spec.columns
        as_json = ", ".join(f"{c.name}: 'JSON'" for c in cols)
        # One pass over the JSON values: each is checked for its kind (error() refuses the
        # statement, nothing is kept) and converted; DATE and TIMESTAMP keep their JSON text
        # for the validator's checkers.
        escapes = b"\\" in data
        checked = ", ".join(_checked(c, escapes) for c in cols)
        con.execute(
            f"CREATE TEMP TABLE fast_rows AS SELECT {checked} FROM read_json(?, format='newline_delimited', "
            f"columns={{{as_json}}})",
            [source],
        )
        strings = [c.name for c in cols if c.type == "STRING"]  # DATE, TIMESTAMP: counted per distinct value
        floats = [c.name for c in cols if c.type == "FLOAT64"]
        finite = " + ".join(f"count(*) FILTER (WHERE NOT isfinite({f}))" for f in floats) or "0"
        stats = _one_row(
            con.execute(
                f"SELECT count(*), {finite}, {_inside(strings, ':')}, {_inside(strings, ',')}, "
                + ", ".join(f"count({c.name})" for c in cols)
                + " FROM fast_rows"
            )
        )
        rows, not_finite, colons_in_strings, commas_in_strings, *present = stats
        if not_finite:  # NaN, Infinity or 1e400: orjson refuses them
            return None
        for c in cols:
            if c.type in ("DATE", "TIMESTAMP") and rows:
                check = _CHECKERS[c.type][0]
                values = con.execute(
                    f"SELECT {c.name}, count(*), {_SURELY_VALID[c.type].format(v=c.name)} "
                    f"FROM fast_rows WHERE {c.name} IS NOT NULL GROUP BY ALL"
                ).fetchall()
                if not all(sure or check(orjson.loads(v)) for v, _, sure in values):
                    return None
                colons_in_strings += sum(v.count(":") * n for v, n, _ in values)
                commas_in_strings += sum(v.count(",") * n for v, n, _ in values)
        if self._counts_agree(data, cols, rows, present, colons_in_strings, commas_in_strings) is None:
            return None
        if rows == 0:
            return 0
        names = ", ".join(c.name for c in cols)
        converted = ", ".join(
            f"CAST(CAST({c.name} AS JSON) AS {DUCKDB_TYPES[c.type]})" if c.type in ("DATE", "TIMESTAMP") else c.name
            for c in cols
        )
        con.execute(f"INSERT INTO {table} ({names}) SELECT {converted} FROM fast_rows")
        loaded = _one_row(con.execute("SELECT " + ", ".join(f"count({c.name})" for c in cols) + f" FROM {table}"))
        return rows if list(loaded) == present else None  # nothing turned into NULL on the way


def _one_row(cursor: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """The row of an aggregate without GROUP BY: there always is one (DuckDB's fetchone() is
    typed as maybe None); none would be a DuckDB bug, and the validator decides then."""
    row = cursor.fetchone()
    if row is None:
        raise LookupError("an aggregate query returned no row")
    return row


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _inside(strings: list[str], char: str) -> str:
    """SQL: how many times `char` occurs inside the values of the columns `strings`."""
    return (
        " + ".join(
            f"coalesce(sum(strlen({s}) - strlen(replace({s}, '{char}', ''))) FILTER (WHERE contains({s}, '{char}')), 0)"
            for s in strings
        )
        or "0"
    )


def _checked(column: Column, escapes: bool, plain: bool = False) -> str:
    """The SQL that checks one JSON value's kind (as validate.py's checkers) and converts it."""
    c = column.name
    ok = _KIND_SQL[column.type].format(c=c)
    if column.type == "STRING":
        # Without a backslash in the file no string has an escape: its value is its JSON text
        # without the quotes (no parse per value).
        value = f"{c}->>'$'" if escapes else f"({c}::VARCHAR)[2:-2]"
    elif column.type in ("DATE", "TIMESTAMP") and plain:
        sure = f"regexp_full_match({c}::VARCHAR, '{_PLAIN[column.type]}')"
        value = f"CASE WHEN {sure} THEN CAST({c} AS {DUCKDB_TYPES[column.type]}) ELSE error('{c}: {_NOT_PLAIN}') END"
    elif column.type in ("DATE", "TIMESTAMP"):
        value = f"{c}::VARCHAR"
    elif column.type == "BOOL":
        value = f"{c}::VARCHAR = 'true'"
    else:
        value = f"CAST({c} AS {DUCKDB_TYPES[column.type]})"
    null = "NULL" if column.nullable else f"error('{c} is required')"
    return f"CASE WHEN {c} IS NULL THEN {null} WHEN {ok} THEN {value} ELSE error('{c}: another kind') END AS {c}"
