"""The fault matrix on the local backend: faults x checks, each through the check, the CLI's
exit code and the panel, then recovery when the fault clears.

Every case starts from the demo's morning of 2026-02-05 as of 11:00 ET (past the deadlines):
Phase 3, the trace, grading, DNP and usage are `ok`; drift is `fail` (nba-scrapers). A fault
is put on the file behind one check, the check must say what it cannot establish (never a
better verdict than its evidence), and clearing the fault must bring the baseline back.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson
import pytest
from rich.console import Console

from console.backends.local_backend import LocalBackend
from console.cli import main
from console.core.clock import DEMO_END
from console.core.models import CheckResult
from console.services.refresh import PanelState
from console.services.runner import SPEC_BY_ID, CheckContext, run_check

FEB4 = date(2026, 2, 4)
BASELINE = {
    "phase3_completion": "ok",
    "sequential_execution": "ok",
    "grading_coverage": "ok",
    "dnp_pollution": "ok",
    "usage_rate_coverage": "ok",
    "deployment_drift": "fail",
}
EXIT = {"ok": 0, "warn": 0, "unknown": 0, "fail": 1, "error": 2}
# The file behind each check, relative to the data's current generation.
SOURCE = {
    "phase3_completion": "firestore/phase3_completion/2026-02-05.json",
    "sequential_execution": "logs/phase3.json",
    "grading_coverage": "warehouse.duckdb",
    "dnp_pollution": "warehouse.duckdb",
    "usage_rate_coverage": "warehouse.duckdb",
    "deployment_drift": "deploy.json",
}
TIME_BOUND_S = 10.0  # local files: a fault is answered at once, never after a wait


# ------------------------------------------------------------------ the faults


def _missing(path: Path) -> None:
    path.unlink()


def _unreadable(path: Path) -> None:
    # A directory where the file should be: unreadable for root too (chmod is not).
    path.unlink()
    path.mkdir()


def _permission(path: Path) -> None:
    path.chmod(0)


def _malformed(path: Path) -> None:
    path.write_bytes(b"not json\n" if path.suffix == ".json" else b"this is not a database" * 100)


def _malformed_entries(path: Path) -> None:
    data = orjson.loads(path.read_bytes())
    if isinstance(data, list):  # a log export: two entries that are not entries
        data[3:3] = [{"textPayload": "no timestamp"}, "a string"]
    else:  # the Phase 3 document: one processor whose completed_at is not a time
        data["UpcomingPlayerGameContextProcessor"]["completed_at"] = "yesterday-ish"
    path.write_bytes(orjson.dumps(data))


class _Locker:
    """Another process holding DuckDB's write lock on the database."""

    proc: subprocess.Popen | None = None

    @classmethod
    def lock(cls, path: Path) -> None:
        code = (
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(120)"
        )
        cls.proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
        assert cls.proc.stdout.readline().strip() == "locked"

    @classmethod
    def unlock(cls) -> None:
        if cls.proc is not None:
            cls.proc.kill()
            cls.proc.wait()
            cls.proc = None


@dataclass(frozen=True)
class Fault:
    name: str
    inject: Callable[[Path], None]
    applies: tuple[str, ...]  # check ids
    expect: dict[str, str]  # check id -> status while the fault is on
    says: dict[str, str]  # check id -> text the summary (or error) must contain


DB = ("grading_coverage", "dnp_pollution", "usage_rate_coverage")
ALL = tuple(BASELINE)

FAULTS = [
    Fault(
        "missing file",
        _missing,
        ALL,
        # A missing document or log is "nothing happened": past 09:00 on a date with games, overdue.
        {
            "phase3_completion": "fail",
            "sequential_execution": "fail",
            **dict.fromkeys(DB, "error"),
            "deployment_drift": "unknown",
        },
        {
            "phase3_completion": "overdue: 0/5 processors by 09:00 ET",
            "sequential_execution": "overdue: no Level lines by 09:00 ET",
            **dict.fromkeys(DB, "warehouse.duckdb is missing"),
            "deployment_drift": "no commit history",
        },
    ),
    Fault(
        "unreadable file",
        _unreadable,
        ALL,
        dict.fromkeys(ALL, "error"),
        {**{c: f"{SOURCE[c]}" for c in ALL}, **dict.fromkeys(DB, "warehouse.duckdb")},
    ),
    Fault(
        "permission denied",
        _permission,
        ALL,
        dict.fromkeys(ALL, "error"),
        {**dict.fromkeys(ALL, "Permission denied"), **dict.fromkeys(DB, "warehouse.duckdb")},
    ),
    Fault(
        "malformed file",
        _malformed,
        ALL,
        dict.fromkeys(ALL, "error"),
        {
            "phase3_completion": "2026-02-05.json:1: invalid JSON",
            "sequential_execution": "phase3.json:1: invalid JSON",
            **dict.fromkeys(DB, "warehouse.duckdb"),
            "deployment_drift": "deploy.json:1: invalid JSON",
        },
    ),
    Fault(
        "malformed entries",
        _malformed_entries,
        ("phase3_completion", "sequential_execution"),
        # A processor that cannot be read is not complete: past the deadline, overdue.
        {"phase3_completion": "fail", "sequential_execution": "ok"},
        {
            "phase3_completion": (
                "1 malformed entry skipped (UpcomingPlayerGameContextProcessor: completed_at 'yesterday-ish'"
            ),
            "sequential_execution": "2 malformed entries skipped",
        },
    ),
    Fault("locked database", _Locker.lock, DB, dict.fromkeys(DB, "error"), dict.fromkeys(DB, "lock")),
]
CASES = [pytest.param(f, c, id=f"{f.name}-{c}") for f in FAULTS for c in f.applies]


# ------------------------------------------------------------------ helpers


def panel_text(state: PanelState) -> str:
    """The panel as the console draws it: the real widget shown `state`, what it displays
    (Static's public `content`) rendered to text."""
    from console.tui.widgets.check_panel import CheckPanel

    panel = CheckPanel(state.check_id, state.title, DEMO_END.tzinfo)
    panel.show(state, DEMO_END)
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(panel.content)
    return f"[{state.display_status}] " + console.export_text()


# Root reads a chmod 0 file; without the capabilities that let it, it cannot (setpriv).
DROP_DAC = ["setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]


def cli_check_unprivileged(settings, check_id: str) -> tuple[int, dict, float]:
    """The same `check` in a process that file permissions apply to, even when we are root."""
    argv = [
        sys.executable,
        "-m",
        "console",
        "--data-dir",
        str(settings.data_dir),
        "--date",
        "2026-02-04",
        "--at",
        "11:00",
        "check",
        "--only",
        check_id,
        "--json",
    ]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root without setpriv: file permissions do not apply to this process")
        argv = DROP_DAC + argv
    started = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr
    return proc.returncode, orjson.loads(proc.stdout), time.monotonic() - started


def cli_check(capsys, settings, check_id: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(
        [
            "--data-dir",
            str(settings.data_dir),
            "--date",
            "2026-02-04",
            "--at",
            "11:00",
            "check",
            "--only",
            check_id,
            "--json",
        ]
    )
    return code, orjson.loads(capsys.readouterr().out)


@pytest.fixture
def restore(demo_settings):
    """Puts the demo's files back (and releases a lock) whatever the test did."""
    current = demo_settings.data_dir / "current"
    pristine = demo_settings.data_dir.parent / "pristine"
    shutil.copytree(current, pristine, symlinks=True)

    def put_back(relative: str) -> None:
        target = current / relative
        _Locker.unlock()
        if target.is_dir() and not target.is_symlink():
            target.rmdir()
        elif target.exists():
            target.chmod(0o644)
            target.unlink()
        shutil.copy2(pristine / relative, target)

    yield put_back
    _Locker.unlock()


# ------------------------------------------------------------------ the matrix


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "check_id"), CASES)
def test_fault_matrix(fault: Fault, check_id: str, demo_settings, restore, capsys):
    spec = SPEC_BY_ID[check_id]
    backend = LocalBackend(demo_settings)
    ctx = CheckContext(demo_settings, FEB4, DEMO_END)
    state = PanelState(check_id, spec.title)

    good = run_check(spec, backend, ctx)
    assert good.status.value == BASELINE[check_id]
    state.apply(good, DEMO_END)

    fault.inject(demo_settings.data_dir / "current" / SOURCE[check_id])
    expected = fault.expect[check_id]
    if fault.inject is _permission:  # judged by a process the permissions apply to
        code, doc, took = cli_check_unprivileged(demo_settings, check_id)
        assert code == EXIT[expected] and took < 60  # a fresh interpreter: startup included
        [entry] = doc["checks"]
        bad = CheckResult(**{**entry, "value": None})  # the verdict and its words; the value stays JSON
    else:
        started = time.monotonic()
        bad = run_check(spec, backend, ctx)
        assert time.monotonic() - started < TIME_BOUND_S
    assert bad.status.value == expected, bad.summary
    assert fault.says[check_id] in (bad.error or bad.summary)
    assert "Traceback" not in bad.summary
    if expected == "error":  # one line: path, (line,) reason
        assert "\n" not in bad.error and len(bad.error) < 600

    if fault.inject is not _permission:
        code, doc = cli_check(capsys, demo_settings, check_id)
    assert code == EXIT[expected]
    [entry] = doc["checks"]
    assert entry["status"] == expected
    if fault.name == "malformed entries":
        assert entry["value"]["malformed_skipped"] >= 1  # counted in --json too

    state.apply(bad, DEMO_END)
    text = panel_text(state)
    if expected == "error":  # the last good value stays, marked stale, with the error
        assert state.display_status == "stale" and state.shown is good
        assert f"⚠ {bad.error}"[:60] in " ".join(text.split())[:10_000] or fault.says[check_id] in text
    else:
        assert state.display_status == expected and fault.says[check_id] in " ".join(text.split())

    restore(SOURCE[check_id])
    again = run_check(spec, backend, ctx)
    assert again.status.value == BASELINE[check_id] and "malformed" not in again.summary
    state.apply(again, DEMO_END)
    assert state.display_status == BASELINE[check_id] and state.error is None


def test_data_vanishing_mid_session_and_coming_back(demo_settings):
    """The whole data directory disappears between two refreshes, then comes back."""
    backend = LocalBackend(demo_settings)
    ctx = CheckContext(demo_settings, FEB4, DEMO_END)
    states = {c: PanelState(c, SPEC_BY_ID[c].title) for c in BASELINE}
    for c, state in states.items():
        state.apply(run_check(SPEC_BY_ID[c], backend, ctx), DEMO_END)
    data = demo_settings.data_dir
    away = data.parent / "away"
    data.rename(away)
    try:
        for c, state in states.items():
            result = run_check(SPEC_BY_ID[c], backend, ctx)
            assert result.status.value == "error" and "no local data" in result.error
            state.apply(result, DEMO_END)
            assert state.display_status == "stale" and state.shown.status.value == BASELINE[c]
        code = main(["--data-dir", str(data), "--date", "2026-02-04", "check"])
        assert code == 2
    finally:
        away.rename(data)
    for c, state in states.items():
        state.apply(run_check(SPEC_BY_ID[c], backend, ctx), DEMO_END)
        assert state.display_status == BASELINE[c]
