"""The queries/ files: BigQuery SQL, partition-filtered, no SELECT *, runnable on DuckDB."""

from __future__ import annotations

from datetime import UTC

import pytest
import sqlglot
from sqlglot import exp

import queries
from console.core import sql
from console.core.config import Tables
from console.core.schema import BY_DEFAULT_NAME


@pytest.mark.parametrize("name", queries.names())
def test_no_select_star(name):
    tree = sqlglot.parse_one(queries.load(name), read="bigquery")
    for select in tree.find_all(exp.Select):
        for projection in select.expressions:  # COUNT(*) is fine; `SELECT *` / `t.*` is not
            assert not projection.is_star, f"{name} uses SELECT *"


@pytest.mark.parametrize("name", queries.names())
def test_every_table_read_filters_on_its_partition(name):
    tree = sqlglot.parse_one(queries.load(name), read="bigquery")
    tables = list(tree.find_all(exp.Table))
    assert tables
    for table in tables:
        if not table.db:
            continue  # a CTE reference
        spec = BY_DEFAULT_NAME[f"{table.db}.{table.name}"]
        select = table.find_ancestor(exp.Select)
        where = select.args.get("where")
        assert where is not None, f"{name}: {spec.default_name} read without WHERE"
        columns = {c.name for c in where.find_all(exp.Column)}
        assert spec.partition in columns, f"{name}: {spec.default_name} not filtered on {spec.partition}"


@pytest.mark.parametrize("name", queries.names())
def test_parameters_are_named(name):
    assert sql.parameter_names(name), f"{name} has no @parameters"
    assert "$" not in queries.load(name)


def test_configured_table_names_are_substituted():
    tables = Tables(prediction_accuracy="proj.graded.acc")
    bq = sql.render("grading_coverage", tables, "bigquery")
    duck = sql.render("grading_coverage", tables, "duckdb")
    assert "proj.graded.acc" in bq and "nba_predictions.prediction_accuracy" not in bq
    assert "graded.acc" in duck and "proj." not in duck
    assert "COUNT_IF" in duck and "$game_date" in duck
    assert "COUNTIF" in bq and "@game_date" in bq


def test_unknown_query_is_a_clear_error():
    with pytest.raises(KeyError, match="no query named"):
        queries.load("nope")


def test_parameter_types():
    from datetime import date, datetime

    assert [sql.bigquery_type(v) for v in (True, 3, 1.5, datetime.now(UTC), date(2026, 2, 5), "x")] == [
        "BOOL",
        "INT64",
        "FLOAT64",
        "TIMESTAMP",
        "DATE",
        "STRING",
    ]
    with pytest.raises(TypeError):
        sql.bigquery_type(object())
