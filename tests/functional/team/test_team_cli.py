"""`ack`, `note` and `watch status` from a shell (issue 26): exit codes, one-line refusals, the
read-only gate, and a heartbeat that tells a silent watch from a running one."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.backends.team_local import LocalTeamStore
from console.cli import main
from console.core.config import load_settings
from console.core.team import Heartbeat


@pytest.fixture
def config(demo_settings, tmp_path) -> str:
    path = tmp_path / "nba-console.toml"
    path.write_text(f'data_dir = "{demo_settings.data_dir}"\nstate_dir = "{tmp_path / "state"}"\n[team]\nwho = "ana"\n')
    return str(path)


def run(config: str, *argv: str) -> int:
    return main(["--config", config, *argv])


def test_ack_list_and_clear_by_hand(config, capsys):
    assert (
        run(config, "ack", "dnp_pollution", "--date", "2026-02-03", "--at", "10:00", "--reason", "cache rebuild") == 0
    )
    assert "acknowledged dnp_pollution (fail) of 2026-02-03 as ana" in capsys.readouterr().out
    assert run(config, "ack", "list") == 0
    listed = capsys.readouterr().out
    assert "2026-02-03  dnp_pollution  fail  by ana until" in listed and "cache rebuild" in listed
    assert run(config, "ack", "clear", "dnp_pollution", "--date", "2026-02-03") == 0
    assert "cleared ana's acknowledgement of dnp_pollution" in capsys.readouterr().out
    assert run(config, "ack", "clear", "dnp_pollution", "--date", "2026-02-03") == 1
    assert "is not acknowledged" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["ack", "usage_rate_coverage", "--date", "2026-02-03"], "--reason is required"),
        (["ack", "nope", "--reason", "x"], "unknown check id 'nope'"),
        (["ack", "clear"], "unknown check id None"),
        (["ack", "usage_rate_coverage", "extra", "--reason", "x"], "unexpected 'extra'"),
        (["note", "add"], "note add needs the text"),
        (["note", "add", "x" * 501, "--date", "2026-02-03"], "at most 500"),
        (["note", "list", "--check", "nope"], "unknown check id 'nope'"),
    ],
)
def test_bad_team_commands_are_one_line_and_exit_2(config, capsys, argv, says):
    assert run(config, *argv) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_quiet_check_has_nothing_to_acknowledge(config, capsys):
    assert run(config, "ack", "grading_coverage", "--date", "2026-02-04", "--at", "10:00", "--reason", "x") == 1
    assert "grading_coverage of 2026-02-04 is ok: nothing to acknowledge" in capsys.readouterr().err


def test_read_only_refuses_acks_and_notes_but_lists_them(config, capsys):
    assert run(config, "note", "add", "usage gap is the PHX @ POR feed", "--date", "2026-02-03") == 0
    capsys.readouterr()
    for argv in (
        ["ack", "usage_rate_coverage", "--date", "2026-02-03", "--reason", "x"],
        ["ack", "clear", "usage_rate_coverage", "--date", "2026-02-03"],
        ["note", "add", "y", "--date", "2026-02-03"],
    ):
        assert run(config, "--read-only", *argv) == 2
        assert "read-only mode: refusing to" in capsys.readouterr().err
    assert run(config, "--read-only", "note", "list", "--json") == 0
    notes = json.loads(capsys.readouterr().out)
    assert [(n["who"], n["text"], n["game_date"]) for n in notes] == [
        ("ana", "usage gap is the PHX @ POR feed", "2026-02-03")
    ]


def test_notes_filter_by_date_and_check(config, capsys):
    run(config, "note", "add", "re-scraped at 08:40", "--date", "2026-02-03", "--check", "usage_rate_coverage")
    run(config, "note", "add", "quiet night", "--date", "2026-02-04")
    capsys.readouterr()
    assert run(config, "note", "list", "--date", "2026-02-03") == 0
    out = capsys.readouterr().out
    assert "2026-02-03 [usage_rate_coverage]" in out and "ana: re-scraped at 08:40" in out and "quiet" not in out
    assert run(config, "note", "list", "--check", "usage_rate_coverage") == 0
    assert "quiet" not in capsys.readouterr().out


def beat(config: str, age: timedelta, every: timedelta) -> None:
    store = LocalTeamStore(load_settings(Path(config)).state_dir)
    now = datetime.now(UTC)
    store.record_heartbeat(Heartbeat(at=now - age, status="fail", every_s=every.total_seconds(), host="cron-1"))


def test_watch_status_is_silent_without_a_run_and_after_twice_the_period(config, capsys):
    assert run(config, "watch", "status") == 1
    assert capsys.readouterr().out.startswith("WATCH SILENT: no run recorded")
    beat(config, timedelta(minutes=3), timedelta(minutes=5))
    assert run(config, "watch", "status") == 0
    out = capsys.readouterr().out
    assert out.startswith("watch 3m ago (fail); last run") and "on cron-1, every 5m" in out
    beat(config, timedelta(minutes=11), timedelta(minutes=5))  # more than twice 5 minutes
    assert run(config, "watch", "status") == 1
    assert capsys.readouterr().out.startswith("WATCH SILENT 11m (last run fail)")
    assert run(config, "watch", "status", "--every", "1h") == 0  # a second monitor that knows better


def test_a_watch_run_records_its_heartbeat_and_pings_the_url(config, capsys, httpserver, monkeypatch):
    httpserver.expect_request("/ping/abc").respond_with_data("OK")
    monkeypatch.setenv("HB_URL", httpserver.url_for("/ping/abc"))
    path = config
    with open(path, "a") as fh:
        fh.write('[watch]\nheartbeat_url_env = "HB_URL"\n')
    assert run(path, "watch", "--once", "--date", "2026-02-04", "--at", "10:00", "--notify", "stdout") == 0
    assert len(httpserver.log) == 1
    capsys.readouterr()
    assert run(path, "watch", "status") == 0
    assert re.match(r"watch [0-9]+s ago \(fail\); last run ", capsys.readouterr().out)


def test_a_heartbeat_url_that_fails_is_one_line_and_exit_2_without_the_url(config, capsys, httpserver):
    httpserver.expect_request("/ping/secret-token").respond_with_data("down", status=500)
    url = httpserver.url_for("/ping/secret-token")
    argv = ["watch", "--once", "--date", "2026-02-04", "--at", "10:00", "--notify", "stdout", "--heartbeat-url", url]
    assert run(config, *argv) == 2
    err = capsys.readouterr().err
    assert "heartbeat http://" in err and "HTTP 500" in err and "secret-token" not in err
    assert run(config, "watch", "status") == 0  # recorded all the same: the watch itself ran


def test_notes_are_in_the_report_and_the_end_of_morning_summary(config, capsys, tmp_path):
    assert (
        run(
            config,
            "note",
            "add",
            "re-scraped PHX @ POR at 08:40",
            "--date",
            "2026-02-03",
            "--check",
            "usage_rate_coverage",
        )
        == 0
    )
    capsys.readouterr()
    assert run(config, "report", "--date", "2026-02-03", "--at", "10:00") == 1
    report = capsys.readouterr().out
    assert "## Notes" in report and "ana (usage_rate_coverage): re-scraped PHX @ POR at 08:40" in report
    argv = ["watch", "--once", "--date", "2026-02-03", "--at", "11:00", "--notify", "stdout"]
    assert run(config, *argv, "--report-dir", str(tmp_path / "r")) == 0
    out = capsys.readouterr().out
    assert "morning summary" in out and "  note: " in out and "re-scraped PHX @ POR at 08:40" in out
    assert "re-scraped PHX @ POR at 08:40" in (tmp_path / "r" / "morning-2026-02-03.md").read_text()


def test_a_note_as_of_a_moment_of_the_morning(config, capsys):
    assert run(config, "note", "add", "grader restarted", "--date", "2026-02-03", "--at", "08:41") == 0
    capsys.readouterr()
    assert run(config, "note", "list", "--json") == 0
    (note,) = json.loads(capsys.readouterr().out)
    assert note["at"].startswith("2026-02-04T08:41:00") and note["at"].endswith("-05:00")
