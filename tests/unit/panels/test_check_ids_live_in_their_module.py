"""A check id is spelled only in its own panel module and in panels/registry.py (issue 25 item 5).

Every other module reaches a check through its spec's hooks (panels/spec.py), looked up by
panels/dispatch.py: what its drill-down rows are, what a notification lists, the timeline's
criteria and metrics, the history plots, the live feeds. This walks every module of `console/`
and `panels/` with `ast` and fails on a string constant (docstrings aside; comments are not
constants) that holds a registry id as a whole word.

Nor does any module but the registry import a check's module: it would read the check
around its hooks.

Exempt by rule, not by file: a string passed straight to a query call (`query_rows`,
`run_query`, `query_text`, `bound_bigquery`, `split_by_date`): query names are the
`queries/*.sql` namespace, and `grading_coverage.sql` happens to share its check's name; and
the constants of console/core/schema.py (the platform's table and collection names).

The packages are found through the imported `panels`, so the test judges whichever tree is on
the path (the seventh-check test runs it in a copy of the repository).
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import panels
from panels.registry import PANELS

ROOT = Path(panels.__file__).resolve().parent.parent
QUERY_CALLS = {"query_rows", "run_query", "query_text", "bound_bigquery", "split_by_date"}
EXEMPT_FILES = {Path("panels/registry.py"), Path("console/core/schema.py")}
HOOKS = (
    "rows_title/rows_empty (drill-down), reads (what a check without SQL reads), notify_rows, "
    "criteria/metrics (timeline), plot (history), live (LogFeed/DocumentFeed), help_text (check --help)"
)


def _own_modules() -> dict[str, Path]:
    own = {}
    for spec in PANELS:
        source = inspect.getsourcefile(spec.run)
        assert source is not None, spec.id
        own[spec.id] = Path(source).resolve().relative_to(ROOT)
    return own


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _query_names(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in QUERY_CALLS:
                ids |= {id(a) for a in node.args if isinstance(a, ast.Constant)}
    return ids


def offending_literals() -> list[str]:
    own = _own_modules()
    words = {check_id: re.compile(rf"\b{re.escape(check_id)}\b") for check_id in own}
    found = []
    for package in ("console", "panels"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel in EXEMPT_FILES:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))
            skip = _docstrings(tree) | _query_names(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in skip:
                    continue
                for check_id, word in words.items():
                    if own[check_id] != rel and word.search(node.value):
                        found.append(f"{rel}:{node.lineno}: {node.value[:80]!r} names {check_id}")
    return found


def test_every_check_id_lives_in_its_module():
    found = offending_literals()
    assert not found, (
        "a check id outside its panel module and panels/registry.py; give the check a hook instead "
        f"({HOOKS}) and call it through panels/dispatch.py:\n" + "\n".join(found)
    )


def imports_of_check_modules() -> list[str]:
    """Imports of a check's module (`panels.grading`, `from panels import grading`) outside
    it and the registry: a consumer that imports one reads the check around its hooks."""
    checks = {".".join(path.with_suffix("").parts) for path in _own_modules().values()}
    found = []
    for package in ("console", "panels"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel == Path("panels/registry.py"):
                continue
            own = ".".join(rel.with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                found += [f"{rel}:{node.lineno}: imports {n}" for n in names if n in checks and n != own]
    return found


def test_no_consumer_imports_a_check_module():
    found = imports_of_check_modules()
    assert not found, "go through panels/dispatch.py (or the spec from panels/registry.py):\n" + "\n".join(found)


def test_the_walk_sees_a_planted_id(tmp_path, monkeypatch):
    """The walk is not vacuous: an id in a string of another module is caught, in a docstring it
    is not, and as a query name it is not."""
    some_id = PANELS[0].id
    source = (
        f'"""{some_id} in a docstring."""\n'
        f"query_rows(backend, {some_id!r}, Row, {{}})\n"
        f"TITLES = {{{some_id!r}: 'x'}}\n"
        f"HELP = f'{some_id} (defaults: {{x}})'\n"
    )
    tree = ast.parse(source)
    skip = _docstrings(tree) | _query_names(tree)
    lines = sorted(
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip and some_id in n.value
    )
    assert lines == [3, 4]


def test_each_check_lives_in_its_own_module():
    own = _own_modules()
    assert len(set(own.values())) == len(own), own
    assert all(path.parent == Path("panels") for path in own.values()), own
