"""The import graph of console/ and panels/ has no circle, neither at module level nor through
imports inside functions (lazy imports); the app and its palette were a circle before issue 12.

Read from the source with `ast`, so it holds for modules no test happens to import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
    for name, (path, package) in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body if top_level_only else ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if package else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
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
