"""Grading coverage: its thresholds and edge cases on rows built in the test, and its value
(`GradingValue`) as `check --json` writes it: key order, the keys only some verdicts carry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.core.config import Settings
from console.core.models import GradingSystemRow, Status
from panels.common import Due
from panels.dispatch import render_result
from panels.grading import GradingValue, grading_coverage

S = Settings()
PAST = Due(at=datetime(2026, 2, 5, 14, 0, tzinfo=UTC), passed=True, games=True)
BEFORE = Due(at=PAST.at, passed=False)
KEYS = [
    "predicted",
    "graded",
    "correct",
    "coverage_pct",
    "expected_predictions",
    "trigger_pct",
    "monitor_pct",
    "systems",
]


def grading(graded, predicted=100):
    return [GradingSystemRow(system_id="a", predicted=predicted, graded=graded, correct=0, players=predicted)]


@pytest.mark.parametrize(
    ("graded", "status"),
    [(100, Status.OK), (80, Status.OK), (79, Status.FAIL), (70, Status.FAIL), (69, Status.FAIL), (0, Status.FAIL)],
)
def test_grading_thresholds_past_the_deadline(graded, status):
    result = grading_coverage(grading(graded), S, due=PAST)
    assert result.status is status
    if status is Status.FAIL:  # the summary says which line it is under
        assert ("monitor line" if graded < 70 else "80% trigger") in result.summary


def test_grading_before_deadline_is_not_yet():
    result = grading_coverage(grading(0), S, due=BEFORE)
    assert result.status is Status.UNKNOWN and "not due" in result.summary
    assert grading_coverage(grading(75), S, due=BEFORE).status is Status.UNKNOWN
    assert grading_coverage(grading(90), S, due=BEFORE).status is Status.OK


def test_grading_no_predictions():
    assert grading_coverage([], S, due=BEFORE).status is Status.UNKNOWN


def test_grading_per_system_figures():
    rows = [
        GradingSystemRow(system_id="b", predicted=10, graded=5, correct=3, players=10),
        GradingSystemRow(system_id="a", predicted=10, graded=10, correct=7, players=10),
    ]
    value = grading_coverage(rows, S, due=PAST).value
    assert isinstance(value, GradingValue)
    assert [s.system_id for s in value.systems] == ["a", "b"]
    assert value.systems[1].coverage_pct == 50.0 and value.coverage_pct == 75.0


def test_the_json_keys_in_order_and_only_when_they_apply():
    ok = grading_coverage(grading(90), S, due=PAST)
    assert list(ok.value_json()) == KEYS
    assert list(ok.value_json()["systems"][0]) == [
        "system_id",
        "predicted",
        "graded",
        "correct",
        "players",
        "coverage_pct",
    ]
    overdue = grading_coverage(grading(10), S, due=PAST)
    assert list(overdue.value_json()) == [*KEYS, "deadline", "overdue"]
    assert overdue.value_json()["overdue"] is True
    no_games = grading_coverage([], S, due=Due(at=PAST.at, passed=True, games=False))
    assert no_games.status is Status.OK and list(no_games.value_json()) == [*KEYS, "no_games"]
    assert no_games.says_no_games() and not ok.says_no_games()
    # The thresholds in force, as floats whatever the config wrote.
    assert ok.value_json()["trigger_pct"] == 80.0 and isinstance(ok.value_json()["trigger_pct"], float)


def test_the_panel_draws_the_thresholds_from_the_value():
    settings = Settings(thresholds={"grading_trigger_pct": 95, "coverage_monitor_pct": 60})
    result = grading_coverage(grading(90), settings, due=PAST)
    head, body = render_result(result, S.tz)
    assert head == "90.0%" and "trigger 95% · monitor 60%" in body.plain
