"""No module outside console/adapters/ uses a private name of textual, textual-serve, rich,
duckdb or the Google clients (issue 25); the adapters hold them all, checked against each
installed version by tests/unit/adapters/test_private_api_adapters.py.

Three looks, each catching what the others cannot:
1. imports, read with `ast` (console/, panels/, benchmarks/, tests/): no private module
   (`_duckdb`, `textual.widgets._footer`) and no private name imported from a dependency;
2. attributes, read with `ast` (console/, panels/): every `x._name` used names something our
   own code defines, so it cannot be a dependency's (`retry._predicate`, `Screen._x = f`);
3. classes, at run time (console/, panels/): a class of ours that derives from a dependency's
   class neither overrides nor touches (`self._name`, `super()._name`) a private name that
   class has.
Looks 2 and 3 read the product's code; benchmarks/ may instrument a dependency's internals to
time it (benchmarks/logs_bench.py does, for the key-latency row), never the product.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEPENDENCIES = ("textual", "textual_serve", "rich", "duckdb", "_duckdb", "google", "textual_plotext")
ADAPTERS = ROOT / "console" / "adapters"
# Private names of the standard library, outside this rule (it is about the bounded dependencies):
# argparse keeps its parser's actions and the subparsers' class under private names, with no
# public way to walk a parser (shell completion does); os._exit is documented.
STDLIB = {"_actions": "argparse", "_SubParsersAction": "argparse", "_exit": "os"}


def _files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if ADAPTERS not in p.parents)


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _private_import(node: ast.AST) -> str | None:
    def private_module(name: str) -> bool:
        parts = name.split(".")
        return parts[0] in DEPENDENCIES and (parts[0] == "_duckdb" or any(p.startswith("_") for p in parts[1:]))

    if isinstance(node, ast.Import):
        return next((a.name for a in node.names if private_module(a.name)), None)
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if private_module(node.module):
            return node.module
        if node.module.split(".")[0] in DEPENDENCIES:
            name = next((a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")), None)
            return f"{node.module}.{name}" if name else None
    return None


@pytest.mark.slow
def test_no_private_module_or_name_of_a_dependency_is_imported():
    found = []
    for path in _files("console", "panels", "benchmarks", "tests"):
        found.extend(
            f"{path.relative_to(ROOT)}:{node.lineno} imports {name}"
            for node in ast.walk(_tree(path))
            if (name := _private_import(node)) is not None
        )
    assert not found, "private imports belong in console/adapters/: " + "; ".join(found)


def _our_names() -> set[str]:
    """Every name our code defines: functions, classes, assignments, attributes it sets on
    `self` or `cls` (not `Screen._x = ...`: that would be setting a dependency's)."""
    names: set[str] = set()
    for path in _files("console", "panels"):
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                names.add(node.attr)  # (look 3 checks these against a dependency base class)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[0])
    return names


def test_every_private_attribute_used_is_one_of_ours():
    ours = _our_names()
    found = []
    for path in _files("console", "panels"):
        found.extend(
            f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}"
            for node in ast.walk(_tree(path))
            if isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and node.attr not in ours
            and node.attr not in STDLIB
        )
    assert not found, "not defined by our code, so a dependency's: move it into console/adapters/: " + "; ".join(found)


def _modules() -> list[str]:
    names = []
    for path in _files("console", "panels"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__main__":  # runs the app when imported
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _dependency_bases(cls: type) -> list[type]:
    return [base for base in cls.__mro__[1:] if (base.__module__ or "").split(".")[0] in DEPENDENCIES]


@cache
def _private_names_of(base: type) -> frozenset[str]:
    """Private names a dependency's class has: on the class, or set on `self` in its source."""
    names = {n for n in vars(base) if n.startswith("_") and not n.startswith("__")}
    try:
        source = inspect.getsource(base)
    except (OSError, TypeError):  # a compiled class
        return frozenset(names)
    return frozenset(names | set(re.findall(r"\bself\.(_[A-Za-z]\w*)", source)))


@pytest.mark.slow
def test_no_class_of_ours_overrides_or_touches_a_private_name_of_its_dependency_base():
    found = []
    for module_name in _modules():
        module = importlib.import_module(module_name)
        path = Path(module.__file__)
        tree = _tree(path)
        for node in ast.walk(tree):
            cls = getattr(module, node.name, None) if isinstance(node, ast.ClassDef) else None
            if not inspect.isclass(cls) or not (bases := _dependency_bases(cls)):
                continue
            defined = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
            touched = {
                n.attr
                for n in ast.walk(node)
                if isinstance(n, ast.Attribute)
                and (
                    (isinstance(n.value, ast.Name) and n.value.id == "self")
                    or (isinstance(n.value, ast.Call) and getattr(n.value.func, "id", "") == "super")
                )
            }
            for base in bases:
                clash = sorted((defined | touched) & _private_names_of(base))
                if clash:
                    found.append(
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} uses "
                        f"{base.__module__}.{base.__qualname__}'s {', '.join(clash)}"
                    )
    assert not found, "private names of a dependency's class belong in console/adapters/: " + "; ".join(found)


def test_the_looks_do_catch_what_they_are_for(tmp_path):
    # the import look
    assert _private_import(ast.parse("import _duckdb").body[0]) == "_duckdb"
    assert (
        _private_import(ast.parse("from textual.widgets._footer import FooterKey").body[0]) == "textual.widgets._footer"
    )
    assert (
        _private_import(ast.parse("from textual.widget import _BorderTitle").body[0]) == "textual.widget._BorderTitle"
    )
    assert _private_import(ast.parse("from textual.widgets import Static").body[0]) is None
    # the class look, on a class that overrides and touches Textual's private names
    from textual.widget import Widget

    assert {"_scroll_update", "_styles_cache", "_border_subtitle"} <= _private_names_of(Widget)
    assert "_our_own_helper" not in _private_names_of(Widget)
