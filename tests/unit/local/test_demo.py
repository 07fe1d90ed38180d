"""The demo reproduces the handoff's numbers, computed by the queries over seeded rows."""

from __future__ import annotations

from datetime import date

from console.core.models import Status
from console.services.runner import CheckContext, run_all
from tests.conftest import DEMO_END


def report_for(backend, settings, day):
    return run_all(backend, CheckContext(settings=settings, game_date=day, as_of=DEMO_END))


def test_feb4_morning(demo_backend, demo_settings):
    report = report_for(demo_backend, demo_settings, date(2026, 2, 4))
    grading = report.check("grading_coverage")
    assert grading.status is Status.OK
    assert grading.value.predicted == 759
    assert len(grading.value.systems) == 8
    assert grading.value.graded == 743
    usage = report.check("usage_rate_coverage")
    assert usage.value.games == 7
    assert report.check("sequential_execution").status is Status.OK
    phase3 = report.check("phase3_completion")
    assert phase3.status is Status.OK and phase3.value.completed == 5
    assert report.check("dnp_pollution").value.by_date[-1].dnp_rows == 0


def test_feb3_regressions(demo_backend, demo_settings):
    report = report_for(demo_backend, demo_settings, date(2026, 2, 3))
    usage = report.check("usage_rate_coverage").value_json()
    assert (usage["with_usage"], usage["active_players"], usage["coverage_pct"]) == (189, 217, 87.1)
    assert usage["failing_games"] == [{"game_id": "20260203_PHX_POR", "game": "PHX @ POR", "players": 20}]
    assert usage["impossible"] == 19 and usage["max_usage_rate"] == 1228.0
    dnp = report.check("dnp_pollution")
    assert (dnp.value.dnp_rows, dnp.value.cache_rows, dnp.value.pollution_pct) == (143, 650, 22.0)
    names = {e.player_name: e.points_avg_last_10 for e in dnp.value.examples[:3]}
    assert names == {"Anthony Davis": 21.9, "Aaron Gordon": 16.2, "Andrew Wiggins": 15.1}
    seq = report.check("sequential_execution")
    assert seq.status is Status.FAIL and "92 min" in seq.summary
    drift = {s["service"]: s for s in report.check("deployment_drift").value_json()["services"]}
    assert drift["nba-scrapers"]["commits_behind"] == 49
    assert drift["nba-scrapers"]["commit"] == "2de48c04"
    assert report.exit_code() == 1
