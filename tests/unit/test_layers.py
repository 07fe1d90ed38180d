"""The layers hold: cli > tui > services > checks | playbook > backends > logs | local > core.

Three views of one rule, each seeing what the others cannot:
- `lint-imports` checks the contracts of pyproject.toml's [tool.importlinter] on the static import
  graph (imports inside functions and under TYPE_CHECKING included);
- the runtime blocker imports every module outside console/tui/ in a fresh interpreter with
  `textual` made unimportable, so a module loaded by name (COMMAND_MODULES) cannot hide an import;
- the module graph read with `ast` has no circle, not even through imports inside functions (the
  app and its palette were one before issue 12); lint-imports only forbids circles between sibling
  packages.
"""

from __future__ import annotations

import ast
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import console
import panels

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_import_contracts_hold():
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_an_upward_import_breaks_the_layers(tmp_path):
    # The contracts bind: a copy of the tree where the core imports a service fails loudly.
    for name in ("console", "panels", "queries", "playbooks"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    clock = tmp_path / "console" / "core" / "clock.py"
    clock.write_text(clock.read_text(encoding="utf-8") + "\nimport console.services.runner\n", encoding="utf-8")
    proc = lint_imports(tmp_path)
    assert proc.returncode != 0
    assert "BROKEN" in proc.stdout and "console.core.clock -> console.services.runner" in proc.stdout


# Only these may import Textual: the TUI, `python -m console`, and the adapter that holds
# Textual's private names for the TUI (console/adapters/textual_private.py).
TEXTUAL_ROOMS = ("console.tui.", "console.__main__", "console.adapters.textual_private")

BLOCKER = """
import importlib, sys
class BlockTextual:
    def find_spec(self, name, path=None, target=None):
        if name == "textual" or name.startswith("textual."):
            raise ImportError("textual is blocked in the pure core: " + name)
sys.meta_path.insert(0, BlockTextual())
for name in sys.argv[1:]:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print("textual modules loaded:", loaded)
"""


def pure_modules() -> list[str]:
    names = [info.name for info in pkgutil.walk_packages(console.__path__, "console.")]
    names += [info.name for info in pkgutil.walk_packages(panels.__path__, "panels.")]
    return [n for n in names if not n.startswith(TEXTUAL_ROOMS) and n != "console.tui"]


def test_the_walk_finds_the_core_rooms():
    names = pure_modules()
    for room in (
        "console.logs.parse",
        "console.playbook.engine",
        "console.backends.local_backend",
        "console.services.runner",
        "console.cli",
        "console.cli.logs_command",
        "panels.registry",
        "panels.dispatch",
    ):
        assert room in names
    for panel in ("phase3", "sequential", "grading", "dnp", "usage", "drift"):
        assert f"panels.{panel}" in names
    assert not any(n.startswith("console.tui.") for n in names)


def test_modules_outside_the_tui_import_without_textual():
    names = pure_modules()
    proc = subprocess.run([sys.executable, "-c", BLOCKER, *names], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "textual modules loaded: []"


def test_the_blocker_does_block_textual():
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKER, "console.tui.app"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0 and "textual is blocked" in proc.stderr


def modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in sorted([*(ROOT / "console").rglob("*.py"), *(ROOT / "panels").rglob("*.py")]):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if package else parts)] = (path, package)
    return found


def graph(top_level_only: bool) -> dict[str, set[str]]:
    mods = modules()
    edges: dict[str, set[str]] = {name: set() for name in mods}
    for name, (path, _package) in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body if top_level_only else ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not node.level, f"{path}: a relative import (ruff's TID252 refuses them)"
                target = node.module or ""
                # `from pkg import mod` imports the submodule: the edge goes to it, and to the
                # package itself only for names that are not submodules (Python initialises a
                # parent package for every submodule; that alone is no circle).
                submodules = [f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in mods]
                candidates = submodules + ([target] if len(submodules) < len(node.names) else [])
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            edges[name].update(c for c in candidates if c in mods and c != name)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_sees_the_rooms():
    edges = graph(top_level_only=True)
    assert "console.logs.parse" in edges["console.backends.local_log_source"]
    assert "console.tui.palette" in edges["console.tui.app"]


def test_no_import_circle_at_module_level():
    assert circles(graph(top_level_only=True)) == []


def test_no_import_circle_even_through_imports_inside_functions():
    assert circles(graph(top_level_only=False)) == []


@pytest.mark.slow
def test_the_graph_sees_imports_inside_functions():
    lazy = graph(top_level_only=False)
    assert "console.tui.serve" in lazy["console.cli.serve_command"]  # imported only when `serve` runs
    assert "console.tui.serve" not in graph(top_level_only=True)["console.cli.serve_command"]
    assert "console.backends.gcp_backend" in lazy["console.backends"]


def test_the_app_and_its_palette_are_in_no_circle():
    involved = {m for circle in circles(graph(top_level_only=False)) for m in circle}
    assert not involved & {"console.tui.app", "console.tui.palette"}


def test_a_circle_is_found_when_there_is_one():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
