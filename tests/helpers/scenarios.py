"""A small scenario directory written by hand, for the loaders and their refusals."""

from __future__ import annotations

import json


def write_hand_scenario(root):
    """A tiny night written by hand: one game, two players, one DNP left in the cache."""
    (root / "tables").mkdir(parents=True)
    pgs = [
        {
            "game_date": "2026-03-01",
            "game_id": "20260301_LAL_BOS",
            "player_lookup": "a",
            "player_name": "A A",
            "team_abbr": "LAL",
            "minutes_played": 30.0,
            "points": 20,
            "usage_rate": 25.0,
            "is_dnp": False,
            "processed_at": "2026-03-02T12:00:00Z",
        },
        {
            "game_date": "2026-03-01",
            "game_id": "20260301_LAL_BOS",
            "player_lookup": "b",
            "player_name": "B B",
            "team_abbr": "BOS",
            "minutes_played": 0.0,
            "points": 0,
            "usage_rate": None,
            "is_dnp": True,
            "processed_at": "2026-03-02T12:00:00Z",
        },
    ]
    cache = [
        {
            "cache_date": "2026-03-01",
            "player_lookup": p,
            "player_name": p.upper(),
            "points_avg_last_10": 10.0,
            "games_in_window": 5,
            "created_at": "2026-03-02T13:00:00Z",
        }
        for p in ("a", "b")
    ]
    (root / "tables" / "nba_analytics.player_game_summary.ndjson").write_text(
        "\n".join(json.dumps(r) for r in pgs) + "\n"
    )
    (root / "tables" / "nba_precompute.player_daily_cache.ndjson").write_text("\n".join(json.dumps(r) for r in cache))
    (root / "firestore" / "phase3_completion").mkdir(parents=True)
    (root / "firestore" / "phase3_completion" / "2026-03-02.json").write_text(
        json.dumps({"TeamOffenseGameSummaryProcessor": {"status": "success", "completed_at": "2026-03-02T12:00:00Z"}})
    )
    (root / "logs").mkdir()
    (root / "logs" / "tail.ndjson").write_text(
        json.dumps(
            {
                "timestamp": "2026-03-02T12:00:00.123456789Z",
                "textPayload": "Starting PlayerGameSummaryProcessor",
                "resource": {"labels": {"service_name": "nba-phase3-analytics-processors"}},
            }
        )
        + "\n"
    )
    return root
