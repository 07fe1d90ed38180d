"""Issue 13: what a command imports. A normal `check` reads its DuckDB SQL from the cache
(never importing sqlglot; the cache itself: tests/unit/core/test_sql_cache.py); `--help` imports
no command module and none of the heavy libraries; a command imports only its own module.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from console import cli

PROBE = """
import json, sys
from console.cli import main
code = main(sys.argv[1:])
heavy = ("sqlglot", "rich", "rich.console", "textual", "duckdb", "pydantic", "pydantic_settings",
         "google.cloud.bigquery", "console.cli.local_command", "console.cli.playbook_command",
         "console.cli.logs_command", "console.cli.serve_command", "console.cli.history_command",
         "console.cli.watch_command", "console.services.runner")
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
        " 'console.cli.local_command', 'console.cli.logs_command', 'console.cli.playbook_command')"
        " if m in sys.modules]\n"
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
    # The help a person reads is the same whether the commands' modules were imported or not.
    full = cli.build_parser().format_help()
    assert cli.build_parser(()).format_help() == full
    listed = set(re.findall(r"^    (\S+)", full, flags=re.MULTILINE))
    assert set(cli.COMMANDS) | {"check", "report", "config"} == listed


def test_lazy_parse_gives_the_same_namespace_as_the_full_parser(demo_settings):
    for argv in (
        ["tail", "--service", "grading"],
        ["local", "export", "x"],
        ["--read-only", "check", "--json"],
        ["history", "--days", "3"],
        [],
    ):
        assert vars(cli.parse_args(argv)) == vars(cli.build_parser().parse_args(argv))
