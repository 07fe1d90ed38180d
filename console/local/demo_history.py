"""The demo's past (issue 16): generated game dates before Feb 2, so the history screen has
weeks to show. Nothing here touches the handoff's Feb 2-4 figures: the rows are appended
after demo.build_rows' own, the documents are other processing dates, and the log lines go
to their own file.

The story they tell: usage-rate coverage slips slowly (99.5 % on Jan 18, ~92 % on Feb 2)
before Feb 3's failure; the DNP filter holds until the leak of Feb 2; grading dips under
the 80 % trigger once (Jan 26); every morning ran in parallel mode, in a lucky order.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from console.local import demo

FIRST_DAY = date(2026, 1, 18)
DAYS = tuple(FIRST_DAY + timedelta(days=i) for i in range((demo.GAME_DATES[0] - FIRST_DAY).days))
GRADING_DIP = date(2026, 1, 26)  # grading-coverage-monitor territory: 70 % <= coverage < 80 %
FEB2_USAGE_PCT = 92.4  # the last step of the decline; Feb 3 (87.1 %) is the handoff's own


def usage_target(day: date) -> float:
    """Share of active players with a usage rate: a slow slide towards the 90 % line."""
    return min(100.0, 99.5 - 0.45 * (day - FIRST_DAY).days)


def _schedule(day: date, rng: random.Random) -> list[str]:
    teams = list(demo.TEAMS)
    rng.shuffle(teams)
    games = rng.randint(5, 11)
    return [f"{teams[2 * i]}_{teams[2 * i + 1]}" for i in range(games)]


def _day_rows(day: date, rosters: demo._Rosters, rng: random.Random, out: dict[str, list[dict[str, Any]]]) -> None:
    games = _schedule(day, rng)
    teams = {t for g in games for t in g.split("_")}
    morning = day + timedelta(days=1)
    active: list[dict[str, Any]] = []
    for game in games:
        for team in game.split("_"):
            n_active, n_dnp = rng.randint(9, 12), rng.randint(2, 5)
            for i, (lookup, name) in enumerate(rosters.by_team[team][: n_active + n_dnp]):
                is_dnp = i >= n_active
                row = {
                    "game_date": day.isoformat(),
                    "game_id": f"{day:%Y%m%d}_{game}",
                    "player_lookup": lookup,
                    "player_name": name,
                    "team_abbr": team,
                    "minutes_played": 0.0 if is_dnp else round(rng.uniform(8, 36), 1),
                    "points": 0 if is_dnp else rng.randint(0, 30),
                    "usage_rate": None if is_dnp else round(rng.uniform(10, 32), 1),
                    "is_dnp": is_dnp,
                    "processed_at": demo._ts(demo._at(morning, 11, 50) + timedelta(seconds=rng.randint(0, 600))),
                }
                out["nba_analytics.player_game_summary"].append(row)
                if not is_dnp:
                    active.append(row)
    _drop_usage(active, usage_target(day), rng)
    # The DNP filter still works: only players who played, plus idle teams' players, are cached.
    created = demo._ts(demo._at(morning, 13, 40))
    idle = [p for t in demo.TEAMS if t not in teams for p in rosters.by_team[t]]
    cached = [(r["player_lookup"], r["player_name"]) for r in active] + rng.sample(idle, 60)
    for lookup, name in cached:
        out["nba_precompute.player_daily_cache"].append(
            {
                "cache_date": day.isoformat(),
                "player_lookup": lookup,
                "player_name": name,
                "points_avg_last_10": round(rng.uniform(3, 27), 1),
                "games_in_window": rng.randint(6, 10),
                "created_at": created,
            }
        )
    _predictions(day, active, rng, out)


def _drop_usage(active: list[dict[str, Any]], target_pct: float, rng: random.Random) -> None:
    missing = round(len(active) * (100 - target_pct) / 100)
    for row in rng.sample(active, missing):
        row["usage_rate"] = None


def _predictions(
    day: date, active: list[dict[str, Any]], rng: random.Random, out: dict[str, list[dict[str, Any]]]
) -> None:
    players = rng.sample(sorted(active, key=lambda r: r["player_lookup"]), min(len(active), rng.randint(70, 95)))
    graded_share = 0.76 if day == GRADING_DIP else rng.uniform(0.965, 0.995)
    created, graded_at = demo._at(day, 17), demo._at(day + timedelta(days=1), 13, 5)
    for s, system in enumerate(demo.SYSTEMS):
        for p, player in enumerate(players):
            line = round(rng.uniform(5.5, 28.5), 1)
            predicted = round(line + rng.uniform(-6, 6), 1)
            rec = "OVER" if predicted > line else "UNDER"
            key = {
                "game_date": day.isoformat(),
                "player_lookup": player["player_lookup"],
                "system_id": system,
                "predicted_points": predicted,
                "line_value": line,
                "recommendation": rec,
                "confidence_score": round(rng.uniform(0.5, 0.95), 3),
            }
            out["nba_predictions.player_prop_predictions"].append({**key, "created_at": demo._ts(created)})
            if rng.random() > graded_share:
                continue
            actual = float(player["points"])
            out["nba_predictions.prediction_accuracy"].append(
                {
                    **key,
                    "actual_points": actual,
                    "prediction_correct": (actual > line) == (rec == "OVER"),
                    "graded_at": demo._ts(graded_at + timedelta(seconds=s * 90 + p)),
                }
            )


def add_history(rows: dict[str, list[dict[str, Any]]], seed: int = 20260205) -> None:
    """Append the generated dates to demo.build_rows' tables, and the Feb 2 step of the usage slide."""
    rng = random.Random(seed + 16)
    add_days(rows, DAYS, rng)
    feb2 = demo.GAME_DATES[0].isoformat()
    feb2_active = [
        r
        for r in rows["nba_analytics.player_game_summary"]
        if r["game_date"] == feb2 and not r["is_dnp"] and r["usage_rate"] is not None
    ]
    _drop_usage(feb2_active, FEB2_USAGE_PCT, rng)


def add_days(rows: dict[str, list[dict[str, Any]]], days: tuple[date, ...], rng: random.Random) -> None:
    """Generated game dates (benchmarks/history_bench.py uses it for a season)."""
    rosters = demo._Rosters(rng)
    for day in days:
        _day_rows(day, rosters, rng, rows)


def phase3_documents(days: tuple[date, ...] = DAYS) -> dict[str, dict[str, Any]]:
    docs = {}
    for i, day in enumerate(days):
        morning = day + timedelta(days=1)
        shift = i % 4 * 3  # a few minutes' jitter from one morning to the next
        times = [(11, 10 + shift), (11, 12 + shift), (11, 11 + shift), (11, 35 + shift), (11, 38 + shift)]
        docs[morning.isoformat()] = {
            name: {
                "status": "success",
                "completed_at": demo._ts(demo._at(morning, h, m)),
                "record_count": 100 + h * 7 + m,
            }
            for (name, _level), (h, m) in zip(demo.PROCESSORS, times, strict=True)
        }
    return docs


def log_entries(days: tuple[date, ...] = DAYS) -> list[dict[str, Any]]:
    """Parallel mode every morning, team processors finishing first (the lucky order)."""
    w = demo._LogWriter()
    for i, day in enumerate(days):
        morning, shift = day + timedelta(days=1), i % 4 * 3
        for name, (h0, m0), (h1, m1) in [
            ("TeamOffenseGameSummaryProcessor", (11, 2), (11, 10)),
            ("TeamDefenseGameSummaryProcessor", (11, 2), (11, 12)),
            ("UpcomingTeamGameContextProcessor", (11, 3), (11, 11)),
            ("PlayerGameSummaryProcessor", (11, 14), (11, 35)),
            ("UpcomingPlayerGameContextProcessor", (11, 15), (11, 38)),
        ]:
            w.add(demo._at(morning, h0, m0 + shift), f"Starting {name}")
            w.add(demo._at(morning, h1, m1 + shift), f"{name} completed")
    return sorted(w.entries, key=lambda e: e["timestamp"])
