"""The pure parts of the gcp backend: filter rendering, gcloud JSON parsing, error text."""

from __future__ import annotations

from datetime import UTC, datetime

from console.backends.gcp_backend import format_bytes
from console.backends.gcp_deploy import parse_function, parse_run_service
from console.backends.gcp_errors import missing_object
from console.backends.gcp_logs import render_filter

TABLES = {
    "player_game_summary": "nba_analytics.player_game_summary",
    "prediction_accuracy": "nba_predictions.prediction_accuracy",
}


def test_render_filter_is_the_handoff_form():
    start = datetime(2026, 2, 5, 11, tzinfo=UTC)
    assert render_filter("nba-phase3-analytics-processors", start, patterns=["Level 1", "Level 2"]) == (
        'resource.labels.service_name="nba-phase3-analytics-processors" '
        'AND (textPayload=~"Level 1" OR textPayload=~"Level 2") AND timestamp>="2026-02-05T11:00:00Z"'
    )
    assert render_filter('we"ird\\', None) == 'resource.labels.service_name="we\\"ird\\\\"'


def test_missing_object_names_the_config_key_in_both_message_shapes():
    assert missing_object("Not found: Table nba-props-platform:nba_predictions.prediction_accuracy", TABLES) == (
        "BigQuery table nba_predictions.prediction_accuracy not found (config key tables.prediction_accuracy)"
    )
    assert "config key tables.player_game_summary" in missing_object(
        "Not found: Dataset test-project:nba_analytics was not found in location US", TABLES
    )
    assert "see [tables]" in missing_object("Not found: Table p.other.t was not found", TABLES)


def test_run_service_commit_from_label_then_env():
    doc = {
        "metadata": {"name": "svc"},
        "spec": {
            "template": {
                "metadata": {"labels": {}},
                "spec": {
                    "containers": [
                        {"env": [{"name": "GIT_COMMIT", "value": "abc"}, {"name": "TOKEN", "valueFrom": {}}]}
                    ]
                },
            }
        },
        "status": {"traffic": [{"percent": 90, "latestRevision": True}, {"percent": 10}]},
    }
    state = parse_run_service(doc, "us-west2")
    assert (state.commit, state.env["TOKEN"], state.traffic_latest) == ("abc", "(secret)", False)
    doc["spec"]["template"]["metadata"]["labels"]["commit-sha"] = "def"
    assert parse_run_service(doc, "us-west2").commit == "def"


def test_function_gen1_and_gen2_shapes():
    gen2 = parse_function(
        {"updateTime": "2026-02-05T02:15:00Z", "serviceConfig": {"environmentVariables": {"COMMIT_SHA": "x"}}},
        "grading",
        "us-west2",
    )
    gen1 = parse_function({"environmentVariables": {"COMMIT_SHA": "y"}}, "grading", "us-west2")
    assert (gen2.commit, gen2.deployed_at.hour, gen1.commit) == ("x", 2, "y")


def test_format_bytes():
    assert [format_bytes(n) for n in (None, 0, 1536, 1 << 30)] == ["unknown bytes", "0 B", "1.5 KiB", "1.0 GiB"]
