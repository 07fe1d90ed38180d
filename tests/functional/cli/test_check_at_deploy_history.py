"""Issue 23, deploy history as evidence: `check --at T` uses the deploys and commits of T and
nothing later; a redeploy in the console leaves the past as it was; an older deploy.json
without revisions still loads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.cli import main
from tests.helpers.examples import examples

GOLDEN = Path(__file__).parent.parent / "golden"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def drift(capsys, data, *argv) -> dict:
    _code, out, err = run(capsys, *data, "check", *argv, "--only", "deployment_drift", "--json")
    assert "Traceback" not in err
    return orjson.loads(out)["checks"][0]


def _data(demo_settings, monkeypatch):
    monkeypatch.setenv("NBA_CONSOLE_STATE_DIR", str(demo_settings.state_dir))
    return ["--data-dir", str(demo_settings.data_dir)]


def _moments_in(check: dict) -> list[str]:
    """Every commit or deploy time the drift result names."""
    value = check["value"]
    out = [value["head_time"]] if "head_time" in value else []
    for row in value.get("services", []):
        out += [row[k] for k in ("deployed_at", "commit_time") if row.get(k)]
    return out


def test_the_morning_of_feb_4_uses_the_deploys_of_then(capsys, demo_settings, monkeypatch):
    """The issue's case: as of Feb 4 10:00 ET nothing of the Feb 4 evening (PT) exists yet."""
    check = drift(capsys, _data(demo_settings, monkeypatch), "--date", "2026-02-03", "--at", "10:00")
    value = check["value"]
    assert value["head"] == "5b51ed16" and value["head_time"] == "2026-02-04T13:10:00+00:00"
    rows = {r["service"]: r for r in value["services"]}
    # The handoff's "from" column: what ran before the evening's deploys.
    assert rows["prediction-coordinator"]["commit"] == "29130502"
    assert rows["nba-phase4-precompute"]["commit"] == "c84c5acd"
    assert rows["prediction-worker"]["commit"] == "29130502"
    assert rows["nba-phase3-analytics-processors"]["commit"] == "1a8bbcb1"
    assert rows["nba-phase3-analytics-processors"]["flags"] == {}  # the flag came with 06934c94
    assert rows["nba-scrapers"]["commits_behind"] == 46 and check["status"] == "fail"
    assert max(_moments_in(check)) < "2026-02-04T15:00:00+00:00"


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minutes=st.integers(min_value=0, max_value=25 * 24 * 60))
def test_no_commit_and_no_deploy_after_the_moment(capsys, demo_settings, monkeypatch, minutes):
    """For every moment T across the demo (Jan 15 .. Feb 9), `check --json --at T` names no
    commit and no deploy after T, and no deployed commit before a service's first record."""
    moment = datetime(2026, 1, 15, tzinfo=UTC) + timedelta(minutes=minutes)
    at = moment.isoformat()
    check = drift(capsys, _data(demo_settings, monkeypatch), "--date", "2026-02-04", "--at", at)
    assert all(datetime.fromisoformat(t) <= moment for t in _moments_in(check)), (at, check["summary"])
    for row in check["value"].get("services", []):
        if row.get("no_record_before"):  # the first record is later: nothing of it is shown
            assert row["commit"] is None and row["deployed_at"] is None and row["status"] == "unknown"
            assert datetime.fromisoformat(row["no_record_before"]) > moment
    if moment < datetime(2026, 1, 22, 19, 30, tzinfo=UTC):  # before nba-scrapers' first deploy
        assert check["status"] == "unknown"


def test_a_redeploy_in_the_console_leaves_the_past_as_it_was(capsys, demo_settings, monkeypatch):
    data = _data(demo_settings, monkeypatch)
    _, history_before, _ = run(
        capsys, *data, "history", "--days", "20", "--end", "2026-02-04", "--json", "--only", "deployment_drift"
    )
    code, out, err = run(
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
    assert code == 0, out + err
    # The morning of Feb 5 as the handoff saw it: byte for byte the golden file.
    code, out, _ = run(capsys, *data, "check", "--date", "2026-02-04", "--at", "2026-02-05T16:00:00Z", "--json")
    assert out.encode() == (GOLDEN / "check-2026-02-04-at-1600Z.json").read_bytes()
    _, history_after, _ = run(
        capsys, *data, "history", "--days", "20", "--end", "2026-02-04", "--json", "--only", "deployment_drift"
    )
    strip = lambda text: [{**d, "as_of": None} for d in orjson.loads(text)]  # noqa: E731 - "now" moves on
    assert strip(history_after) == strip(history_before)
    # Now (the wall clock, after the deploy) nba-scrapers is at head.
    now = drift(capsys, data, "--date", "2026-02-04")
    scrapers = next(r for r in now["value"]["services"] if r["service"] == "nba-scrapers")
    assert scrapers["commit"] == "06934c94" and scrapers["commits_behind"] == 0
    state = orjson.loads((demo_settings.data_dir / "current" / "deploy.json").read_bytes())
    revisions = next(s for s in state["services"] if s["name"] == "nba-scrapers")["revisions"]
    assert [r["commit"] for r in revisions] == ["2de48c04", "06934c94"]


def test_an_older_deploy_json_without_revisions_still_loads(capsys, demo_settings, monkeypatch, tmp_path):
    """Its one deployed commit per service counts from its deployed_at: the morning of Feb 5
    is judged as before; before a service's deploy it is unknown."""
    data = _data(demo_settings, monkeypatch)
    scenario = tmp_path / "old"
    assert main([*data, "local", "export", str(scenario)]) == 0
    deploy = orjson.loads((scenario / "deploy.json").read_bytes())
    for s in deploy["services"]:
        del s["revisions"]
    (scenario / "deploy.json").write_bytes(orjson.dumps(deploy))
    assert main([*data, "local", "load", str(scenario)]) == 0
    capsys.readouterr()
    _code, out, _ = run(capsys, *data, "check", "--date", "2026-02-04", "--at", "2026-02-05T16:00:00Z", "--json")
    assert out.encode() == (GOLDEN / "check-2026-02-04-at-1600Z.json").read_bytes()
    early = drift(capsys, data, "--date", "2026-02-03", "--at", "10:00")
    rows = {r["service"]: r for r in early["value"]["services"]}
    assert rows["nba-scrapers"]["commits_behind"] == 46  # deployed Jan 22: known
    assert rows["prediction-worker"]["status"] == "unknown" and rows["prediction-worker"]["commit"] is None
    assert "no deploy record before Feb 4 21:15: phase3-to-grading, grading and 5 more" in early["summary"]
