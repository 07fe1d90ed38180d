"""docs/adding-a-check.md is true (issue 25 item 5): a copy of the tree gets a seventh check by
following only the recipe, and `check`, `check --help`, `history`, `report`, `watch --once` and
the console pick it up with no other edit.

The check is a real one ("Prediction systems": the systems that made predictions for the game
date against `thresholds.prediction_systems`, 8), written in tests/fixtures/seventh_check/. The
files it lands in are taken from the recipe's numbered steps, and the registry line from the
recipe's code block, so a recipe that grows a step fails here until both agree. Everything runs
in subprocesses with the copy first on the path and private XDG folders.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "seventh_check"
NAME = "prediction_systems"
TITLE = "Prediction systems"
DAY = "2026-02-04"


def recipe() -> str:
    return (ROOT / "docs" / "adding-a-check.md").read_text(encoding="utf-8")


def recipe_files(doc: str) -> list[str]:
    """The file each numbered step names first (`N. \\`path\\``), in order."""
    return re.findall(r"^\d+\. `([^`]+)`", doc, re.M)


def registry_edit(doc: str) -> tuple[str, str]:
    """The import line and the `PANELS` line of the recipe's code block, for <name>."""
    block = re.search(r"```python\n(.*?)```", doc, re.S)
    assert block, "the recipe shows the registry edit as a ```python block"
    lines = [line.strip() for line in block.group(1).splitlines()]
    imports = next(line for line in lines if line.startswith("from panels import") and "<name>" in line)
    spec_line = next(line for line in lines if line == "<name>.SPEC,")
    return imports.replace("<name>", NAME), spec_line.replace("<name>", NAME)


def test_the_recipe_names_three_files():
    assert recipe_files(recipe()) == ["queries/<name>.sql", "panels/<name>.py", "panels/registry.py"]


def _copy_tree(repo: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():  # a file deleted in the work tree is not copied
            target = repo / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@t"
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout


def _follow_the_recipe(repo: Path) -> list[str]:
    doc = recipe()
    written = []
    for step in recipe_files(doc):
        path = step.replace("<name>", NAME)
        target = repo / path
        if path == "panels/registry.py":
            imports, spec_line = registry_edit(doc)
            text = target.read_text(encoding="utf-8")
            text = re.sub(r"^from panels import .*$", imports, text, count=1, flags=re.M)
            head, tail = text.rsplit("\n)\n", 1)  # the end of PANELS: the new check goes last
            target.write_text(f"{head}\n    {spec_line}\n)\n{tail}", encoding="utf-8")
        else:
            shutil.copy2(FIXTURES / Path(path).name, target)
        written.append(path)
    return written


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> tuple[Path, dict[str, str], list[str]]:
    base = tmp_path_factory.mktemp("seventh")
    repo = base / "repo"
    _copy_tree(repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "the tree before the seventh check")
    written = _follow_the_recipe(repo)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBA_CONSOLE_")}
    env.update(
        PYTHONPATH=str(repo),
        XDG_CONFIG_HOME=str(base / "config"),
        XDG_DATA_HOME=str(base / "data"),
        XDG_STATE_HOME=str(base / "state"),
        XDG_CACHE_HOME=str(base / "cache"),
        NO_COLOR="1",
        COLUMNS="200",
    )
    seeded = _console(repo, env, "local", "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    return repo, env, written


def _console(repo: Path, env: dict[str, str], *args: str, extra: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        cwd=repo,
        env={**env, **(extra or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_copy_runs_its_own_tree(copy):
    repo, env, _ = copy
    where = subprocess.run(
        [sys.executable, "-c", "import console, panels; print(console.__file__); print(panels.__file__)"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(repo) for p in where), where


def test_check_judges_the_seventh_check(copy):
    repo, env, _ = copy
    done = _console(repo, env, "check", "--date", DAY, "--json")
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert len(report["checks"]) == 7
    mine = report["checks"][-1]
    assert (mine["id"], mine["title"], mine["status"]) == (NAME, TITLE, "ok")
    assert mine["value"]["systems"] == mine["value"]["expected"] == 8
    assert len(mine["value"]["per_system"]) == 8

    helped = _console(repo, env, "check", "--help")
    assert helped.returncode == 0
    assert NAME in helped.stdout.split("check ids:\n", 1)[1].split("\n\n", 1)[0].split()


def test_history_and_report_show_it(copy):
    repo, env, _ = copy
    done = _console(repo, env, "history", "--days", "3", "--end", DAY, "--json")
    assert done.returncode in (0, 1), done.stderr
    days = json.loads(done.stdout)
    reports = days["reports"] if isinstance(days, dict) else days
    assert reports, days
    for day in reports:
        assert NAME in [c["id"] for c in day["checks"]], day.get("game_date")

    report = _console(repo, env, "report", "--date", DAY)
    assert report.returncode in (0, 1), report.stderr
    section = report.stdout.split(f"## {TITLE}", 1)
    assert len(section) == 2, report.stdout[-2000:]
    assert "| System | Predictions | Players |" in section[1]


def test_watch_tells_of_it_with_its_rows(copy, tmp_path):
    """A stricter threshold (9 systems) makes it warn: `watch --once` tells of the change on
    stdout, and a command channel gets the change with the check's own notify rows."""
    repo, env, _ = copy
    keep = (  # each event the channel gets, in a file of its own
        f"import sys, time, pathlib; pathlib.Path({str(tmp_path)!r}, f'{{time.time_ns()}}.json')"
        ".write_text(sys.stdin.read())"
    )
    channel = [{"name": "capture", "kind": "command", "command": [sys.executable, "-c", keep]}]
    done = _console(
        repo,
        env,
        *("watch", "--date", DAY, "--once", "--notify", "stdout", "--notify", "capture"),
        extra={"NBA_CONSOLE_THRESHOLDS__PREDICTION_SYSTEMS": "9", "NBA_CONSOLE_NOTIFY": json.dumps(channel)},
    )
    assert done.returncode in (0, 1), done.stderr
    assert f"{TITLE}: warn · 8/9 prediction systems made predictions" in done.stdout, done.stdout
    events = [json.loads(f.read_text()) for f in sorted(tmp_path.glob("*.json"))]
    change = next(c for e in events for c in e.get("changes", []) if c["check"] == NAME)
    assert (change["kind"], change["status"]) == ("new", "warn"), change
    assert change["rows"][0] == "8/9 systems predicted" and len(change["rows"]) == 3, change


def test_the_console_shows_it(copy):
    repo, env, _ = copy
    done = subprocess.run(
        [sys.executable, str(FIXTURES / "drive_tui.py"), NAME],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["panel_inside_screen"], facts
    assert facts["headline"] == "8/8", facts
    assert facts["rows_title"].startswith("Prediction systems of the game date"), facts
    assert facts["history_row"].startswith("systems") and "ok 8/8" in facts["history_row"], facts


def test_the_copy_keeps_its_contracts_and_only_the_recipe_changed(copy):
    """lint-imports (a check is one module: the new one is covered with no edit), mypy on the
    new module, the check-id test, and `git status`: only the recipe's three files changed."""
    repo, env, written = copy
    tools = Path(sys.executable).parent

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True, timeout=300)

    linted = run(str(tools / "lint-imports"))
    assert linted.returncode == 0, linted.stdout[-3000:]
    # The new module is typed as strictly as the panels it was copied from (its hooks on its value).
    typed = run(str(tools / "mypy"), "--cache-dir", str(repo.parent / "mypy-cache"), f"panels/{NAME}.py")
    assert typed.returncode == 0, typed.stdout[-3000:]
    id_test = "tests/unit/panels/test_check_ids_live_in_their_module.py"
    ids = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", id_test)
    assert ids.returncode == 0, ids.stdout[-3000:]
    changed = sorted(line[3:] for line in _git(repo, "status", "--porcelain", "--untracked-files=all").splitlines())
    assert (
        changed
        == sorted(w.replace("<name>", NAME) for w in written)
        == sorted(["queries/prediction_systems.sql", "panels/prediction_systems.py", "panels/registry.py"])
    )
