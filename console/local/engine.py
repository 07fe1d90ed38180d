"""DuckDB's engine, without the Python layer the console never uses.

`import duckdb` (2.x) costs about 0.13 s of CPU, and the engine itself only 0.03 s of that: the
rest is the package's Python relation API, its arrow and polars detection (ctypes) and an
`importlib.metadata` lookup for `__version__`. The console uses `connect`, `execute`, `fetchall`
and the exception classes, all of which the compiled extension `_duckdb` defines itself (the
package re-exports the same objects, so `except engine.Error` catches what `duckdb.Error` does).
On the console's start-up that difference is a fifth of the gap to a bare Textual app (issue 13).

Wheels that do not ship the extension as top-level `_duckdb` (DuckDB before 1.4 kept it inside
the package) get the package: same objects, slower import.
"""

from __future__ import annotations

try:
    import _duckdb as duckdb

    # the whole surface the console uses: a wheel lacking any of it gets the package instead
    duckdb.connect, duckdb.DuckDBPyConnection, duckdb.Error, duckdb.CatalogException  # noqa: B018
except (ImportError, AttributeError):  # pragma: no cover - depends on the installed wheel
    import duckdb  # type: ignore[no-redef]

connect = duckdb.connect
DuckDBPyConnection = duckdb.DuckDBPyConnection
Error = duckdb.Error
CatalogException = duckdb.CatalogException

__all__ = ["CatalogException", "DuckDBPyConnection", "Error", "connect"]
