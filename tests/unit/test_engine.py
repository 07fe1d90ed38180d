"""Issue 13 (start): the console reads DuckDB through its compiled engine (`_duckdb`), not the
`duckdb` package, whose Python layer costs the start-up ~0.1 s; a wheel without a top-level
engine module gets the package, with the same objects."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb

from console.local import engine

FRESH = """
import json, sys
{setup}
from console.local import engine
con = engine.connect(":memory:")
rows = con.execute("SELECT 42 AS answer, ?::INTEGER + 1", [1]).fetchall()
try:
    con.execute("SELECT * FROM no_such_table")
    refused = None
except engine.CatalogException as exc:
    refused = type(exc).__name__
print(json.dumps({{"rows": rows, "refused": refused, "module": engine.duckdb.__name__,
                  "package": "duckdb" in sys.modules}}))
"""


def _fresh(setup: str = "") -> dict:
    proc = subprocess.run([sys.executable, "-c", FRESH.format(setup=setup)], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(proc.stdout)


def test_the_engine_answers_without_importing_the_package():
    assert _fresh() == {"rows": [[42, 2]], "refused": "CatalogException", "module": "_duckdb", "package": False}


def test_an_engine_module_without_the_surface_falls_back_to_the_package():
    # DuckDB before 1.4 had no top-level `_duckdb`; another module of that name, or one lacking
    # what the console calls, must not be used: the package is (stand-ins for both here).
    code = """
import json, sys, types
sys.modules["_duckdb"] = types.ModuleType("_duckdb")  # no connect, no Error...
package = types.ModuleType("duckdb")
for name in ("connect", "DuckDBPyConnection", "Error", "CatalogException"):
    setattr(package, name, object())
sys.modules["duckdb"] = package
from console.local import engine
print(json.dumps([engine.duckdb is package, engine.connect is package.connect, engine.Error is package.Error]))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(proc.stdout) == [True, True, True]


def test_the_engine_objects_are_the_packages():
    # so `except engine.Error` in the console catches what `duckdb` raises, and back
    assert engine.Error is duckdb.Error and engine.CatalogException is duckdb.CatalogException
    assert engine.DuckDBPyConnection is duckdb.DuckDBPyConnection and engine.connect is duckdb.connect
