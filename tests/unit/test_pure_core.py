"""The pure core knows nothing of Textual: every module outside console/tui/ (the app, its
screens and widgets) and the panels' widget modules imports with `textual` made unimportable.

Run in a fresh interpreter, so modules the test session already loaded cannot hide an import.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import console
import panels

# Only these may import Textual: the shell, the panel widget drawn by it, and the adapter that
# holds Textual's private names for both (console/adapters/textual_private.py).
TEXTUAL_ROOMS = ("console.tui.", "console.__main__", "console.adapters.textual_private")
PANEL_WIDGETS = ("console.tui.widgets.check_panel", "console.tui.widgets.timeline_view")
# Every panel module (spec, fetch, judge, render to rich) and their shared helpers.
PURE_PANEL_MODULES = [
    info.name for info in pkgutil.walk_packages(panels.__path__, "panels.") if info.name not in PANEL_WIDGETS
]

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
    return [n for n in names if not n.startswith(TEXTUAL_ROOMS) and n != "console.tui"] + PURE_PANEL_MODULES


def test_the_walk_finds_the_core_rooms():
    names = pure_modules()
    for room in ("console.logs.parse", "console.playbook.engine", "console.backends.local_backend", "console.cli"):
        assert room in names
    assert not any(n.startswith("console.tui.") for n in names)
    for panel in (
        "panels.phase3",
        "panels.sequential",
        "panels.grading",
        "panels.dnp",
        "panels.usage",
        "panels.drift",
        "panels.registry",
        "panels.dispatch",
    ):
        assert panel in names
    assert "console.tui.widgets.check_panel" not in names


def test_pure_modules_import_without_textual():
    names = pure_modules()
    proc = subprocess.run([sys.executable, "-c", BLOCKER, *names], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "textual modules loaded: []"


def test_the_blocker_does_block_textual():
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKER, "console.tui.app"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0 and "textual is blocked" in proc.stderr
