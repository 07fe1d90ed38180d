"""Scenario directories: hand-written ones load, broken ones are refused and lose nothing."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from console.backends.local_backend import LocalBackend
from console.core.errors import ScenarioError
from console.local.scenario import current_dir, export_scenario, load_scenario
from console.services.runner import CheckContext, run_all
from tests.conftest import DEMO_END
from tests.helpers.scenarios import write_hand_scenario


def test_hand_written_scenario_loads_and_checks(tmp_path, demo_settings):
    load_scenario(write_hand_scenario(tmp_path / "s"), demo_settings)
    report = run_all(
        LocalBackend(demo_settings), CheckContext(demo_settings, date(2026, 3, 1), DEMO_END.replace(month=3))
    )
    dnp = report.check("dnp_pollution").value_json()
    assert (dnp["dnp_rows"], dnp["cache_rows"]) == (1, 2)
    assert report.check("phase3_completion").value.completed == 1
    assert report.check("usage_rate_coverage").value.coverage_pct == 100.0
    assert report.check("grading_coverage").status.value == "unknown"  # no predictions table at all
    assert report.check("sequential_execution").value.violations  # a player processor with no team run


@pytest.mark.parametrize(
    ("mutate", "where", "reason"),
    [
        (
            lambda r: (r / "tables" / "nba_analytics.player_game_summary.ndjson").write_text(
                '{"game_date": "2026-3-1"}\n'
            ),
            "player_game_summary.ndjson:1",
            "missing required column",
        ),
        (
            lambda r: (r / "tables" / "nba_precompute.player_daily_cache.ndjson").write_text(
                '{"cache_date": "2026-03-01", "player_lookup": "a"}\n'
                '{"cache_date": "2026-03-01", "player_lookup": "b", "games_in_window": "five"}\n'
            ),
            "player_daily_cache.ndjson:2",
            "games_in_window",
        ),
        (
            lambda r: (r / "tables" / "nba_precompute.player_daily_cache.ndjson").write_text("{not json\n"),
            "player_daily_cache.ndjson:1",
            "invalid JSON",
        ),
        (lambda r: (r / "tables" / "nba_x.unknown.ndjson").write_text("{}\n"), "nba_x.unknown.ndjson", "unknown table"),
        (
            lambda r: (r / "logs" / "tail.ndjson").write_text('{"timestamp": "yesterday"}\n'),
            "tail.ndjson:1",
            "timestamp",
        ),
        (lambda r: (r / "logs" / "more.json").write_text('{"a": 1}'), "more.json", "JSON array"),
        (lambda r: (r / "deploy.json").write_text('{"services": [{"name": "x"}]}'), "deploy.json", "services.0"),
        (
            lambda r: (r / "firestore" / "phase3_completion" / "2026-03-02.json").write_text("[1]"),
            "2026-03-02.json",
            "JSON object",
        ),
    ],
)
def test_broken_scenario_is_refused_and_nothing_is_lost(tmp_path, demo_settings, mutate, where, reason):
    before = current_dir(demo_settings)
    root = write_hand_scenario(tmp_path / "s")
    mutate(root)
    with pytest.raises(ScenarioError) as info:
        load_scenario(root, demo_settings)
    assert where in str(info.value) and reason in str(info.value)
    assert current_dir(demo_settings) == before
    # The demo is still there and still answers.
    report = run_all(LocalBackend(demo_settings), CheckContext(demo_settings, date(2026, 2, 4), DEMO_END))
    assert report.check("grading_coverage").value.predicted == 759
    assert [p.name for p in demo_settings.data_dir.iterdir() if p.name.startswith("gen-")] == [before.name]


def test_empty_directory_is_refused(tmp_path, demo_settings):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ScenarioError, match="nothing to load"):
        load_scenario(tmp_path / "empty", demo_settings)


def test_export_then_load_round_trip(tmp_path, demo_settings):
    counts = export_scenario(demo_settings, tmp_path / "out")
    assert counts["tables/nba_predictions.player_prop_predictions.ndjson"] > 759
    first = run_all(LocalBackend(demo_settings), CheckContext(demo_settings, date(2026, 2, 3), DEMO_END))
    load_scenario(tmp_path / "out", demo_settings)
    second = run_all(LocalBackend(demo_settings), CheckContext(demo_settings, date(2026, 2, 3), DEMO_END))
    assert first.to_json_dict()["checks"] == second.to_json_dict()["checks"]
    # Exported rows keep the interchange formats.
    row = orjson.loads(
        (tmp_path / "out" / "tables" / "nba_analytics.player_game_summary.ndjson").read_bytes().splitlines()[0]
    )
    assert row["game_date"] == "2026-01-18" and row["processed_at"].endswith("Z")  # the demo's first date (issue 16)


def test_missing_local_data_is_a_clear_error(tmp_path):
    from console.core.config import load_settings
    from console.services.runner import SPEC_BY_ID, run_check

    settings = load_settings(data_dir=tmp_path / "nothing")
    result = run_check(
        SPEC_BY_ID["grading_coverage"], LocalBackend(settings), CheckContext(settings, date(2026, 2, 4), DEMO_END)
    )
    assert result.status.value == "error" and "seed-demo" in result.summary
