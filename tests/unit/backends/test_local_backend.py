"""Issue 13: the local backend opens DuckDB once per holding() (a check run, a panel's
refresh), shares it between threads through cursors, and opens again when the file changed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import duckdb
import pytest

from console.backends import local_backend as local_module
from console.backends.local_backend import LocalBackend
from console.core.errors import SourceError
from console.local.scenario import DB_FILE, current_dir

PARAMS = {"game_date": date(2026, 2, 4), "as_of": datetime(2026, 2, 5, 16, tzinfo=UTC)}


@pytest.fixture
def connects(monkeypatch) -> list[str]:
    opened: list[str] = []
    real = duckdb.connect

    def counting(path, *args, **kwargs):
        opened.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(local_module.duckdb, "connect", counting)
    return opened


def test_one_connection_per_holding_shared_by_threads(demo_settings, connects):
    backend = LocalBackend(demo_settings)
    alone = backend.run_query("grading_coverage", PARAMS)
    assert len(connects) == 1  # outside a holding: opened for the query, then closed
    with backend.holding(), ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: backend.run_query("grading_coverage", PARAMS), range(8)))
    assert all(r == alone for r in results)
    assert len(connects) == 2
    # Closed once the holding ended: no lock kept on the file, another process may write it.
    assert _another_process_can_open_read_write(current_dir(demo_settings) / DB_FILE)


def _another_process_can_open_read_write(db) -> bool:
    probe = "import sys, duckdb; duckdb.connect(sys.argv[1]).close()"
    return subprocess.run([sys.executable, "-c", probe, str(db)], capture_output=True, timeout=60).returncode == 0


def test_a_replaced_database_is_opened_again_inside_a_holding(demo_settings, connects):
    backend = LocalBackend(demo_settings)
    db = current_dir(demo_settings) / DB_FILE
    with backend.holding():
        good = backend.run_query("grading_coverage", PARAMS)
        db.rename(db.with_suffix(".gone"))
        with pytest.raises(SourceError, match="missing"):
            backend.run_query("grading_coverage", PARAMS)
        db.mkdir()  # not a database any more: a fresh open's error, not the old handle's rows
        with pytest.raises(SourceError, match="cannot open local database"):
            backend.run_query("grading_coverage", PARAMS)
        db.rmdir()
        shutil.move(db.with_suffix(".gone"), db)
        assert backend.run_query("grading_coverage", PARAMS) == good
    backend.close()
