"""`nba-console history` as a person or a cron job calls it; agreement with `check` date by date."""

from __future__ import annotations

from datetime import date, timedelta

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.cli import main
from tests.helpers.examples import examples


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def data_args(demo_settings):
    return ["--data-dir", str(demo_settings.data_dir)]


def _comparable(doc):
    # as_of is "now" for each command, seconds apart; every verdict and value must be equal.
    # Drift is compared on its own (its moment is the date's morning) and so is the overall.
    return {k: v for k, v in doc.items() if k not in ("as_of", "status")} | {
        "checks": [c for c in doc["checks"] if c["id"] != "deployment_drift"]
    }


def _drift(doc):
    return next(c for c in doc["checks"] if c["id"] == "deployment_drift")


def test_history_json_agrees_with_check_json_for_every_date(capsys, data_args):
    """Each date as `check --date` judges it now; its drift as `check --at` judges the morning
    of its processing date (the deploys of then: issue 23)."""
    code, out, _ = run(capsys, *data_args, "history", "--days", "14", "--json")
    docs = orjson.loads(out)
    assert [d["game_date"] for d in docs] == [(date(2026, 1, 22) + timedelta(days=i)).isoformat() for i in range(14)]
    for doc in docs:
        _check_code, check_out, _ = run(capsys, *data_args, "check", "--date", doc["game_date"], "--json")
        assert _comparable(doc) == _comparable(orjson.loads(check_out)), doc["game_date"]
        drift = _drift(doc)
        moment = drift["value"].pop("deploys_as_of")
        _, at_out, _ = run(
            capsys,
            *data_args,
            "check",
            "--date",
            doc["game_date"],
            "--at",
            moment,
            "--only",
            "deployment_drift",
            "--json",
        )
        assert drift == _drift(orjson.loads(at_out)), doc["game_date"]
    assert code == 1  # the range holds Feb 3's failures


def test_drift_over_28_days_is_a_trend_with_no_verdict_before_the_first_deploy(capsys, data_args):
    """Issue 23: the deploys of each date's morning, not today's; nothing recorded before
    nba-scrapers' first deploy (Jan 22) is `unknown`, never a guess."""
    _code, out, err = run(capsys, *data_args, "history", "--days", "28", "--end", "2026-02-04", "--json")
    docs = {d["game_date"]: _drift(d) for d in orjson.loads(out)}
    assert min(docs) == "2026-01-18"  # cut to the data (the demo's first game date)
    before = {d: c for d, c in docs.items() if d < "2026-01-22"}
    assert before and all(c["status"] == "unknown" and c["value"]["services"] for c in before.values())
    for c in before.values():
        assert all(r["commit"] is None and r["commits_behind"] is None for r in c["value"]["services"])
        assert "no deploy record before Jan 22" in c["summary"]
    scrapers = {
        d: next(r for r in c["value"]["services"] if r["service"] == "nba-scrapers")
        for d, c in docs.items()
        if d >= "2026-01-22"
    }
    behind = [scrapers[d]["commits_behind"] for d in sorted(scrapers)]
    assert behind[0] == 0 and behind[-1] == 49 and behind == sorted(behind)  # left behind as head moves on
    assert scrapers["2026-02-04"]["days_behind"] == 13.4
    assert {c["status"] for c in docs.values()} == {"unknown", "ok", "warn", "fail"}
    # Feb 3's morning (Feb 4, 11:00 ET) is before the evening's redeploys: the handoff's "from" commits.
    feb3 = {r["service"]: r["commit"] for r in docs["2026-02-03"]["value"]["services"]}
    assert feb3["prediction-coordinator"] == "29130502" and feb3["nba-phase4-precompute"] == "c84c5acd"
    assert feb3["prediction-worker"] == "29130502" and feb3["nba-phase3-analytics-processors"] == "1a8bbcb1"
    assert "no data before 2026-01-18: 10 of 28 dates left out" in err


def test_only_an_unknown_check_exits_2_with_the_valid_ids(capsys, data_args):
    for command in ("history", "check"):
        with pytest.raises(SystemExit) as exc:
            main([*data_args, command, "--only", "bogus"])
        err = capsys.readouterr().err
        assert exc.value.code == 2, command
        assert "unknown check id 'bogus'" in err and "deployment_drift" in err and "Traceback" not in err


def test_dates_outside_the_data_are_not_rows(capsys, data_args):
    code, out, _ = run(capsys, *data_args, "history", "--days", "28", "--end", "2026-02-04")
    assert "2026-01-17" not in out and "2026-01-18 Sun" in out and "0/5" not in out
    assert "no data before 2026-01-18: 10 of 28 dates left out" in out
    code, out, err = run(capsys, *data_args, "history", "--days", "5", "--end", "2026-03-01", "--json")
    assert code == 0 and orjson.loads(out) == []
    assert "no data in 2026-02-25 .. 2026-03-01 (the data: 2026-01-18 .. 2026-02-04)" in err


def test_history_table_and_end(capsys, data_args):
    code, out, _ = run(capsys, *data_args, "history", "--days", "3", "--end", "2026-02-03")
    assert code == 1
    assert "2026-02-01 Sun" in out and "2026-02-03 Tue" in out and "2026-02-04" not in out
    # DNP is judged on the game date's own cache rows (Feb 3: 73/330); the Feb 2-3 window
    # (143/650 = 22.0 %) is its history
    assert "87.1%" in out and "22.1%" in out


def test_history_only(capsys, data_args):
    code, out, _ = run(
        capsys, *data_args, "history", "--days", "2", "--end", "2026-01-30", "--only", "grading_coverage", "--json"
    )
    docs = orjson.loads(out)
    assert code == 0 and [[c["id"] for c in d["checks"]] for d in docs] == [["grading_coverage"]] * 2


@settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # capsys is read each time
@given(days=st.one_of(st.integers(max_value=0), st.integers(min_value=29)))
def test_days_outside_the_bound_are_refused_cleanly(capsys, tmp_path_factory, days):
    data = tmp_path_factory.mktemp("empty")
    code, out, err = run(capsys, "--data-dir", str(data), "history", "--days", str(days), "--end", "2026-02-04")
    assert code == 2 and "max_days" in err and "Traceback" not in err and out == ""


@settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # capsys is read each time
@given(text=st.text(max_size=12))
def test_bad_end_is_refused_cleanly(capsys, tmp_path_factory, text):
    try:
        date.fromisoformat(text)
        return
    except ValueError:
        pass
    data = tmp_path_factory.mktemp("empty")
    with pytest.raises(SystemExit) as exc:
        main(["--data-dir", str(data), "history", "--end", text])
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.fixture(scope="module")
def all_star_break(tmp_path_factory):
    """The demo with no games on 2026-01-25 (a break inside the data): no rows, no Phase 3
    document, no log lines for it."""
    from console.local.demo_scenario import write_scenario

    src = write_scenario(tmp_path_factory.mktemp("break"))
    day = "2026-01-25"
    for table in (src / "tables").glob("*.ndjson"):
        rows = [
            line
            for line in table.read_bytes().splitlines()
            if day not in (orjson.loads(line).get("game_date"), orjson.loads(line).get("cache_date"))
        ]
        table.write_bytes(b"".join(r + b"\n" for r in rows))
    (src / "firestore" / "phase3_completion" / "2026-01-26.json").unlink()
    logs = src / "logs" / "history.json"
    logs.write_bytes(
        orjson.dumps([e for e in orjson.loads(logs.read_bytes()) if not e["timestamp"].startswith("2026-01-26")])
    )
    data = tmp_path_factory.mktemp("break-data")
    assert main(["--data-dir", str(data), "local", "load", str(src)]) == 0
    return ["--data-dir", str(data)]


def test_a_date_without_games_reads_no_games(capsys, all_star_break, monkeypatch):
    """Never `ok 0/5` or `ok L1 -> L2` (an order nobody saw): `no games`, in the table and JSON."""
    monkeypatch.setenv("COLUMNS", "200")  # one line per date
    _, out, _ = run(capsys, *all_star_break, "history", "--days", "3", "--end", "2026-01-26")
    [row] = [line for line in out.splitlines() if "2026-01-25" in line]
    assert row.count("no games") == 3 and "0/5" not in row and "L1 -> L2" not in row, row
    assert "L1 -> L2" in next(line for line in out.splitlines() if "2026-01-24 Sat" in line)  # a date with games
    _code, out, _ = run(capsys, *all_star_break, "history", "--days", "3", "--end", "2026-01-26", "--json")
    docs = {d["game_date"]: d for d in orjson.loads(out)}
    assert docs["2026-01-25"]["no_games"] is True and "no_games" not in docs["2026-01-24"]
    checks = {c["id"]: c for c in docs["2026-01-25"]["checks"]}
    for check_id in ("phase3_completion", "sequential_execution", "grading_coverage"):
        assert checks[check_id]["value"]["no_games"] is True and checks[check_id]["summary"].startswith("no games")
    # `check` says the same of that date.
    _, out, _ = run(capsys, *all_star_break, "check", "--date", "2026-01-25", "--json")
    assert orjson.loads(out)["no_games"] is True


def test_history_at_80_columns_reads_whole_words(capsys, data_args, monkeypatch):
    """Issue 28: at 80 columns no header is cut (`seque…`) and no figure spans lines: each
    date is its statuses on one line and its figures on the next."""
    monkeypatch.setenv("COLUMNS", "80")
    _code, out, _ = run(capsys, *data_args, "history", "--days", "14", "--end", "2026-02-04")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in out
    header = next(line for line in lines if "game date" in line).split()
    assert header == ["game", "date", "phase3", "sequence", "grading", "dnp", "usage", "drift", "overall"]
    at = next(i for i, line in enumerate(lines) if "2026-02-03 Tue" in line)
    assert lines[at].split()[2:] == ["ok", "fail", "ok", "fail", "fail", "fail", "fail"]
    assert lines[at + 1].split() == ["5/5", "2", "violations", "100.0%", "22.1%", "87.1%", "12.8d"]
    assert "2026-02-04 Wed" in lines[at + 2]
