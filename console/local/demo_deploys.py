"""The demo's deploy history (issue 23): every service's revisions from Jan 22 on, so drift
is judged with the deploys of each moment, not today's.

The story, from the Session 124 handoff: a release on Jan 22 deploys every service at
2de48c04 (`feat: scrapers proxy rotation`); nba-scrapers is never deployed again and falls
behind as head moves on (49 commits / 13.4 days by the morning of Feb 5). The others catch
up now and then: analytics at 1a8bbcb1 on Feb 1, precompute at c84c5acd on Feb 2, the
grading functions at 19722f5c (the grading prevention system) on Feb 2, the prediction
services at 29130502 on Feb 3, and on the evening of Feb 4 (PT) the handoff's table:
coordinator and precompute to 5b51ed16, worker to ef8193b1, the functions to 5b51ed16,
analytics to 06934c94 with sequential execution on. Before Jan 22 nothing is recorded:
drift there is `unknown`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from console.local import demo

JAN22, FEB1, FEB2, FEB3 = date(2026, 1, 22), date(2026, 2, 1), date(2026, 2, 2), date(2026, 2, 3)
EVENING = demo.MORNING  # the UTC date of the Feb 4 evening (PT) deploys
SEQUENTIAL = {"SEQUENTIAL_EXECUTION_ENABLED": "true"}

# service -> (kind, [(commit, created (UTC), env)]), oldest first. The last revision of each is
# the state of the morning of Feb 5 that the handoff (and the golden `check --json`) describe.
REVISIONS: dict[str, tuple[str, list[tuple[str, datetime, dict[str, str]]]]] = {
    "prediction-coordinator": (
        "run",
        [
            ("2de48c04", demo._at(JAN22, 19, 35), {}),
            ("29130502", demo._at(FEB3, 9, 0), {}),
            ("5b51ed16", demo._at(EVENING, 2, 31), {}),
        ],
    ),
    "nba-phase4-precompute": (
        "run",
        [
            ("2de48c04", demo._at(JAN22, 19, 40), {}),
            ("c84c5acd", demo._at(FEB2, 8, 0), {}),
            ("5b51ed16", demo._at(EVENING, 2, 44), {}),
        ],
    ),
    "prediction-worker": (
        "run",
        [
            ("2de48c04", demo._at(JAN22, 19, 45), {}),
            ("29130502", demo._at(FEB3, 9, 10), {}),
            ("ef8193b1", demo._at(EVENING, 3, 2), {}),
        ],
    ),
    demo.SERVICE: (
        "run",
        [
            ("2de48c04", demo._at(JAN22, 19, 50), {}),
            ("1a8bbcb1", demo._at(FEB1, 12, 30), {}),
            ("06934c94", demo._at(EVENING, 4, 22), SEQUENTIAL),
        ],
    ),
    "nba-scrapers": (
        "run",
        [
            ("2de48c04", demo._at(JAN22, 19, 30), {}),
        ],
    ),
    "phase3-to-grading": (
        "function",
        [
            ("2de48c04", demo._at(JAN22, 19, 56), {}),
            ("19722f5c", demo._at(FEB2, 3, 5), {}),
            ("5b51ed16", demo._at(EVENING, 2, 15), {}),
        ],
    ),
    "grading": (
        "function",
        [
            ("2de48c04", demo._at(JAN22, 19, 55), {}),
            ("19722f5c", demo._at(FEB2, 3, 0), {}),
            ("5b51ed16", demo._at(EVENING, 2, 16), {}),
        ],
    ),
    "grading-coverage-monitor": (
        "function",
        [
            ("2de48c04", demo._at(JAN22, 19, 57), {}),
            ("19722f5c", demo._at(FEB2, 3, 10), {}),
            ("5b51ed16", demo._at(EVENING, 2, 17), {}),
        ],
    ),
}


def revision_name(service: str, n: int) -> str:
    return f"{service}-{n:05d}"


def deploy_state() -> dict[str, Any]:
    """deploy.json: each service as it is on the morning of Feb 5, with its revisions."""
    services = []
    for name, (kind, revisions) in REVISIONS.items():
        commit, created, env = revisions[-1]
        services.append(
            {
                "name": name,
                "kind": kind,
                "region": "us-west2",
                "commit": commit,
                "deployed_at": demo._ts(created),
                "env": env,
                "traffic_latest": True,
                "revisions": [
                    {"name": revision_name(name, i + 1), "commit": c, "created_at": demo._ts(t), "env": e}
                    for i, (c, t, e) in enumerate(revisions)
                ],
            }
        )
    return {"services": services, "commits": demo.commit_history()}
