"""Issue 14, the command line as people use it: one time zone in every surface a person
reads (JSON unchanged: test_check_json_golden.py), `--at 7:30`, `audit` with a header newest first, `playbook show`
readable and `--json`, `tail --service` refusing a name the config does not know."""

from __future__ import annotations

import re

import orjson
import pytest

from console.cli import main

# A time for people: `2026-02-05 07:14 EST` (seconds where a log line needs them).
PEOPLE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(:[0-9]{2})? E[SD]T")
ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def data(demo_settings, monkeypatch):
    monkeypatch.setenv("NBA_CONSOLE_STATE_DIR", str(demo_settings.state_dir))
    return ["--data-dir", str(demo_settings.data_dir)]


# ------------------------------------------------------------------ one zone for people


def test_report_markdown_reads_every_time_in_the_configured_zone(capsys, data):
    code, out, _ = run(capsys, *data, "report", "--date", "2026-02-04", "--at", "2026-02-05T16:00:00Z")
    assert code == 1
    assert not ISO.search(out), [line for line in out.splitlines() if ISO.search(line)]
    assert "- As of: 2026-02-05 11:00 EST" in out
    assert "| TeamOffenseGameSummaryProcessor | 1 | success | 2026-02-05 07:14 EST |" in out
    assert "| PlayerGameSummaryProcessor | 2 | 2026-02-05 07:20 EST | 2026-02-05 07:41 EST |" in out


def test_report_in_another_zone(capsys, data, tmp_path):
    config = tmp_path / "pt.toml"
    config.write_text('timezone = "America/Los_Angeles"\n')
    _code, out, _ = run(
        capsys, "--config", str(config), *data, "report", "--date", "2026-02-04", "--at", "2026-02-05T16:00:00Z"
    )
    assert "- As of: 2026-02-05 08:00 PST" in out and "| 2026-02-05 04:14 PST |" in out


def test_check_table_says_as_of_in_the_zone(capsys, data):
    _code, out, _ = run(capsys, *data, "check", "--date", "2026-02-04", "--at", "2026-02-05T16:00:00Z")
    assert "as of 2026-02-05 11:00" in out and "EST" in out and not ISO.search(out)


def test_tail_lines_start_with_the_time_in_the_zone(capsys, data):
    code, out, _ = run(capsys, *data, "tail", "--no-follow", "--service", "nba-phase3-analytics-processors")
    lines = out.splitlines()
    assert code == 0 and lines
    assert all(PEOPLE.match(line) for line in lines)
    assert "2026-02-05 07:14:00 EST" in out


def test_demo_headless_marks_checks_with_the_zone_abbreviation(capsys, data):
    code, out, _ = run(capsys, *data, "demo", "--headless", "--speed", "1000000", "--start", "10:55")
    assert code == 0
    assert "--- replaying 2026-02-05 10:55 EST to 11:00 EST at 1e+06x ---" in out
    assert re.search(r"^   \[1[01]:[0-9]{2} EST\] phase3_completion", out, re.M)


# ------------------------------------------------------------------ --at as people type it


@pytest.mark.parametrize("text", ["7:30", "07:30", "7:30am", "7:30 AM"])
def test_at_accepts_clock_times_people_type(capsys, data, text):
    _code, out, _err = run(capsys, *data, "check", "--date", "2026-02-04", "--at", text, "--json")
    doc = orjson.loads(out)
    assert doc["as_of"] == "2026-02-05T07:30:00-05:00"
    assert {c["id"]: c for c in doc["checks"]}["phase3_completion"]["value"]["completed"] == 3


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("25:00", "not a time of day"),
        ("13:00pm", "1 to 12"),
        ("lunchtime", "expected a time of day (7:30, 07:30, 7:30am)"),
    ],
)
def test_at_refuses_with_a_reason(capsys, data, text, why):
    code, out, err = run(capsys, *data, "check", "--date", "2026-02-04", "--at", text)
    assert code == 2 and out == ""
    assert why in err and "Traceback" not in err and err.count("\n") == 1


# ------------------------------------------------------------------ tail --service


def test_tail_refuses_a_service_the_config_does_not_know(capsys, data):
    code, out, err = run(capsys, *data, "tail", "--no-follow", "--service", "nope")
    assert code == 2 and out == ""
    assert "unknown service 'nope'" in err
    assert "nba-scrapers" in err and "grading-coverage-monitor" in err and "nba-phase3-analytics-processors" in err


def test_tail_knows_a_service_added_in_the_config(capsys, data, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[services]\ncloud_run = ["nba-scrapers", "my-new-service"]\n')
    code, _out, err = run(capsys, "--config", str(config), *data, "tail", "--no-follow", "--service", "my-new-service")
    assert code == 0 and err == ""


# ------------------------------------------------------------------ audit


def _two_runs(capsys, data) -> tuple[str, str]:
    ids = []
    for name in ("disable-sequential-execution", "enable-sequential-execution"):
        code, out, _ = run(capsys, *data, "playbook", "run", name, "--yes")
        assert code == 0, out
        ids.append(re.search(r"^run (\S+): completed", out, re.M).group(1))
    return ids[0], ids[1]


def test_audit_has_a_header_and_lists_newest_first(capsys, data):
    first, second = _two_runs(capsys, data)
    code, out, _ = run(capsys, *data, "audit")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["STARTED", "RUN", "PLAYBOOK", "STATUS", "STEPS", "BACKEND", "OPERATOR", "PARAMS"]
    assert [line.split()[3] for line in lines[1:]] == [second, first]
    assert all(PEOPLE.match(line) for line in lines[1:])
    assert lines[1].index("enable-sequential-execution") == lines[0].index("PLAYBOOK")  # columns line up

    code, out, _ = run(capsys, *data, "audit", "--oldest-first")
    assert [line.split()[3] for line in out.splitlines()[1:]] == [first, second]


def test_audit_show_reads_in_the_zone_while_the_jsonl_keeps_rfc3339(capsys, data, demo_settings):
    first, _ = _two_runs(capsys, data)
    code, out, _ = run(capsys, *data, "audit", "show", first)
    assert code == 0
    assert all(PEOPLE.match(line) for line in out.splitlines() if not line.startswith(" "))
    records = [orjson.loads(line) for line in (demo_settings.state_dir / "audit.jsonl").read_bytes().splitlines()]
    assert all(re.fullmatch(r"[0-9-]{10}T[0-9:.]+\+00:00", r["ts"]) for r in records)


# ------------------------------------------------------------------ playbook show


def test_playbook_show_without_params_lists_steps_and_parameter_rules(capsys, data):
    code, out, _ = run(capsys, *data, "playbook", "show", "redeploy-service")
    assert code == 0
    assert "{'" not in out and "':" not in out  # no Python dict
    assert "  service  (run_service) the Cloud Run service to deploy" in out
    assert "accepts one of: nba-phase3-analytics-processors, nba-phase4-precompute, nba-scrapers" in out
    assert "accepts 7 to 40 lowercase hex digits" in out
    assert "  1. Deploy {service} at {commit}  [dangerous]" in out
    assert "     action deploy_service(service={service}, commit={commit})" in out
    assert "nba-console playbook show redeploy-service --param service=... --param commit=..." in out


def test_playbook_show_with_params_gives_the_exact_argv(capsys, data):
    code, out, _ = run(
        capsys,
        *data,
        "playbook",
        "show",
        "redeploy-service",
        "--param",
        "service=nba-scrapers",
        "--param",
        "commit=06934c94",
    )
    assert code == 0
    assert "     $ ./bin/deploy-service.sh nba-scrapers --commit=06934c94" in out
    assert "     $ gcloud run services update-traffic nba-scrapers --region=us-west2 --to-latest" in out
    assert "     asks you to type: nba-scrapers" in out
    assert "  service = nba-scrapers  (run_service)" in out


def test_playbook_show_json_for_machines(capsys, data):
    code, out, _ = run(
        capsys,
        *data,
        "playbook",
        "show",
        "redeploy-service",
        "--json",
        "--param",
        "service=nba-scrapers",
        "--param",
        "commit=06934c94",
    )
    doc = orjson.loads(out)
    assert code == 0 and doc["name"] == "redeploy-service" and doc["rendered"] is True
    assert doc["steps"][0]["argv"] == ["./bin/deploy-service.sh", "nba-scrapers", "--commit=06934c94"]
    assert doc["params"]["commit"]["pattern"] == "[0-9a-f]{7,40}"
    assert "nba-scrapers" in doc["params"]["service"]["one_of"]
    code, out, _ = run(capsys, *data, "playbook", "show", "redeploy-service", "--json")
    doc = orjson.loads(out)
    assert doc["rendered"] is False and doc["steps"][0]["argv"] is None
    assert doc["steps"][0]["params"] == {"service": "{service}", "commit": "{commit}"}


@pytest.mark.parametrize(
    ("param", "why"),
    [("service=nope", "is not a service the config knows"), ("commit=zzz", "is not 7 to 40 lowercase hex digits")],
)
def test_playbook_show_refuses_bad_values(capsys, data, param, why):
    other = "commit=06934c94" if param.startswith("service") else "service=nba-scrapers"
    code, out, err = run(capsys, *data, "playbook", "show", "redeploy-service", "--param", param, "--param", other)
    assert code == 2 and out == "" and why in err
