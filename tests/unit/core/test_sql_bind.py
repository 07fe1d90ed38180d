"""The SQL modal's `c`: a query with its values bound, BigQuery dialect, real table names.

Proof it is the same query: the bound BigQuery text, transpiled back to DuckDB by sqlglot,
returns on the demo exactly the rows the backend returns for the parameterised query, and the
drill-downs' rows."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from console.core.sql_bind import bigquery_tables, bound_bigquery, context_params
from console.local.scenario import DB_FILE
from console.services.runner import SPEC_BY_ID, SPECS, CheckContext
from tests.conftest import DEMO_END

FEB3 = date(2026, 2, 3)


def _run_bound_on_duckdb(text: str, settings, backend) -> list[dict]:
    tree = sqlglot.parse_one(text, read="bigquery")
    back = {
        f"{settings.project}.{t}" if len(t.split(".")) == 2 else t: ".".join(t.split(".")[-2:])
        for t in bigquery_tables(settings).values()
    }
    tree = exp.replace_tables(tree, back)
    con = duckdb.connect(str(backend.root() / DB_FILE), read_only=True)
    try:
        cursor = con.execute(tree.sql(dialect="duckdb"))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


# The queries a drill-down's SQL modal shows (history's range queries are not shown there).
SHOWN = sorted({q for spec in SPECS for q in spec.queries})


@pytest.mark.parametrize("name", SHOWN)
def test_bound_query_returns_what_the_parameterised_one_does(name, demo_settings, demo_backend):
    params = context_params(demo_settings, FEB3, DEMO_END)
    text = bound_bigquery(name, demo_settings, params)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    assert "@" not in body and f"`{demo_settings.project}`." in body  # bound, project-qualified
    sqlglot.parse_one(body, read="bigquery")  # valid BigQuery
    expected = demo_backend.run_query(name, {k: v for k, v in params.items() if k in text})
    assert _run_bound_on_duckdb(body, demo_settings, demo_backend) == expected


@pytest.mark.parametrize("check_id", ["grading_coverage", "dnp_pollution", "usage_rate_coverage"])
def test_bound_drill_query_gives_the_drill_down_rows(check_id, demo_settings, demo_backend):
    spec = SPEC_BY_ID[check_id]
    drill_query = spec.queries[-1]  # the drill-down's own query (ungraded, polluted rows, problem players)
    text = bound_bigquery(drill_query, demo_settings, context_params(demo_settings, FEB3, DEMO_END))
    rows = _run_bound_on_duckdb(text, demo_settings, demo_backend)
    assert len(rows) == len(spec.drill(demo_backend, CheckContext(demo_settings, FEB3, DEMO_END)))


def test_a_missing_value_is_refused_not_left_as_a_parameter(demo_settings):
    with pytest.raises(KeyError, match="@game_date"):
        bound_bigquery("usage_problem_players", demo_settings, {"as_of": DEMO_END, "max_usage_rate": 100.0})


def test_configured_three_part_names_are_kept(demo_settings):
    settings = demo_settings.model_copy(
        update={"tables": demo_settings.tables.model_copy(update={"player_game_summary": "other-proj.analytics.pgs"})}
    )
    text = bound_bigquery("usage_problem_players", settings, context_params(settings, FEB3, DEMO_END))
    assert "`other-proj`.analytics.pgs" in text
