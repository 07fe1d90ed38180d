"""Issue 13: what a command imports, and the on-disk cache of transpiled SQL.

A normal `check` reads its DuckDB SQL from the cache (never importing sqlglot); the cache
misses when the SQL file, the table names or sqlglot's version change; `--help` imports no
command module and none of the heavy libraries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import queries
from console import cli
from console.core import sql, sql_cache
from console.core.config import Tables

PROBE = """
import json, sys
from console.cli import main
code = main(sys.argv[1:])
heavy = ("sqlglot", "rich", "rich.console", "textual", "duckdb", "pydantic", "pydantic_settings", "google.cloud.bigquery",
         "console.cli.local_command", "console.cli.playbook_command", "console.cli.logs_command", "console.cli.serve_command",
         "console.cli.history_command", "console.cli.watch_command", "console.services.runner")
print(json.dumps({"code": code, "imported": [m for m in heavy if m in sys.modules]}), file=sys.stderr)
"""


def _imports(argv: list[str], cache: str) -> tuple[int, list[str]]:
    env = {**os.environ, "NBA_CONSOLE_CACHE_DIR": cache}
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env, timeout=120)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return report["code"], report["imported"]


def test_help_lists_every_command():
    proc = subprocess.run([sys.executable, "-m", "console", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for name in (*cli.COMMANDS, "check", "report", "config"):
        assert f"    {name}" in proc.stdout


def test_help_imports_no_command_module_and_no_heavy_library():
    probe = (
        "import sys\nfrom console.cli import build_parser, parse_args\n"
        "try:\n    parse_args(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlglot', 'rich', 'textual', 'duckdb', 'pydantic', 'pydantic_settings',"
        " 'console.cli.local_command', 'console.cli.logs_command', 'console.cli.playbook_command') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60).stdout
    assert out.strip().splitlines()[-1] == "[]"


@pytest.mark.slow
def test_check_json_never_imports_sqlglot_once_the_cache_is_warm(demo_settings, tmp_path):
    argv = ["--data-dir", str(demo_settings.data_dir), "check", "--date", "2026-02-04", "--at", "11:00", "--json"]
    cache = str(tmp_path / "cache")
    code, imported = _imports(argv, cache)  # cold: transpiles and fills the cache
    assert code == 1 and "sqlglot" in imported
    assert os.listdir(cache)
    code, imported = _imports(argv, cache)
    assert code == 1
    # rich.text comes with the panel modules (their renderers' types); the terminal
    # renderer (rich.console) only for a person's terminal.
    assert "sqlglot" not in imported and "rich.console" not in imported and "textual" not in imported
    assert not any(m.startswith("console.cli.") for m in imported)


def test_only_the_given_commands_module_is_imported(demo_settings, tmp_path):
    argv = ["--data-dir", str(demo_settings.data_dir), "local", "export", str(tmp_path / "out")]
    code, imported = _imports(argv, str(tmp_path / "cache"))
    assert code == 0
    assert "console.cli.local_command" in imported and "console.cli.playbook_command" not in imported
    assert "rich.console" not in imported


def test_placeholder_help_matches_each_modules_own_registration():
    full = cli.build_parser()
    lazy = cli.build_parser(())

    def actions(p):
        return {a.dest: a.help for a in next(x for x in p._actions if x.dest == "command")._choices_actions}

    assert actions(lazy) == actions(full)
    assert set(cli.COMMANDS) | {"check", "report", "config"} == set(actions(full))


def test_lazy_parse_gives_the_same_namespace_as_the_full_parser(demo_settings):
    for argv in (
        ["tail", "--service", "grading"],
        ["local", "export", "x"],
        ["--read-only", "check", "--json"],
        ["history", "--days", "3"],
        [],
    ):
        assert vars(cli.parse_args(argv)) == vars(cli.build_parser().parse_args(argv))


# ------------------------------------------------------------------ the SQL cache


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NBA_CONSOLE_CACHE_DIR", str(tmp_path / "sql"))
    sql._render.cache_clear()
    sql.parameter_names.cache_clear()
    yield tmp_path / "sql"
    sql._render.cache_clear()
    sql.parameter_names.cache_clear()


def _counting(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = sql._transpile

    def counted(source, mapping, dialect):
        calls.append(dialect)
        return real(source, mapping, dialect)

    monkeypatch.setattr(sql, "_transpile", counted)
    return calls


def test_a_cached_query_is_the_transpiled_one_and_is_not_transpiled_again(cache_dir, monkeypatch):
    calls = _counting(monkeypatch)
    first = sql.render("grading_coverage", Tables(), "duckdb")
    assert calls == ["duckdb"] and len(list(cache_dir.iterdir())) == 1
    sql._render.cache_clear()  # as a new process would
    assert sql.render("grading_coverage", Tables(), "duckdb") == first
    assert calls == ["duckdb"]
    assert first == sql._transpile(
        queries.load("grading_coverage"), tuple(sorted(sql.table_mapping(Tables(), "duckdb").items())), "duckdb"
    )


def test_a_changed_table_config_or_sql_file_or_sqlglot_version_misses(cache_dir, monkeypatch):
    calls = _counting(monkeypatch)
    default = sql.render("grading_coverage", Tables(), "duckdb")
    renamed = sql.render("grading_coverage", Tables(prediction_accuracy="p.nba_predictions.graded"), "duckdb")
    assert len(calls) == 2 and "nba_predictions.graded" in renamed and renamed != default

    sql._render.cache_clear()
    original = queries.load
    monkeypatch.setattr(queries, "load", lambda name: original(name).replace("SELECT", "SELECT /* v2 */", 1))
    assert sql.render("grading_coverage", Tables(), "duckdb") == default  # comments dropped: same text
    assert len(calls) == 3  # but a different file: transpiled again

    sql._render.cache_clear()
    monkeypatch.setattr(queries, "load", original)
    sql_cache.sqlglot_version.cache_clear()
    monkeypatch.setattr(sql_cache, "sqlglot_version", lambda: "0.0.0-other")
    sql.render("grading_coverage", Tables(), "duckdb")
    assert len(calls) == 4
    assert len(list(cache_dir.iterdir())) == 4


def test_a_corrupt_or_unwritable_cache_still_gives_the_right_sql(cache_dir, monkeypatch):
    good = sql.render("dnp_by_day", Tables(), "duckdb")
    sql._render.cache_clear()
    for entry in cache_dir.iterdir():  # an entry that is not text
        entry.write_bytes(b"\xff\xfe\x00garbage")
    assert sql.render("dnp_by_day", Tables(), "duckdb") == good
    sql._render.cache_clear()
    blocker = cache_dir.parent / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("NBA_CONSOLE_CACHE_DIR", str(blocker / "sql"))
    assert sql.render("dnp_by_day", Tables(), "duckdb") == good


def test_parameter_names_are_cached_too(cache_dir):
    names = sql.parameter_names("grading_coverage")
    sql.parameter_names.cache_clear()
    assert sql.parameter_names("grading_coverage") == names and "game_date" in names
