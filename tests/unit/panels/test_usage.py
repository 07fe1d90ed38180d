"""Usage-rate coverage: thresholds, failing games, impossible values, and its value
(`UsageValue`) as `check --json` writes it."""

from __future__ import annotations

from console.core.config import Settings
from console.core.models import Status, UsageGameRow
from panels.dispatch import breakdown
from panels.usage import usage_rate_coverage

S = Settings()


def game(gid, active, with_usage, impossible=0, top=None):
    return UsageGameRow(
        game_id=gid, active_players=active, with_usage=with_usage, impossible=impossible, max_usage_rate=top
    )


def test_usage_thresholds_and_failing_game():
    assert usage_rate_coverage([game("20260203_A_B", 10, 9, top=30.0)], S).status is Status.OK
    warn = usage_rate_coverage([game("20260203_A_B", 10, 8, top=30.0)], S)
    assert warn.status is Status.WARN
    whole = usage_rate_coverage([game("20260203_PHX_POR", 20, 0), game("20260203_A_B", 200, 200, top=20.0)], S)
    assert whole.status is Status.WARN and "PHX @ POR (20)" in whole.summary
    impossible = usage_rate_coverage([game("20260203_A_B", 10, 10, impossible=1, top=1228.0)], S)
    assert impossible.status is Status.FAIL and "1228%" in impossible.summary


def test_usage_no_players_is_unknown():
    assert usage_rate_coverage([], S).status is Status.UNKNOWN


def test_the_json_keys_in_order():
    result = usage_rate_coverage([game("20260203_PHX_POR", 20, 0), game("20260203_A_B", 10, 10, 1, 1228.0)], S)
    value = result.value_json()
    assert list(value) == [
        "games",
        "active_players",
        "with_usage",
        "missing",
        "coverage_pct",
        "target_pct",
        "impossible",
        "max_usage_rate",
        "failing_games",
        "per_game",
    ]
    assert value["failing_games"] == [{"game_id": "20260203_PHX_POR", "game": "PHX @ POR", "players": 20}]
    assert list(value["per_game"][1]) == [
        "game_id",
        "active_players",
        "with_usage",
        "impossible",
        "max_usage_rate",
        "game",
        "coverage_pct",
    ]


def test_the_breakdown_leaves_the_game_id_to_the_game_name():
    title, rows = breakdown(usage_rate_coverage([game("20260203_A_B", 10, 9, top=30.0)], S))
    assert title == "per game" and "game_id" not in rows[0] and rows[0]["game"] == "A @ B"
