"""The on-disk cache of transpiled SQL (core/sql_cache.py, issue 13): a query is transpiled
once, not once per process; the cache misses when the SQL file, the table names or sqlglot's
version change; a corrupt or unwritable cache still gives the right SQL. Transpiles are counted
as the BigQuery texts sqlglot's public `parse_one` reads; `sql.clear_cache()` stands for a new process."""

from __future__ import annotations

import pytest
import sqlglot

import queries
from console.core import sql, sql_cache
from console.core.config import Tables


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NBA_CONSOLE_CACHE_DIR", str(tmp_path / "sql"))
    sql.clear_cache()
    yield tmp_path / "sql"
    sql.clear_cache()


@pytest.fixture
def transpiles(monkeypatch) -> list[str]:
    """One entry per query file sqlglot read: they are BigQuery SQL (sqlglot parses table names
    and its own DuckDB snippets on the way too; those are not counted)."""
    calls: list[str] = []
    real = sqlglot.parse_one

    def counted(source, *args, **kwargs):
        if kwargs.get("read") == "bigquery":
            calls.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(sqlglot, "parse_one", counted)
    return calls


def test_a_cached_query_is_the_transpiled_one_and_is_not_transpiled_again(cache_dir, transpiles, monkeypatch, tmp_path):
    first = sql.render("grading_coverage", Tables(), "duckdb")
    assert len(transpiles) == 1 and len(list(cache_dir.iterdir())) == 1
    sql.clear_cache()  # as a new process would
    assert sql.render("grading_coverage", Tables(), "duckdb") == first
    assert len(transpiles) == 1
    # What the cache returned is what a transpile with an empty cache gives.
    monkeypatch.setenv("NBA_CONSOLE_CACHE_DIR", str(tmp_path / "empty"))
    sql.clear_cache()
    assert sql.render("grading_coverage", Tables(), "duckdb") == first
    assert len(transpiles) == 2


def test_a_changed_table_config_or_sql_file_or_sqlglot_version_misses(cache_dir, transpiles, monkeypatch):
    default = sql.render("grading_coverage", Tables(), "duckdb")
    renamed = sql.render("grading_coverage", Tables(prediction_accuracy="p.nba_predictions.graded"), "duckdb")
    assert len(transpiles) == 2 and "nba_predictions.graded" in renamed and renamed != default

    sql.clear_cache()
    original = queries.load
    monkeypatch.setattr(queries, "load", lambda name: original(name).replace("SELECT", "SELECT /* v2 */", 1))
    assert sql.render("grading_coverage", Tables(), "duckdb") == default  # comments dropped: same text
    assert len(transpiles) == 3  # but a different file: transpiled again

    sql.clear_cache()
    monkeypatch.setattr(queries, "load", original)
    sql_cache.sqlglot_version.cache_clear()
    monkeypatch.setattr(sql_cache, "sqlglot_version", lambda: "0.0.0-other")
    sql.render("grading_coverage", Tables(), "duckdb")
    assert len(transpiles) == 4
    assert len(list(cache_dir.iterdir())) == 4


def test_a_corrupt_or_unwritable_cache_still_gives_the_right_sql(cache_dir, monkeypatch):
    good = sql.render("dnp_by_day", Tables(), "duckdb")
    sql.clear_cache()
    for entry in cache_dir.iterdir():  # an entry that is not text
        entry.write_bytes(b"\xff\xfe\x00garbage")
    assert sql.render("dnp_by_day", Tables(), "duckdb") == good
    sql.clear_cache()
    blocker = cache_dir.parent / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("NBA_CONSOLE_CACHE_DIR", str(blocker / "sql"))  # below a regular file: cannot be made
    assert sql.render("dnp_by_day", Tables(), "duckdb") == good


def test_parameter_names_are_cached_too(cache_dir, transpiles):
    names = sql.parameter_names("grading_coverage")
    assert len(transpiles) == 1
    sql.clear_cache()
    assert sql.parameter_names("grading_coverage") == names and "game_date" in names
    assert len(transpiles) == 1  # read back from the disk cache
