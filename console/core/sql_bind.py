"""A query from queries/ with its parameters bound, in BigQuery's dialect, for `bq query`.

The SQL modal's `c` copies this: the on-call engineer pastes it into
`bq query --use_legacy_sql=false` (or the BigQuery console) and gets the rows the drill-down
shows. Tables are the configured ones, qualified with the project when the config names only
`dataset.table`. Pure: sqlglot does the rewriting, nothing here runs a query.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlglot
from sqlglot import exp

import queries
from console.core.config import Settings
from console.core.schema import BY_LOGICAL


def context_params(settings: Settings, game_date: date, as_of: datetime) -> dict[str, Any]:
    """Every parameter a query of queries/ may name, for one game date judged at `as_of`
    (the same values the checks pass: the DNP window, the usage-rate maximum)."""
    days = settings.thresholds.dnp_window_days
    return {
        "game_date": game_date,
        "as_of": as_of,
        "start_date": game_date - timedelta(days=days - 1),
        "end_date": game_date,
        "max_usage_rate": float(settings.thresholds.usage_rate_max_pct),
    }


def _literal(value: Any) -> exp.Expression:
    # bool before int: bool is an int subclass; datetime before date: a datetime is a date.
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(repr(value))
    if isinstance(value, datetime):
        # BigQuery's TIMESTAMP is sqlglot's TIMESTAMPTZ (its TIMESTAMP is BigQuery's DATETIME).
        stamp = value.astimezone(UTC).isoformat(sep=" ")
        return exp.cast(exp.Literal.string(stamp), exp.DataType.build("TIMESTAMP", dialect="bigquery"))
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE"))
    return exp.Literal.string(str(value))


def bigquery_tables(settings: Settings) -> dict[str, str]:
    """Logical default name -> the configured table, project-qualified."""
    mapping = {}
    for logical, spec in BY_LOGICAL.items():
        target = getattr(settings.tables, logical)
        if len(target.split(".")) == 2:
            target = f"{settings.project}.{target}"
        mapping[spec.default_name] = target
    return mapping


def bound_bigquery(name: str, settings: Settings, params: dict[str, Any]) -> str:
    """queries/<name>.sql with the configured tables and `params` as literals, BigQuery SQL.
    A parameter the query names but `params` lacks is refused (KeyError), never left as `@x`."""
    tree = sqlglot.parse_one(queries.load(name), read="bigquery")
    tree = exp.replace_tables(tree, bigquery_tables(settings))
    names = {p.this.name for p in tree.find_all(exp.Parameter)}
    missing = sorted(names - set(params))
    if missing:
        raise KeyError(f"{name}: no value for @{', @'.join(missing)}")
    tree = tree.transform(lambda node: _literal(params[node.this.name]) if isinstance(node, exp.Parameter) else node)
    header = f"-- queries/{name}.sql, parameters bound: " + ", ".join(
        f"@{k}={v.isoformat() if isinstance(v, (date, datetime)) else v}"
        for k, v in sorted(params.items())
        if k in names
    )
    return header + "\n" + tree.sql(dialect="bigquery", pretty=True, comments=False) + ";\n"
