"""The README's recipe for a panel holds: a panel is one module in panels/ (its SPEC), its SQL
in queries/, one line in panels/registry.py; `check --help`, the runner and history all read
the registry, and every query and playbook a panel names exists."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import panels
from console.cli import main
from console.services.history import HISTORY_QUERIES, SHORT_TITLES
from console.services.runner import SPECS
from panels.registry import BY_ID, PANELS
from panels.spec import CheckSpec

ROOT = Path(__file__).resolve().parents[3]
# Queries the runner and the app shell run (the default game date; the data's first and last
# dates, where `[` `]` `g` stop), not a panel's.
RUNNER_QUERIES = {"latest_game_date", "game_date_range"}


def panel_modules() -> dict[str, CheckSpec]:
    """Every module of panels/ that declares a SPEC."""
    found = {}
    for info in pkgutil.iter_modules(panels.__path__, "panels."):
        if info.name == "console.tui.widgets.check_panel" or info.name == "console.tui.widgets.timeline_view":
            continue  # the Textual widgets
        spec = getattr(importlib.import_module(info.name), "SPEC", None)
        if isinstance(spec, CheckSpec):
            found[info.name] = spec
    return found


def test_every_panel_module_is_in_the_registry_once():
    specs = panel_modules()
    assert sorted(s.id for s in specs.values()) == sorted(p.id for p in PANELS)
    assert len(BY_ID) == len(PANELS) == 6
    assert set(specs) == {
        "panels.phase3",
        "panels.sequential",
        "panels.grading",
        "panels.dnp",
        "panels.usage",
        "panels.drift",
    }


def test_check_help_lists_the_registry_in_order(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["check", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    listed = out.split("check ids:\n", 1)[1].split("\n\n", 1)[0].split()
    assert listed == [p.id for p in PANELS]
    assert SPECS == PANELS  # the runner runs the registry


def test_every_query_a_panel_names_has_its_sql_file_and_every_sql_file_is_used():
    named = {q for p in PANELS for q in (*p.queries, *p.history_queries)}
    files = {path.stem for path in (ROOT / "queries").glob("*.sql")}
    assert named <= files, f"no SQL file for {sorted(named - files)}"
    assert files - named == RUNNER_QUERIES


def test_history_reads_its_titles_and_queries_from_the_panels():
    assert {p.id: p.short_title for p in PANELS} == SHORT_TITLES
    assert {p.id: p.history_queries for p in PANELS if p.history_queries} == HISTORY_QUERIES


def test_every_suggested_playbook_exists():
    books = {path.stem for path in (ROOT / "playbooks").glob("*.toml")}
    for panel in PANELS:
        assert set(panel.playbooks) <= books, panel.id
