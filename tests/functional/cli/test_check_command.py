"""`nba-console check`, `report` and `local` as a cron job or a person would call them."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest

from console.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def data_args(demo_settings):
    return ["--data-dir", str(demo_settings.data_dir)]


def test_check_json_feb3(capsys, data_args):
    code, out, _ = run(capsys, *data_args, "check", "--date", "2026-02-03", "--json")
    doc = orjson.loads(out)
    assert code == 1
    assert set(doc) >= {"game_date", "processing_date", "backend", "status", "checks"}
    assert (doc["game_date"], doc["processing_date"], doc["backend"], doc["status"]) == (
        "2026-02-03",
        "2026-02-04",
        "local",
        "fail",
    )
    by_id = {c["id"]: c for c in doc["checks"]}
    assert list(by_id) == [
        "phase3_completion",
        "sequential_execution",
        "grading_coverage",
        "dnp_pollution",
        "usage_rate_coverage",
        "deployment_drift",
    ]
    assert all(set(c) >= {"id", "status", "summary", "value"} for c in doc["checks"])
    assert by_id["usage_rate_coverage"]["value"]["coverage_pct"] == 87.1
    assert by_id["dnp_pollution"]["value"]["pollution_pct"] == 22.0


def test_default_date_is_latest_in_local_data(capsys, data_args):
    code, out, _ = run(capsys, *data_args, "check", "--json")
    doc = orjson.loads(out)
    assert doc["game_date"] == "2026-02-04"
    by_id = {c["id"]: c for c in doc["checks"]}
    assert by_id["grading_coverage"]["value"]["predicted"] == 759
    assert by_id["grading_coverage"]["status"] == "ok"
    assert code == 1  # scrapers drift and the cache still holding Feb 3's DNP rows


def test_only_and_exit_zero(capsys, data_args):
    code, out, _ = run(
        capsys, *data_args, "check", "--only", "grading_coverage", "--only", "sequential_execution", "--json"
    )
    assert code == 0
    assert [c["id"] for c in orjson.loads(out)["checks"]] == ["sequential_execution", "grading_coverage"]


def test_at_shows_the_morning_half_done(capsys, data_args):
    _code, out, _ = run(capsys, *data_args, "--date", "2026-02-04", "--at", "07:30", "check", "--json")
    by_id = {c["id"]: c for c in orjson.loads(out)["checks"]}
    assert by_id["phase3_completion"]["value"]["completed"] == 3
    assert by_id["sequential_execution"]["status"] == "unknown"
    assert by_id["grading_coverage"]["value"]["graded"] == 0


def test_error_exit_2_when_the_database_is_gone(capsys, demo_settings, data_args):
    (demo_settings.data_dir / "current" / "warehouse.duckdb").unlink()
    code, out, _ = run(capsys, *data_args, "check", "--date", "2026-02-04", "--json")
    doc = orjson.loads(out)
    assert code == 2
    errors = [c for c in doc["checks"] if c["status"] == "error"]
    assert {c["id"] for c in errors} == {"grading_coverage", "dnp_pollution", "usage_rate_coverage"}
    assert all("missing" in c["error"] for c in errors)
    assert {c["id"]: c["status"] for c in doc["checks"]}["phase3_completion"] == "ok"


def test_bad_at_is_a_clear_error(capsys, data_args):
    code, _, err = run(capsys, *data_args, "--at", "lunchtime", "check")
    assert code == 2 and "--at" in err and "Traceback" not in err


def test_report_markdown(capsys, data_args, tmp_path):
    code, out, _ = run(capsys, *data_args, "report", "--date", "2026-02-03")
    assert code == 1
    assert out.startswith("# Morning check: games of 2026-02-03")
    assert "| PHX @ POR | 20 | 0 | 0 |" in out
    assert "| nba-scrapers | run | `2de48c04` | 49 |" in out
    code, _, _ = run(capsys, *data_args, "report", "--date", "2026-02-03", "-o", str(tmp_path / "r.md"))
    assert (tmp_path / "r.md").read_text().startswith("# Morning check")


def test_rich_table_for_people(capsys, data_args):
    _code, out, _ = run(capsys, *data_args, "check", "--date", "2026-02-03")
    assert "Sequential execution" in out and "92 min" in out


def test_local_seed_export_load(capsys, tmp_path):
    data = ["--data-dir", str(tmp_path / "d")]
    assert run(capsys, *data, "local", "ensure-demo")[0] == 0
    assert (tmp_path / "d" / "current").exists()
    assert run(capsys, *data, "local", "export", str(tmp_path / "x"))[0] == 0
    (tmp_path / "x" / "deploy.json").write_text("{")
    code, _, err = run(capsys, *data, "local", "load", str(tmp_path / "x"))
    assert code == 2 and "deploy.json" in err
    assert run(capsys, *data, "check", "--only", "deployment_drift", "--json")[0] == 1


def test_python_dash_m(demo_settings):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "console",
            "--data-dir",
            str(demo_settings.data_dir),
            "check",
            "--json",
            "--only",
            "grading_coverage",
        ],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert orjson.loads(proc.stdout)["checks"][0]["value"]["graded"] == 743
