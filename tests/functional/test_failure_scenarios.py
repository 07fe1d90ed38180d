"""Issue 9's "Why", case by case, from the CLI (and the log screen with Pilot): each bad
morning says what is wrong, with an exit code an alerting job can trust."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from console.backends.local_backend import LocalBackend
from console.cli import main
from console.core.clock import DEMO_END
from console.services.runner import SPECS, CheckContext, run_all
from console.services.timeline import criteria

FEB3, FEB4 = date(2026, 2, 3), date(2026, 2, 4)


def run(capsys, *argv):
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def data(demo_settings):
    return ["--data-dir", str(demo_settings.data_dir)]


def statuses(out: str) -> dict[str, str]:
    return {c["id"]: c["status"] for c in orjson.loads(out)["checks"]}


def summaries(out: str) -> dict[str, str]:
    return {c["id"]: c["summary"] for c in orjson.loads(out)["checks"]}


# ------------------------------------------------------------------ exit codes


def test_unknown_check_id_exits_2_listing_the_valid_ones(capsys, data):
    with pytest.raises(SystemExit) as info:
        main([*data, "check", "--only", "bogus"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "unknown check id 'bogus'" in err and all(spec.id in err for spec in SPECS)


def test_check_help_lists_check_ids_and_exit_codes(capsys):
    with pytest.raises(SystemExit) as info:
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0
    assert all(spec.id in out for spec in SPECS)
    assert "exit codes" in out and "1  a check failed" in out and "2  a check could not run" in out


def test_bad_arguments_exit_2(capsys, data):
    with pytest.raises(SystemExit) as info:
        main([*data, "check", "--date", "yesterday"])
    assert info.value.code == 2


def test_report_to_an_unwritable_path_is_one_line_exit_2(capsys, data, tmp_path):
    code, _out, err = run(capsys, *data, "report", "--date", "2026-02-04", "-o", "/nonexistent/dir/r.md")
    assert code == 2
    assert err.strip() == "nba-console: cannot write /nonexistent/dir/r.md: No such file or directory"
    code, _, err = run(capsys, *data, "report", "-o", str(tmp_path))  # a directory
    assert code == 2 and "cannot write" in err and "Traceback" not in err


def test_the_demo_morning_exits_1_only_for_the_drift(capsys, data):
    code, out, _ = run(capsys, *data, "check", "--date", "2026-02-04", "--json")
    assert code == 1
    assert {k for k, v in statuses(out).items() if v != "ok"} == {"deployment_drift"}
    assert "nba-scrapers 2de48c04 49 commits / 13.4 days behind" in summaries(out)["deployment_drift"]


# ------------------------------------------------------------------ drift: an unknown commit


def _set_commit(settings, service: str, commit: str) -> None:
    path = settings.data_dir / "current" / "deploy.json"
    state = orjson.loads(path.read_bytes())
    for s in state["services"]:
        if s["name"] == service:
            s["commit"] = commit
    path.write_bytes(orjson.dumps(state))


def test_a_commit_not_in_history_is_named_and_never_ok(capsys, data, demo_settings):
    _set_commit(demo_settings, "nba-scrapers", "1234567")
    code, out, _ = run(capsys, *data, "check", "--only", "deployment_drift", "--json")
    [entry] = orjson.loads(out)["checks"]
    assert entry["status"] == "warn" and code == 0  # warn: not a failure, but never "ok"
    assert "nba-scrapers runs 1234567, not in the last" in entry["summary"]
    assert entry["value"]["not_in_history"] == ["nba-scrapers"]
    assert "within" not in entry["summary"]


def test_redeploy_of_a_commit_nobody_can_find_is_refused_at_preflight(capsys, data, demo_settings):
    deploy = (demo_settings.data_dir / "current" / "deploy.json").read_bytes()
    code, out, err = run(
        capsys,
        *data,
        "playbook",
        "run",
        "redeploy-service",
        "--param",
        "service=nba-scrapers",
        "--param",
        "commit=1234567",
        "--yes",
    )
    assert code == 2  # refused at pre-flight, before any step (README: 2 means refused)
    assert "pre-flight FAIL commit 1234567: not in the local history" in out + err
    assert "preflight_failed" in out + err
    assert err == "nba-console: refused: pre-flight failed: commit 1234567: not in the local history\n"
    # The dry run runs the same pre-flight: the same refusal, the same exit code.
    code, out, dry_err = run(
        capsys,
        *data,
        "playbook",
        "run",
        "redeploy-service",
        "--param",
        "service=nba-scrapers",
        "--param",
        "commit=1234567",
        "--dry-run",
    )
    assert code == 2 and dry_err == err and "pre-flight FAIL commit 1234567" in out
    assert (demo_settings.data_dir / "current" / "deploy.json").read_bytes() == deploy  # nothing changed
    code, _, _ = run(
        capsys,
        *data,
        "playbook",
        "run",
        "redeploy-service",
        "--param",
        "service=nba-scrapers",
        "--param",
        "commit=06934c94",
        "--yes",
    )
    assert code == 0


# ------------------------------------------------------------------ unreadable logs


def test_a_log_export_that_is_not_json_is_an_error_everywhere(capsys, data, demo_settings):
    path = demo_settings.data_dir / "current" / "logs" / "phase3.json"
    path.write_text("not json\n")
    code, out, _ = run(capsys, *data, "check", "--only", "sequential_execution", "--json")
    [entry] = orjson.loads(out)["checks"]
    assert code == 2 and entry["status"] == "error"
    assert "/logs/phase3.json:1: invalid JSON (" in entry["error"]
    code, out, _ = run(capsys, *data, "report", "--date", "2026-02-04")
    assert code == 2 and "phase3.json:1: invalid JSON" in out
    code, out, err = run(capsys, *data, "tail", "--no-follow")
    # The demo's other log file (history.json, the weeks before) still prints; nothing of
    # the unreadable one does, and the error is said.
    assert code == 2 and "phase3.json:1: invalid JSON" in err
    assert not [line for line in out.splitlines() if line.startswith(("2026-02-03", "2026-02-04", "2026-02-05"))]
    code, _, err = run(capsys, "replay", str(path))  # by content: one line that is no entry
    assert code == 2 and "phase3.json:1: not a log entry" in err


def test_malformed_entries_are_skipped_and_counted(capsys, data, demo_settings):
    path = demo_settings.data_dir / "current" / "logs" / "phase3.json"
    (path.parent / "history.json").unlink()  # the weeks before Feb 3: this test counts phase3.json's entries alone
    entries = orjson.loads(path.read_bytes())
    path.write_bytes(orjson.dumps([*entries[:5], {"no": "timestamp"}, 42, "x", *entries[5:]]))
    code, out, _ = run(capsys, *data, "check", "--date", "2026-02-04", "--only", "sequential_execution", "--json")
    [entry] = orjson.loads(out)["checks"]
    assert code == 0 and entry["status"] == "ok"
    assert entry["summary"].endswith("; 3 malformed entries skipped") and entry["value"]["malformed_skipped"] == 3
    code, out, err = run(capsys, *data, "tail", "--no-follow")
    assert code == 0 and len(out.splitlines()) == len(entries) and "3 malformed entries skipped" in err


async def test_the_log_screen_shows_an_unreadable_file_as_an_error_line(demo_settings):
    from textual.app import App

    from console.backends.local_log_source import LocalLogSource
    from console.tui.screens.logs_screen import LogsScreen

    (demo_settings.data_dir / "current" / "logs" / "history.json").unlink()  # phase3.json is the only log file here
    (demo_settings.data_dir / "current" / "logs" / "phase3.json").write_text("not json\n")
    screen = LogsScreen(demo_settings, LocalLogSource.for_settings(demo_settings))

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(screen)

    async with Host().run_test(size=(140, 30)) as pilot:
        for _ in range(200):
            if screen.source_error:
                break
            await pilot.pause(0.02)
        banner = screen.query_one("#logs-error")
        assert banner.display and banner.has_class("-shown")
        assert "phase3.json:1: invalid JSON" in str(banner.render())
        assert len(screen.buffer) == 0


# ------------------------------------------------------------------ overdue


def _nothing_ran(settings) -> None:
    current = settings.data_dir / "current"
    (current / "firestore" / "phase3_completion" / "2026-02-05.json").unlink()
    (current / "logs" / "phase3.json").write_text("[]")


def test_a_night_where_nothing_ran_fails_after_the_deadline(capsys, data, demo_settings):
    _nothing_ran(demo_settings)
    code, out, _ = run(capsys, *data, "--date", "2026-02-04", "--at", "14:00", "check", "--json")
    assert code == 1
    s = summaries(out)
    assert (
        statuses(out)["phase3_completion"] == "fail" and s["phase3_completion"] == "overdue: 0/5 processors by 09:00 ET"
    )
    assert (
        statuses(out)["sequential_execution"] == "fail"
        and s["sequential_execution"] == "overdue: no Level lines by 09:00 ET"
    )
    # Before the deadline the same morning is "not yet".
    code, out, _ = run(
        capsys,
        *data,
        "--date",
        "2026-02-04",
        "--at",
        "08:00",
        "check",
        "--only",
        "phase3_completion",
        "--only",
        "sequential_execution",
        "--json",
    )
    assert code == 0 and set(statuses(out).values()) == {"unknown"}


def test_grading_under_the_trigger_after_the_deadline_fails(capsys, data):
    # 08:30: grading has begun but is not due; 09:00 on: what is graded by then is judged.
    _code, out, _ = run(
        capsys, *data, "--date", "2026-02-04", "--at", "08:30", "check", "--only", "grading_coverage", "--json"
    )
    assert statuses(out)["grading_coverage"] in ("unknown", "ok")
    from console.core.config import Settings
    from console.core.models import GradingSystemRow
    from panels.common import Due
    from panels.grading import grading_coverage

    rows = [GradingSystemRow(system_id="s", predicted=100, graded=75, correct=40, players=50)]
    due = Due(at=DEMO_END, passed=True, games=True)
    result = grading_coverage(rows, Settings(), due=due)
    assert result.status.value == "fail" and result.summary.startswith("overdue: 75/100 graded")
    assert grading_coverage(rows, Settings(), due=Due(at=DEMO_END, passed=False, games=True)).status.value == "unknown"


def test_a_date_without_games_is_ok_no_games(capsys, data):
    code, out, _ = run(
        capsys,
        *data,
        "--date",
        "2026-02-06",
        "--at",
        "14:00",
        "check",
        "--only",
        "phase3_completion",
        "--only",
        "sequential_execution",
        "--only",
        "grading_coverage",
        "--json",
    )
    assert code == 0 and set(statuses(out).values()) == {"ok"}
    assert all(s.startswith("no games") for s in summaries(out).values())


# ------------------------------------------------------------------ one morning, one answer


@pytest.mark.parametrize(("game_date", "met", "status"), [(FEB4, True, "ok"), (FEB3, False, "fail")])
def test_dnp_panel_and_timeline_agree(demo_settings, game_date, met, status):
    report = run_all(LocalBackend(demo_settings), CheckContext(demo_settings, game_date, DEMO_END))
    dnp = report.check("dnp_pollution")
    assert dnp.status.value == status
    [criterion] = [
        c
        for c in criteria({c.id: c for c in report.checks}, demo_settings, game_date)
        if c.label == "DNP records blocked"
    ]
    assert criterion.met is met
    # The trailing window stays, labelled as history (the handoff's figure on Feb 3).
    if game_date == FEB3:
        assert (dnp.value.dnp_rows, dnp.value.cache_rows, dnp.value.pollution_pct) == (143, 650, 22.0)
        assert "history 2026-02-02..2026-02-03: 143/650 (22.0%)" in dnp.summary
    else:
        assert dnp.summary.startswith("0/207 cache rows of 2026-02-04 are DNP")


# ------------------------------------------------------------------ the same morning in the console


async def test_the_console_shows_the_bad_morning(make_app, demo_settings):
    """Nothing ran, the log export is not JSON, nba-scrapers runs a commit nobody knows:
    the panels say so (fail, error, warn) and the timeline agrees with them."""
    from tests.functional.conftest import SIZE, settle

    current = demo_settings.data_dir / "current"
    (current / "firestore" / "phase3_completion" / "2026-02-05.json").unlink()
    (current / "logs" / "phase3.json").write_text("not json\n")
    _set_commit(demo_settings, "nba-scrapers", "1234567")
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = {c: s.display_status for c, s in app.states.items()}
        assert shown["phase3_completion"] == "fail"
        assert app.states["phase3_completion"].result.summary == "overdue: 0/5 processors by 09:00 ET"
        assert shown["sequential_execution"] == "error"
        assert "phase3.json:1: invalid JSON" in app.states["sequential_execution"].error
        assert shown["deployment_drift"] == "warn"
        assert "nba-scrapers runs 1234567" in app.states["deployment_drift"].result.summary
        assert shown["dnp_pollution"] == "ok"
        blocked = next(
            c
            for c in criteria({k: s.result for k, s in app.states.items() if s.result}, demo_settings, FEB4)
            if c.label == "DNP records blocked"
        )
        assert blocked.met is True
