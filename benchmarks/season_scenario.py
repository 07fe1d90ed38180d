"""Write a season-sized scenario directory (the format `nba-console local load` reads).

    .venv/bin/python benchmarks/season_scenario.py DEST [--dates 180] [--seed 13]

180 game dates from 2025-10-21, ~250 players a date: player_game_summary, player_daily_cache,
player_prop_predictions and prediction_accuracy (~130k graded rows). Deterministic for a
seed, so every benchmark run loads the same bytes. Not committed: benchmarks/run.py makes it
in a temporary directory.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson

SYSTEMS = ("catboost_v8", "ensemble_v1", "moving_average", "zone_matchup_v1")
TEAMS = (
    "ATL",
    "BOS",
    "BKN",
    "CHA",
    "CHI",
    "CLE",
    "DAL",
    "DEN",
    "DET",
    "GSW",
    "HOU",
    "IND",
    "LAC",
    "LAL",
    "MEM",
    "MIA",
    "MIL",
    "MIN",
    "NOP",
    "NYK",
    "OKC",
    "ORL",
    "PHI",
    "PHX",
    "POR",
    "SAC",
    "SAS",
    "TOR",
    "UTA",
    "WAS",
)


def _ts(day: date, hour: int, minute: int) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC).isoformat().replace("+00:00", "Z")


def write(dest: Path, dates: int = 180, seed: int = 13) -> dict[str, int]:
    rng = random.Random(seed)
    players = [f"player{i:03d}" for i in range(450)]
    tables = dest / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    names = (
        "nba_analytics.player_game_summary",
        "nba_precompute.player_daily_cache",
        "nba_predictions.player_prop_predictions",
        "nba_predictions.prediction_accuracy",
    )
    handles = {n: open(tables / f"{n}.ndjson", "wb") for n in names}  # noqa: SIM115 - closed in the finally below
    counts = dict.fromkeys(names, 0)
    start = date(2025, 10, 21)
    try:
        for d in range(dates):
            day = start + timedelta(days=d)
            games = rng.randint(6, 10)
            playing = rng.sample(players, games * 2 * 15)
            for i, player in enumerate(playing):
                team = TEAMS[(i // 15 + d) % len(TEAMS)]
                dnp = rng.random() < 0.15
                row = {
                    "game_date": day.isoformat(),
                    "game_id": f"{day:%Y%m%d}_{i // 30:02d}",
                    "player_lookup": player,
                    "player_name": player.title(),
                    "team_abbr": team,
                    "minutes_played": 0.0 if dnp else round(rng.uniform(4, 42), 1),
                    "points": 0 if dnp else rng.randint(0, 45),
                    "usage_rate": None if dnp else round(rng.uniform(5, 38), 1),
                    "is_dnp": dnp,
                    "processed_at": _ts(day + timedelta(days=1), 12, rng.randint(0, 59)),
                }
                handles[names[0]].write(orjson.dumps(row) + b"\n")
                counts[names[0]] += 1
                cache = {
                    "cache_date": day.isoformat(),
                    "player_lookup": player,
                    "player_name": player.title(),
                    "points_avg_last_10": round(rng.uniform(2, 32), 2),
                    "games_in_window": rng.randint(1, 10),
                    "created_at": _ts(day, 14, rng.randint(0, 59)),
                }
                handles[names[1]].write(orjson.dumps(cache) + b"\n")
                counts[names[1]] += 1
                if dnp:
                    continue
                for system in SYSTEMS[: 3 + (i % 2)]:
                    predicted = round(rng.uniform(4, 34), 1)
                    line = round(predicted + rng.uniform(-4, 4)) + 0.5
                    pred = {
                        "game_date": day.isoformat(),
                        "player_lookup": player,
                        "system_id": system,
                        "predicted_points": predicted,
                        "line_value": line,
                        "recommendation": "OVER" if predicted > line else "UNDER",
                        "confidence_score": round(rng.random(), 3),
                    }
                    handles[names[2]].write(
                        orjson.dumps({**pred, "created_at": _ts(day, 15, rng.randint(0, 59))}) + b"\n"
                    )
                    counts[names[2]] += 1
                    actual = float(row["points"])
                    graded = {
                        **pred,
                        "actual_points": actual,
                        "prediction_correct": (actual > line) == (pred["recommendation"] == "OVER"),
                        "graded_at": _ts(day + timedelta(days=1), 13, rng.randint(0, 59)),
                    }
                    handles[names[3]].write(orjson.dumps(graded) + b"\n")
                    counts[names[3]] += 1
    finally:
        for fh in handles.values():
            fh.close()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("--dates", type=int, default=180)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    counts = write(args.dest, args.dates, args.seed)
    for name, n in counts.items():
        print(f"{name}: {n:,} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
