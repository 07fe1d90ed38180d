"""`nba-console history` as a person or a cron job calls it; agreement with `check` date by date."""

from __future__ import annotations

from datetime import date, timedelta

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.cli import main


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
        "checks": [c for c in doc["checks"] if c["id"] != "deployment_drift"]}


def _drift(doc):
    return next(c for c in doc["checks"] if c["id"] == "deployment_drift")


def test_history_json_agrees_with_check_json_for_every_date(capsys, data_args):
    """Each date as `check --date` judges it now; its drift as `check --at` judges the morning
    of its processing date (the deploys of then: issue 23)."""
    code, out, _ = run(capsys, *data_args, "history", "--days", "14", "--json")
    docs = orjson.loads(out)
    assert [d["game_date"] for d in docs] == [(date(2026, 1, 22) + timedelta(days=i)).isoformat() for i in range(14)]
    for doc in docs:
        check_code, check_out, _ = run(capsys, *data_args, "check", "--date", doc["game_date"], "--json")
        assert _comparable(doc) == _comparable(orjson.loads(check_out)), doc["game_date"]
        drift = _drift(doc)
        moment = drift["value"].pop("deploys_as_of")
        _, at_out, _ = run(capsys, *data_args, "check", "--date", doc["game_date"], "--at", moment,
                           "--only", "deployment_drift", "--json")
        assert drift == _drift(orjson.loads(at_out)), doc["game_date"]
    assert code == 1  # the range holds Feb 3's failures


def test_history_table_and_end(capsys, data_args):
    code, out, _ = run(capsys, *data_args, "history", "--days", "3", "--end", "2026-02-03")
    assert code == 1
    assert "2026-02-01 Sun" in out and "2026-02-03 Tue" in out and "2026-02-04" not in out
    # DNP is judged on the game date's own cache rows (Feb 3: 73/330); the Feb 2-3 window (143/650 = 22.0 %) is its history
    assert "87.1%" in out and "22.1%" in out


def test_history_only(capsys, data_args):
    code, out, _ = run(capsys, *data_args, "history", "--days", "2", "--end", "2026-01-30", "--only", "grading_coverage", "--json")
    docs = orjson.loads(out)
    assert code == 0 and [[c["id"] for c in d["checks"]] for d in docs] == [["grading_coverage"]] * 2


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # capsys is read each time
@given(days=st.one_of(st.integers(max_value=0), st.integers(min_value=29)))
def test_days_outside_the_bound_are_refused_cleanly(capsys, tmp_path_factory, days):
    data = tmp_path_factory.mktemp("empty")
    code, out, err = run(capsys, "--data-dir", str(data), "history", "--days", str(days), "--end", "2026-02-04")
    assert code == 2 and "max_days" in err and "Traceback" not in err and out == ""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # capsys is read each time
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
