"""The state directory is private (issue 24 item 8): created 0700 whatever the umask, its
files and lock files 0600, and a state directory that group or others may write is refused
with the chmod that fixes it, before anything is written into it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import main
from console.core.safefile import StateDirError, private_dir
from console.services.ui_state import save_theme
from tests.helpers.outcome import outcome


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _console(args: list[str], umask: int, env: dict[str, str]) -> subprocess.CompletedProcess:
    # `umask` in the shell that execs the console: the process's own umask, as a service has it.
    argv = " ".join(f"'{a}'" for a in [sys.executable, "-m", "console", *args])
    return subprocess.run(
        ["sh", "-c", f"umask {umask:03o}; exec {argv}"], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_under_umask_000_the_state_dir_is_0700_and_its_files_and_locks_0600(demo_settings, tmp_path):
    state = tmp_path / "fresh" / "nested" / "state"  # missing parents are made private too
    env = {**os.environ, "NBA_CONSOLE_DATA_DIR": str(demo_settings.data_dir), "NBA_CONSOLE_STATE_DIR": str(state)}
    watch = _console(["--date", "2026-02-04", "watch", "--once", "--notify", "stdout"], 0o000, env)
    assert watch.returncode == 0, watch.stderr
    run = _console(["playbook", "run", "enable-sequential-execution", "--yes"], 0o000, env)
    assert run.returncode == 0, run.stderr
    for folder in (tmp_path / "fresh", tmp_path / "fresh" / "nested", state):
        assert _mode(folder) == 0o700, folder
    files = {p.name: _mode(p) for p in state.iterdir()}
    assert {"audit.jsonl", "watch-state.json", "watch-state.json.lock", "playbook.lock.guard"} <= set(files), files
    assert all(mode == 0o600 for mode in files.values()), files


@pytest.mark.parametrize(
    ("mode", "who"),
    [(0o777, "group and others"), (0o775, "its group"), (0o757, "others"), (0o1777, "group and others")],
)
def test_a_state_dir_others_may_write_is_refused_naming_the_chmod(demo_settings, mode, who, capsys, monkeypatch):
    state = demo_settings.state_dir
    state.mkdir()
    state.chmod(mode)
    base = ["--data-dir", str(demo_settings.data_dir)]
    monkeypatch.setenv("NBA_CONSOLE_STATE_DIR", str(state))
    assert main([*base, "--date", "2026-02-04", "watch", "--once", "--notify", "stdout"]) == 2
    err = capsys.readouterr().err
    assert f"writable by {who}" in err and f"chmod go-w {state}" in err, err
    assert len(err.strip().splitlines()) == 1
    assert main([*base, "playbook", "run", "enable-sequential-execution", "--yes"]) == 2
    err = capsys.readouterr().err
    assert f"chmod go-w {state}" in err and "Traceback" not in err
    assert list(state.iterdir()) == []  # refused before anything was written
    assert "chmod go-w" in (save_theme(demo_settings, "nord") or "")

    state.chmod(0o755)  # the fix the message gives (chmod go-w)
    assert main([*base, "--date", "2026-02-04", "watch", "--once", "--notify", "stdout"]) == 0
    assert main([*base, "playbook", "run", "enable-sequential-execution", "--yes"]) == 0
    assert save_theme(demo_settings, "nord") is None


def test_every_mode_is_judged_by_its_group_and_other_write_bits(tmp_path):
    folder = tmp_path / "state"
    folder.mkdir()
    for bits in range(0o100):  # every group/other combination, the owner's rwx kept
        folder.chmod(0o700 | bits)
        writable = bool((0o700 | bits) & 0o022)
        refused = outcome(lambda: private_dir(folder), StateDirError)
        assert isinstance(refused, StateDirError) == writable, oct(bits)
        assert not writable or f"chmod go-w {folder}" in str(refused)


def test_a_file_where_the_state_dir_should_be_is_refused(tmp_path):
    path = tmp_path / "state"
    path.write_text("")
    with pytest.raises(StateDirError, match="is a file, not a directory"):
        private_dir(path)


def test_an_existing_private_dir_is_left_as_it_is(tmp_path):
    folder = tmp_path / "state"
    folder.mkdir(mode=0o750)
    folder.chmod(0o750)
    assert private_dir(folder) == folder and _mode(folder) == 0o750  # not loosened nor tightened behind the user
