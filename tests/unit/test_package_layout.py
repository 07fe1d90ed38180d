"""The package tree a newcomer can read: every module of console/ sits in its layer's package
(nothing loose at the top but __init__ and __main__), and no two modules or packages of console/
and panels/ share a last name, so `history.py` or `render` names one thing.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def last_names(top: Path) -> dict[str, list[str]]:
    """Each module's and package's last name -> where it is (relative paths)."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(top.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(ROOT)
        name = relative.parent.name if path.stem == "__init__" else path.stem
        found[name].append(str(relative))
    return found


def test_nothing_sits_loose_at_the_top_of_console():
    loose = sorted(p.name for p in (ROOT / "console").glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"], f"move these into their layer's package: {loose}"


def test_no_two_modules_share_a_name():
    names: dict[str, list[str]] = defaultdict(list)
    for top in ("console", "panels"):
        for name, where in last_names(ROOT / top).items():
            names[name] += where
    repeated = {name: where for name, where in names.items() if len(where) > 1}
    assert not repeated, f"modules sharing a name: {repeated}"


def test_the_walk_sees_packages_and_modules():
    assert last_names(ROOT / "console")["console"] == ["console/__init__.py"]
    assert last_names(ROOT / "console")["services"] == ["console/services/__init__.py"]
    assert last_names(ROOT / "panels")["registry"] == ["panels/registry.py"]
