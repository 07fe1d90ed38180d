"""The demo scenario: games of 2026-02-02..04 and the morning of 2026-02-05, as the Session 124
handoff describes them. It is written as an ordinary scenario directory and loaded like any
other, so every figure the console shows comes out of queries over these rows.

Shapes it reproduces: 7 games and 759 predictions over 8 systems on Feb 4; 143 DNP rows out
of 650 cache rows over Feb 2-3 (Anthony Davis 21.9, Aaron Gordon 16.2, Andrew Wiggins 15.1);
on Feb 3, 189 of 217 active players with a usage rate, all 20 of PHX @ POR without one,
19 impossible values up to 1228 % and the 92-minute race; nba-scrapers 49 commits behind
(its deploy history: demo_deploys.py).
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from console.core.timestamps import rfc3339

GAME_DATES = (date(2026, 2, 2), date(2026, 2, 3), date(2026, 2, 4))
MORNING = date(2026, 2, 5)
SERVICE = "nba-phase3-analytics-processors"
SYSTEMS = (
    "catboost_v8",
    "ensemble_v1",
    "moving_average",
    "similarity_balanced_v1",
    "xgboost_v1",
    "zone_matchup_v1",
    "catboost_v9",
    "ensemble_v1_1",
)
TEAMS = (
    "ATL BOS BKN CHA CHI CLE DAL DEN DET GSW HOU IND LAC LAL MEM "
    "MIA MIL MIN NOP NYK OKC ORL PHI PHX POR SAC SAS TOR UTA WAS"
).split()
SCHEDULE = {
    date(2026, 2, 2): ["LAL_BOS", "GSW_NYK", "MIL_CLE", "OKC_ATL", "HOU_MIN", "SAC_CHA", "UTA_DET", "SAS_IND"],
    date(2026, 2, 3): [
        "PHX_POR",
        "DAL_BOS",
        "DEN_NYK",
        "MIA_CHI",
        "LAL_BKN",
        "GSW_PHI",
        "MIL_ATL",
        "OKC_TOR",
        "HOU_ORL",
        "SAC_WAS",
    ],
    date(2026, 2, 4): ["DAL_LAC", "DEN_MEM", "MIA_NOP", "PHX_UTA", "POR_SAS", "CLE_IND", "BOS_DET"],
}
# (date) -> active players, DNP players and extra cache rows of teams without a game.
DAY_SHAPE = {
    date(2026, 2, 2): {"active": 170, "dnp": 70, "cache_extra": 80},
    date(2026, 2, 3): {"active": 217, "dnp": 73, "cache_extra": 40},
    date(2026, 2, 4): {"active": 147, "dnp": 42, "cache_extra": 60},
}
STARS = {  # Feb 3 DNPs the handoff names, with their cached averages
    "anthonydavis": ("Anthony Davis", "DAL", 21.9),
    "aarongordon": ("Aaron Gordon", "DEN", 16.2),
    "andrewwiggins": ("Andrew Wiggins", "MIA", 15.1),
}
NAMED_ACTIVE = {  # Feb 3 PHX @ POR players the handoff names: (team, minutes, points)
    "toumanicamara": ("Toumani Camara", "POR", 38.1, 17),
    "graysonallen": ("Grayson Allen", "PHX", 36.0, 24),
}
FIRST = (
    "Jalen Marcus Tyrese Devin Jaylen Cam Miles Keegan Bennedict Dyson "
    "Ochai Jabari Scoot Kobe Ausar Trey Amen Cason Dereck Isaiah"
).split()
LAST = (
    "Rivers Holloway Banks Whitfield Okafor Lindqvist Marsh Pryor Castellan Duval "
    "Ferreira Haddad Kowalski Mensah Novak Oduya Quintero Sato Varga Yilmaz"
).split()


def _ts(moment: datetime) -> str:
    return rfc3339(moment)


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


def _full_sha(short: str) -> str:
    return short + hashlib.sha1(short.encode()).hexdigest()[: 40 - len(short)]


class _Rosters:
    """17 players a team; the handoff's named players are placed on their teams."""

    def __init__(self, rng: random.Random):
        self.by_team: dict[str, list[tuple[str, str]]] = {}
        for t, team in enumerate(TEAMS):
            players = []
            for i in range(17):
                name = f"{FIRST[(t * 7 + i) % len(FIRST)]} {LAST[(t * 3 + i * 11) % len(LAST)]}"
                lookup = name.lower().replace(" ", "") + f"{team.lower()}{i}"
                players.append((lookup, name))
            self.by_team[team] = players
        for lookup, (name, team, _avg) in STARS.items():
            self.by_team[team][0] = (lookup, name)
        for lookup, (name, team, _minutes, _points) in NAMED_ACTIVE.items():
            self.by_team[team][0] = (lookup, name)
        self.rng = rng


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def build_rows(seed: int = 20260205) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    rosters = _Rosters(rng)
    pgs: list[dict[str, Any]] = []
    cache: list[dict[str, Any]] = []
    predictions: list[dict[str, Any]] = []
    accuracy: list[dict[str, Any]] = []

    for day in GAME_DATES:
        shape = DAY_SHAPE[day]
        games = SCHEDULE[day]
        teams = [t for g in games for t in g.split("_")]
        processed = (
            _at(day + timedelta(days=1), 12, 45) if day == GAME_DATES[-1] else _at(day + timedelta(days=1), 11, 50)
        )
        # PHX @ POR keeps exactly 10 + 10 active on Feb 3; the rest share what is left.
        actives = _split(
            shape["active"] - (20 if day == date(2026, 2, 3) else 0), len(teams) - (2 if day == date(2026, 2, 3) else 0)
        )
        dnps = _split(shape["dnp"], len(teams))
        rng.shuffle(dnps)
        day_active: list[dict[str, Any]] = []
        day_dnp: list[dict[str, Any]] = []
        a_index = 0
        for game in games:
            away, home = game.split("_")
            game_id = f"{day:%Y%m%d}_{game}"
            for team in (away, home):
                if day == date(2026, 2, 3) and game == "PHX_POR":
                    n_active = 10
                else:
                    n_active = actives[a_index]
                    a_index += 1
                n_dnp = dnps[teams.index(team)]
                roster = rosters.by_team[team]
                # A named star takes the first DNP slot on Feb 3 and plays on the other days.
                ordered = list(roster)
                if roster[0][0] in STARS and day == date(2026, 2, 3):
                    ordered.insert(n_active, ordered.pop(0))
                for i, (lookup, name) in enumerate(ordered[: n_active + n_dnp]):
                    is_dnp = i >= n_active
                    row = {
                        "game_date": day.isoformat(),
                        "game_id": game_id,
                        "player_lookup": lookup,
                        "player_name": name,
                        "team_abbr": team,
                        "minutes_played": 0.0 if is_dnp else round(rng.uniform(8, 36), 1),
                        "points": 0 if is_dnp else rng.randint(0, 30),
                        "usage_rate": None if is_dnp else round(rng.uniform(10, 32), 1),
                        "is_dnp": is_dnp,
                        "processed_at": _ts(processed + timedelta(seconds=rng.randint(0, 600))),
                    }
                    if lookup in NAMED_ACTIVE and day == date(2026, 2, 3):
                        _name, _team, minutes, points = NAMED_ACTIVE[lookup]
                        row.update(minutes_played=minutes, points=points)
                    (day_dnp if is_dnp else day_active).append(row)
        if day == date(2026, 2, 3):
            _break_usage_feb3(day_active, rng)
        pgs.extend(day_active + day_dnp)
        cache.extend(_cache_rows(day, day_active, day_dnp, teams, rosters, shape, rng))
        if day == GAME_DATES[-1]:
            _predictions(day, day_active, day_dnp, rng, predictions, accuracy)
        else:
            _predictions(day, day_active, [], rng, predictions, accuracy)
    return {
        "nba_analytics.player_game_summary": pgs,
        "nba_precompute.player_daily_cache": cache,
        "nba_predictions.player_prop_predictions": predictions,
        "nba_predictions.prediction_accuracy": accuracy,
    }


def _break_usage_feb3(active: list[dict[str, Any]], rng: random.Random) -> None:
    """PHX @ POR loses every usage rate; 8 more go missing; the race leaves 19 impossible values."""
    others = []
    for row in active:
        if row["game_id"].endswith("_PHX_POR"):
            row["usage_rate"] = None
        else:
            others.append(row)
    picks = rng.sample(others, 8 + 19)
    for row in picks[:8]:
        row["usage_rate"] = None
    impossible = [1228.0] + [round(rng.uniform(140, 900), 1) for _ in range(18)]
    for row, value in zip(picks[8:], impossible, strict=True):
        row["usage_rate"] = value


def _cache_rows(
    day: date,
    active: list[dict[str, Any]],
    dnp: list[dict[str, Any]],
    teams: list[str],
    rosters: _Rosters,
    shape: dict[str, int],
    rng: random.Random,
) -> list[dict[str, Any]]:
    created = _at(day + timedelta(days=1), 13, 40)
    rows = []

    def add(lookup: str, name: str, avg: float) -> None:
        rows.append(
            {
                "cache_date": day.isoformat(),
                "player_lookup": lookup,
                "player_name": name,
                "points_avg_last_10": avg,
                "games_in_window": rng.randint(6, 10),
                "created_at": _ts(created),
            }
        )

    for row in active:
        add(row["player_lookup"], row["player_name"], round(rng.uniform(4, 27), 1))
    # Before the filter worked (Feb 2-3) DNP players stayed in the cache; on Feb 4 they are blocked.
    if day != GAME_DATES[-1]:
        for row in dnp:
            star = STARS.get(row["player_lookup"])
            add(row["player_lookup"], row["player_name"], star[2] if star else round(rng.uniform(2, 14.9), 1))
    idle = [p for t in TEAMS if t not in teams for p in rosters.by_team[t]]
    for lookup, name in rng.sample(idle, shape["cache_extra"]):
        add(lookup, name, round(rng.uniform(3, 22), 1))
    return rows


def _predictions(
    day: date,
    active: list[dict[str, Any]],
    late_scratches: list[dict[str, Any]],
    rng: random.Random,
    predictions: list[dict[str, Any]],
    accuracy: list[dict[str, Any]],
) -> None:
    """Feb 4: 95 players x 8 systems less one = 759; two late scratches cannot be graded."""
    pool = sorted(active, key=lambda r: r["player_lookup"])
    players = rng.sample(pool, 93 if day == GAME_DATES[-1] else 90) + late_scratches[:2]
    created = _at(day, 17)
    graded_at = _at(day + timedelta(days=1), 13, 5)
    for s, system in enumerate(SYSTEMS):
        for p, player in enumerate(players):
            if system == "ensemble_v1" and p == 0:
                continue  # one system skipped one player: 759, not 760
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
            predictions.append({**key, "created_at": _ts(created)})
            if player["is_dnp"]:
                continue
            actual = float(player["points"])
            accuracy.append(
                {
                    **key,
                    "actual_points": actual,
                    "prediction_correct": (actual > line) == (rec == "OVER"),
                    "graded_at": _ts(graded_at + timedelta(seconds=s * 90 + p)),
                }
            )


# ------------------------------------------------------------------ Firestore, logs, deploys


def phase3_documents() -> dict[str, dict[str, Any]]:
    docs = {}
    for day in GAME_DATES:
        morning = day + timedelta(days=1)
        if day == GAME_DATES[-1]:
            times = [(12, 14), (12, 17), (12, 19), (12, 41), (12, 47)]
            meta = {"_triggered": True, "_triggered_at": _ts(_at(morning, 12, 50))}
        elif day == date(2026, 2, 3):  # the race: the player processor finished first
            times = [(11, 52), (11, 49), (11, 47), (10, 31), (11, 58)]
            meta = {}
        else:
            times = [(11, 10), (11, 12), (11, 11), (11, 35), (11, 38)]
            meta = {}
        fields: dict[str, Any] = {}
        for (name, _level), (h, m) in zip(PROCESSORS, times, strict=True):
            fields[name] = {
                "status": "success",
                "completed_at": _ts(_at(morning, h, m)),
                "record_count": 100 + h * 7 + m,
            }
        docs[morning.isoformat()] = {**fields, **meta}
    return docs


PROCESSORS = (
    ("TeamOffenseGameSummaryProcessor", 1),
    ("TeamDefenseGameSummaryProcessor", 1),
    ("UpcomingTeamGameContextProcessor", 1),
    ("PlayerGameSummaryProcessor", 2),
    ("UpcomingPlayerGameContextProcessor", 2),
)


class _LogWriter:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def add(
        self, moment: datetime, text: str, severity: str = "INFO", service: str = SERVICE, function: bool = False
    ) -> None:
        n = len(self.entries)
        labels = (
            {"function_name": service}
            if function
            else {
                "service_name": service,
                "revision_name": f"{service}-00042-xyz",
                "location": "us-west2",
                "configuration_name": service,
                "project_id": "nba-props-platform",
            }
        )
        self.entries.append(
            {
                "insertId": hashlib.md5(f"{n}{text}{moment}".encode()).hexdigest()[:16],
                "logName": "projects/nba-props-platform/logs/run.googleapis.com%2F"
                + ("stderr" if severity == "ERROR" else "stdout"),
                "receiveTimestamp": _ts(moment + timedelta(milliseconds=350)),
                "resource": {"type": "cloud_function" if function else "cloud_run_revision", "labels": labels},
                "severity": severity,
                "textPayload": text,
                "timestamp": _ts(moment),
            }
        )


def log_entries() -> list[dict[str, Any]]:
    w = _LogWriter()
    # Feb 2 games (morning of Feb 3): parallel mode, in a lucky order.
    d = date(2026, 2, 3)
    for name, start, end in [
        ("TeamOffenseGameSummaryProcessor", (11, 2), (11, 10)),
        ("TeamDefenseGameSummaryProcessor", (11, 2), (11, 12)),
        ("UpcomingTeamGameContextProcessor", (11, 3), (11, 11)),
        ("PlayerGameSummaryProcessor", (11, 14), (11, 35)),
        ("UpcomingPlayerGameContextProcessor", (11, 15), (11, 38)),
    ]:
        w.add(_at(d, *start), f"Starting {name}")
        w.add(_at(d, *end), f"{name} completed")
    # Feb 3 games (morning of Feb 4): the race. PlayerGameSummaryProcessor 92 minutes early.
    d = date(2026, 2, 4)
    w.add(_at(d, 10, 10), "Starting PlayerGameSummaryProcessor")
    w.add(_at(d, 10, 12), "Processing 217 player rows for 2026-02-03 (team stats not yet available)", "WARNING")
    w.add(_at(d, 10, 31), "PlayerGameSummaryProcessor completed")
    for name, start, end in [
        ("UpcomingTeamGameContextProcessor", (11, 38), (11, 47)),
        ("TeamOffenseGameSummaryProcessor", (11, 42), (11, 52)),
        ("TeamDefenseGameSummaryProcessor", (11, 40), (11, 49)),
        ("UpcomingPlayerGameContextProcessor", (11, 50), (11, 58)),
    ]:
        w.add(_at(d, *start), f"Starting {name}")
        w.add(_at(d, *end), f"{name} completed")
    w.add(_at(d, 11, 59), "usage_rate out of range for 19 players (max 1228.0%)", "ERROR")
    # Feb 4 games (morning of Feb 5): sequential execution, Level 1 then Level 2.
    d = MORNING
    team = [p for p, lv in PROCESSORS if lv == 1]
    player = [p for p, lv in PROCESSORS if lv == 2]
    w.add(_at(d, 11, 58), "Received Pub/Sub trigger for game_date=2026-02-04 (7 games)")
    w.add(_at(d, 12, 5), f"📋 Level 1: running {len(team)} processors: {', '.join(team)}")
    for name, (s, e) in zip(
        team, [((12, 5, 2), (12, 14)), ((12, 5, 3), (12, 17)), ((12, 5, 4), (12, 19))], strict=True
    ):
        w.add(_at(d, *s), f"Starting {name}")
        w.add(_at(d, *e), f"{name} completed")
    w.add(_at(d, 12, 19, 30), f"✅ Level 1 complete ({len(team)}/{len(team)} succeeded)")
    w.add(_at(d, 12, 20), f"📋 Level 2: running {len(player)} processors: {', '.join(player)}")
    for name, (s, e) in zip(player, [((12, 20, 2), (12, 41)), ((12, 20, 3), (12, 47))], strict=True):
        w.add(_at(d, *s), f"Starting {name}")
        w.add(_at(d, *e), f"{name} completed")
    w.add(_at(d, 12, 47, 30), f"✅ Level 2 complete ({len(player)}/{len(player)} succeeded)")
    w.add(
        _at(d, 12, 50),
        "Phase 3 complete for 2026-02-05: 5/5 processors; coverage 97.9% >= 80%, triggering grading",
        service="phase3-to-grading",
        function=True,
    )
    w.add(_at(d, 13, 5), "Grading 759 predictions for 2026-02-04 across 8 systems", service="grading", function=True)
    w.add(_at(d, 13, 21), "Graded 743 predictions (16 without actuals: DNP)", service="grading", function=True)
    w.add(_at(d, 13, 30), "Coverage 97.9% >= 70%: no alert", service="grading-coverage-monitor", function=True)
    return sorted(w.entries, key=lambda e: e["timestamp"])


HANDOFF_COMMITS = [  # newest first, as `git log` prints them
    ("06934c94", "docs: Session 124 comprehensive handoff"),
    ("1326adc5", "test: sequential execution unit tests"),
    ("ef8193b1", "feat: Implement sequential execution groups to prevent race conditions"),
    ("5b51ed16", "docs: P0 cache regeneration plan"),
    ("514dfc3c", "docs: Tier 1 implementation handoff"),
    ("4fb33970", "test: validation query test framework (non-production)"),
    ("b54a3f24", "docs: Session 123 race condition investigation"),
    ("5f492f69", "docs: Session 123 DNP validation emergency findings"),
    ("ede3ab89", "docs: Session 123 comprehensive handoff"),
    ("29130502", "fix: remove duplicate *100 for confidence scores"),
    ("45fadbeb", "docs: Session 121"),
    ("9ba3bcc2", "feat: add PreWriteValidator to precompute mixin"),
    ("bedebd1b", "build: install shared requirements (boto3) in Dockerfiles"),
    ("87813140", "docs: Session 122 handoff"),
    ("c84c5acd", "feat: pre-write validation for zone tables"),
    ("19722f5c", "feat: grading prevention system (Cloud Functions)"),
    ("94087b90", "fix: DNP filter for player_daily_cache"),
    ("5a498759", "feat: usage_rate validation to block impossible values"),
    ("1a8bbcb1", "fix: pre-write validation in player_game_summary bypass path"),
]


def commit_history() -> list[dict[str, Any]]:
    commits = []
    head_time = _at(MORNING, 4, 10)
    for i, (sha, subject) in enumerate(HANDOFF_COMMITS):  # Feb 1-5, a few hours apart
        commits.append({"sha": _full_sha(sha), "time": _ts(head_time - timedelta(hours=5 * i)), "subject": subject})
    # 30 older commits back to Jan 23 (one is the Jan 29 scrapers finding), then the scrapers' deploy.
    last = head_time - timedelta(hours=5 * (len(HANDOFF_COMMITS) - 1))
    for j in range(30):
        moment = last - timedelta(hours=6 * (j + 1))
        if j == 10:
            commits.append(
                {
                    "sha": _full_sha("7da5b95d"),
                    "time": _ts(_at(date(2026, 1, 29), 18)),
                    "subject": "CRITICAL BUG FOUND: nba-scrapers deployed with wrong code",
                }
            )
            continue
        sha = hashlib.sha1(f"filler{j}".encode()).hexdigest()
        commits.append({"sha": sha, "time": _ts(moment), "subject": f"chore: scrapers maintenance #{j + 1}"})
    commits.append(
        {
            "sha": _full_sha("2de48c04"),
            "time": _ts(_at(date(2026, 1, 22), 19)),
            "subject": "feat: scrapers proxy rotation",
        }
    )
    commits.extend(
        {
            "sha": hashlib.sha1(f"older{k}".encode()).hexdigest(),
            "time": _ts(_at(date(2026, 1, 21 - k), 15)),
            "subject": f"chore: older work #{k + 1}",
        }
        for k in range(5)
    )
    commits.sort(key=lambda c: c["time"], reverse=True)
    return commits
