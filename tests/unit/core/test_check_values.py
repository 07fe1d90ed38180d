"""The check values (core/models.py): typed, strict and frozen, one JSON edge
(`CheckResult.value_json`, `Report.to_json_dict`) where a model becomes a dict."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson
import pytest
from pydantic import ValidationError

from console.core.models import CheckResult, ErrorValue, Report, Status
from panels.grading import GradingValue
from panels.usage import FailingGame, UsageValue

GAME = FailingGame(game_id="20260203_PHX_POR", game="PHX @ POR", players=20)


def usage(**fields) -> UsageValue:
    base = {
        "games": 1,
        "active_players": 20,
        "with_usage": 0,
        "missing": 20,
        "coverage_pct": 0.0,
        "target_pct": 90.0,
        "impossible": 0,
        "max_usage_rate": None,
        "failing_games": [GAME],
        "per_game": [],
    }
    return UsageValue(**{**base, **fields})


def result(value=None, status=Status.WARN) -> CheckResult:
    return CheckResult(id="usage_rate_coverage", title="Usage", status=status, summary="s", value=value)


def test_a_value_of_the_wrong_type_or_an_unknown_key_fails_loudly():
    with pytest.raises(ValidationError):
        usage(games="1")  # strict: no text where a count is declared
    with pytest.raises(ValidationError):
        usage(surprise=True)
    with pytest.raises(ValidationError):
        usage().updated(no_games=True)  # usage has no `no_games`: updated() validates
    with pytest.raises(ValidationError):
        usage().updated(games="2")
    with pytest.raises(ValidationError):
        CheckResult(id="x", title="x", status=Status.OK, summary="", value={"games": 1})


def test_values_are_frozen_and_compare_by_value():
    value = usage()
    with pytest.raises(ValidationError):
        value.games = 2  # type: ignore[misc]  # frozen: the assignment itself is the test
    assert usage() == value and value.updated(games=2) != value and value.updated(games=2).games == 2


def test_the_json_edge_writes_the_checks_own_fields():
    value = usage(target_pct=90)  # an int where a float is declared is written as a float
    dumped = result(value).value_json()
    assert dumped["target_pct"] == 90.0 and isinstance(dumped["target_pct"], float)
    assert dumped["failing_games"] == [{"game_id": "20260203_PHX_POR", "game": "PHX @ POR", "players": 20}]
    assert result(value).model_dump()["value"] == dumped  # dumped as the subclass, not the empty base
    assert result(None).value_json() == {} and result(ErrorValue()).value_json() == {}


def test_a_report_says_no_games_once_and_only_when_a_check_does():
    def report(*checks):
        return Report(
            game_date=date(2026, 2, 6),
            processing_date=date(2026, 2, 7),
            as_of=datetime(2026, 2, 7, 19, tzinfo=UTC),
            backend="local",
            project="p",
            status=Status.OK,
            checks=list(checks),
        )

    grading = GradingValue(
        predicted=0,
        graded=0,
        correct=0,
        coverage_pct=None,
        expected_predictions=759,
        trigger_pct=80.0,
        monitor_pct=70.0,
        systems=[],
    )
    quiet = CheckResult(id="grading_coverage", title="G", status=Status.OK, summary="", value=grading)
    said = quiet.model_copy(update={"value": grading.updated(no_games=True)})
    assert "no_games" not in report(quiet, result(usage())).to_json_dict()
    doc = report(said, result(usage())).to_json_dict()
    assert doc["no_games"] is True and list(doc)[:7] == [
        "game_date",
        "processing_date",
        "as_of",
        "backend",
        "project",
        "status",
        "no_games",
    ]
    assert orjson.loads(orjson.dumps(doc))["checks"][0]["value"]["no_games"] is True
