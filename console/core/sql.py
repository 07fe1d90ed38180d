"""Render the queries/ files for a backend: configured table names, then the dialect.

The files are written once, in BigQuery Standard SQL. sqlglot rewrites the table names the
config maps and, for the local backend, transpiles to DuckDB with ``$name`` parameters.

Transpiling is done once per query, not once per process: the result is kept in the user
cache dir (sql_cache.py), keyed by the SQL file's bytes, the table names and sqlglot's
version, so a normal `check` or console start never imports sqlglot (~0.4 s).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import queries
from console.core import sql_cache
from console.core.schema import BY_LOGICAL

if TYPE_CHECKING:
    from console.core.config_sections import Tables

Dialect = Literal["bigquery", "duckdb"]


def table_mapping(tables: Tables, dialect: Dialect) -> dict[str, str]:
    mapping = {}
    for logical, spec in BY_LOGICAL.items():
        target = getattr(tables, logical)
        if dialect == "duckdb":
            # DuckDB has schemas, not projects: keep dataset.table.
            target = ".".join(target.split(".")[-2:])
        mapping[spec.default_name] = target
    return mapping


@lru_cache(maxsize=128)
def _render(name: str, mapping: tuple[tuple[str, str], ...], dialect: Dialect) -> str:
    source = queries.load(name)
    return sql_cache.cached(("render", dialect, mapping), source, lambda: _transpile(source, mapping, dialect))


def _transpile(source: str, mapping: tuple[tuple[str, str], ...], dialect: Dialect) -> str:
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(source, read="bigquery")
    tree = exp.replace_tables(tree, dict(mapping))
    if dialect == "duckdb":
        tree = tree.transform(
            lambda node: exp.Placeholder(this=node.this.name) if isinstance(node, exp.Parameter) else node
        )
    return tree.sql(dialect=dialect, pretty=True, comments=False)


def render(name: str, tables: Tables, dialect: Dialect) -> str:
    return _render(name, tuple(sorted(table_mapping(tables, dialect).items())), dialect)


@lru_cache(maxsize=128)
def parameter_names(name: str) -> frozenset[str]:
    source = queries.load(name)
    text = sql_cache.cached(("parameters",), source, lambda: "\n".join(sorted(_parameters(source))))
    return frozenset(text.split("\n")) - {""}


def clear_cache() -> None:
    """Forget the texts this process rendered, as a new process starts: the next `render`
    reads the on-disk cache again (or transpiles on a miss)."""
    _render.cache_clear()
    parameter_names.cache_clear()


def _parameters(source: str) -> set[str]:
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(source, read="bigquery")
    return {p.this.name for p in tree.find_all(exp.Parameter)}


def bigquery_type(value: Any) -> str:
    # bool before int: bool is an int subclass.
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT64"
    if isinstance(value, float):
        return "FLOAT64"
    if isinstance(value, datetime):
        return "TIMESTAMP"
    if isinstance(value, date):
        return "DATE"
    if isinstance(value, str):
        return "STRING"
    raise TypeError(f"unsupported query parameter type {type(value).__name__}")
