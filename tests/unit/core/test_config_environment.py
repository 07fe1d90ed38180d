"""Every environment variable the console reads is declared (issue 25 item 8): a setting's
`NBA_CONSOLE_*` variable, or one of config_environment.ENVIRONMENT, which the configuration
reference lists and the code reads through its constant. An `ast` scan of console/ and panels/
finds every variable name the code spells and every variable it reads by a literal name."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import main
from console.core.config import Settings
from console.core.config_environment import ENVIRONMENT
from console.core.config_reference import env_name, setting_rows

ROOT = Path(__file__).resolve().parents[3]
SOURCES = sorted([*(ROOT / "console").rglob("*.py"), *(ROOT / "panels").rglob("*.py")])
DECLARED_IN = ROOT / "console" / "core" / "config_environment.py"
SHAPE = re.compile(r"\b(?:NBA_CONSOLE_[A-Z0-9_]*[A-Z0-9]|GOOGLE_[A-Z0-9_]*[A-Z0-9]|[A-Z][A-Z0-9_]*_EMULATOR_HOST)\b")

# Names the code spells that are not variables it reads, each with why.
NOT_READ = {
    "CLOUDSDK_CORE_DISABLE_PROMPTS": "set for the gcloud child only (console/backends/gcp_deploy.py)",
    "_ARGCOMPLETE": "argcomplete's own protocol with the shell asking for completions (console/cli)",
    "NBA_CONSOLE_SLACK_WEBHOOK": "an example, in a message, of a variable a [[notify]] channel's url_env names",
    "NBA_CONSOLE_GCP_QUERY_TIMEOUT_S": "the configuration reference's example of a misspelt variable",
}


def settings_variables() -> set[str]:
    names = {env_name(path) for path, _ in setting_rows()}
    return names | {env_name((name,)) for name in Settings.model_fields}  # a whole section, as JSON


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def read_by_literal(node: ast.AST) -> str | None:
    """`os.environ.get("X")`, `os.environ["X"]`, `os.getenv("X")`, `"X" in os.environ`,
    `os.environ.setdefault("X", ...)`: the literal name read."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        if isinstance(func, ast.Attribute) and (
            (func.attr in ("get", "setdefault", "pop") and is_environ(func.value)) or func.attr == "getenv"
        ):
            return node.args[0].value
    if isinstance(node, ast.Subscript) and is_environ(node.value) and isinstance(node.slice, ast.Constant):
        return node.slice.value
    if (
        isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Constant)
        and any(is_environ(c) for c in node.comparators)
    ):
        return node.left.value
    return None


def spelled() -> dict[str, set[str]]:
    """Variable names in the code's string constants (docstrings left out: they explain), and the
    names it reads by a literal, each with the files that spell it."""
    found: dict[str, set[str]] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = docstrings(tree)
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                for name in SHAPE.findall(node.value):
                    found.setdefault(name, set()).add(rel)
            literal = read_by_literal(node)
            if isinstance(literal, str):
                found.setdefault(literal, set()).add(rel)
    return found


def test_every_environment_variable_is_declared():
    declared = {var.name for var in ENVIRONMENT}
    known = declared | settings_variables() | set(NOT_READ)
    unknown = {name: sorted(files) for name, files in spelled().items() if name not in known}
    assert not unknown, (
        f"{unknown}: declare each in console/core/config_environment.py ENVIRONMENT (name, what it does) "
        "and read it through its constant, or say in NOT_READ why it is not read"
    )


def test_each_declared_variable_is_spelled_once():
    """The code reads a declared variable through its constant, never its name written again."""
    for name, files in spelled().items():
        if name in {var.name for var in ENVIRONMENT}:
            assert files == {str(DECLARED_IN.relative_to(ROOT))}, (name, sorted(files))


def test_the_scan_finds_a_read_and_a_name():
    tree = ast.parse('import os\nos.environ.get("SOME_TOKEN")\nx = "set $FOO_EMULATOR_HOST first"\n"A" in os.environ')
    reads = [read_by_literal(node) for node in ast.walk(tree)]
    assert "SOME_TOKEN" in reads and "A" in reads
    assert SHAPE.findall("set $FOO_EMULATOR_HOST first") == ["FOO_EMULATOR_HOST"]


def test_the_reference_lists_every_declared_variable(capsys):
    assert main(["config", "--reference"]) == 0
    out = capsys.readouterr().out
    table = out.split("## Environment variables that are not settings", 1)[1]
    for var in ENVIRONMENT:
        purpose = var.purpose.replace("|", "\\|")
        assert f"| `{var.name}` | {purpose} |" in table


PROBE = """
import json, sys
from console.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "settings_library": "pydantic_settings" in sys.modules}), file=sys.stderr)
"""


@pytest.mark.parametrize("var", [v.name for v in ENVIRONMENT if v.name.startswith("NBA_CONSOLE_")])
def test_a_declared_variable_is_not_taken_for_a_setting(var, tmp_path):
    """Set, it is neither refused as an unknown setting nor makes the settings library load (a
    third of what `check` costs): `config` runs on the plain model."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBA_CONSOLE_")}
    env[var] = str(tmp_path / "x") if var.endswith(("_DIR", "_CONFIG")) else "x" * 20
    if var.endswith("_CONFIG"):
        (tmp_path / "x").write_text("")  # a config file, empty
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "config"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, proc.stderr
    if not var.endswith("_CONFIG"):  # a config file is read by the settings library, by design
        assert report["settings_library"] is False
