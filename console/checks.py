"""The morning checks as pure functions: query results + config in, a verdict out.

No I/O here: `check`, `report`, the TUI and the tests all call these with rows they fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .core.config import Settings
from .core.models import (
    CheckResult,
    DeployState,
    DnpDayRow,
    DnpPollutedRow,
    GradingSystemRow,
    LogEntry,
    Phase3Document,
    Status,
    UsageGameRow,
)
from .logs.parse import skipped_note
from .logs.trace import trace_from_entries


def pct(part: int | float, whole: int | float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def format_game(game_id: str) -> str:
    """`20260203_PHX_POR` -> `PHX @ POR` (away @ home); anything else unchanged."""
    parts = game_id.split("_")
    if len(parts) == 3 and parts[0].isdigit():
        return f"{parts[1]} @ {parts[2]}"
    return game_id


# ------------------------------------------------------------------ deadlines


@dataclass(frozen=True)
class Due:
    """A morning deadline as of the moment judged. `games`: the game date had games
    (predictions exist for it); None when that could not be established."""

    at: datetime
    passed: bool
    games: bool | None = None

    def label(self, settings: Settings) -> str:
        """`09:00 ET` (the zone's usual name where it has one, else its abbreviation)."""
        zone = _ZONE_NAMES.get(settings.timezone) or self.at.astimezone(settings.tz).strftime("%Z")
        return f"{self.at.astimezone(settings.tz):%H:%M} {zone}"


_ZONE_NAMES = {"America/New_York": "ET", "America/Chicago": "CT", "America/Denver": "MT",
               "America/Los_Angeles": "PT", "UTC": "UTC"}


def _overdue(result: CheckResult, due: Due | None, settings: Settings, what: str, may_be_no_games: bool) -> CheckResult:
    """After the deadline, on a date with games, what is still missing is a failure; on a date
    without games, nothing to run is `ok` ("no games"). Before it, the verdict stands."""
    if due is None or not due.passed or result.status in (Status.OK, Status.FAIL, Status.ERROR):
        return result
    value = {**result.value, "deadline": due.at.isoformat(), "overdue": False}
    if due.games is True:
        value["overdue"] = True
        return result.model_copy(update={"status": Status.FAIL, "value": value,
                                         "summary": f"overdue: {what} by {due.label(settings)}"})
    if due.games is False and may_be_no_games:
        return result.model_copy(update={"status": Status.OK, "value": value,
                                         "summary": f"no games (no predictions for this game date); {result.summary}"})
    if due.games is None:
        return result.model_copy(update={"value": value,
                                         "summary": f"{result.summary}; past {due.label(settings)}, cannot tell whether there were games"})
    return result


# ------------------------------------------------------------------ Phase 3 completion


def phase3_completion(doc: Phase3Document | None, settings: Settings, processing_date: date,
                      due: Due | None = None) -> CheckResult:
    """`due`: the Phase 3 deadline; past it, on a date with games, fewer than the expected
    processors complete is a failure ("overdue: 0/5 processors by 09:00 ET")."""
    expected = settings.thresholds.phase3_processors
    base = dict(id="phase3_completion", title="Phase 3 completion")
    if doc is None:
        result = CheckResult(
            **base,
            status=Status.UNKNOWN,
            summary=f"no phase3_completion/{processing_date.isoformat()} document yet",
            value={"completed": 0, "expected": expected, "document": None, "processors": []},
        )
        return _overdue(result, due, settings, f"0/{expected} processors", may_be_no_games=True)
    levels = {p.name: p.level for p in settings.processors}
    rows = []
    for name in [p.name for p in settings.processors] + sorted(set(doc.processors) - set(levels)):
        entry = doc.processors.get(name)
        rows.append(
            {
                "name": name,
                "level": levels.get(name),
                "status": entry.status if entry else "pending",
                "completed_at": entry.completed_at.isoformat() if entry and entry.completed_at else None,
                "record_count": entry.record_count if entry else None,
            }
        )
    # The handoff counts every non-metadata key; a key whose status says it failed is not done.
    failed = [r["name"] for r in rows if r["status"] in ("failed", "error")]
    completed = len([n for n, e in doc.processors.items() if e.status not in ("failed", "error", "running", "pending")])
    value = {
        "completed": completed,
        "expected": expected,
        "document": doc.doc_id,
        "triggered": bool(doc.metadata.get("_triggered")),
        "triggered_at": _iso(doc.metadata.get("_triggered_at")),
        "processors": rows,
    }
    if failed:
        status, summary = Status.FAIL, f"{completed}/{expected} processors, failed: {', '.join(failed)}"
    elif completed >= expected:
        status, summary = Status.OK, f"{completed}/{expected} processors complete"
    else:
        missing = [r["name"] for r in rows if r["status"] == "pending"]
        status = Status.WARN
        summary = f"{completed}/{expected} processors" + (f", waiting for {', '.join(missing)}" if missing else "")
    if value["triggered"]:
        summary += "; grading triggered"
    result = CheckResult(**base, status=status, summary=summary, value=value)
    result = _overdue(result, due, settings, f"{completed}/{expected} processors", may_be_no_games=completed == 0)
    if doc.malformed:
        result = note_skipped(result, len(doc.malformed))
        result.value["malformed_fields"] = list(doc.malformed)
        result.summary += f" ({', '.join(doc.malformed)})"
    return result


def note_skipped(result: CheckResult, skipped: int) -> CheckResult:
    """Malformed entries skipped inside a readable source: counted in the value (and so in
    --json) and said in the summary, whatever the verdict."""
    if not skipped:
        return result
    value = {**result.value, "malformed_skipped": skipped}
    return result.model_copy(update={"value": value, "summary": f"{result.summary}; {skipped_note(skipped)}"})


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, (datetime, date)) else value


# ------------------------------------------------------------------ sequential execution


def sequential_execution(entries: list[LogEntry], settings: Settings, due: Due | None = None) -> CheckResult:
    """`due`: the Phase 3 deadline; past it, on a date with games, no verdict from the Level
    lines (none, or a level never finished) is a failure."""
    trace = trace_from_entries(entries, settings)
    status, summary, value = trace.verdict()
    result = CheckResult(
        id="sequential_execution", title="Sequential execution", status=status, summary=summary, value=value
    )
    nothing = value.get("mode") == "none"
    return _overdue(result, due, settings, "no Level lines" if nothing else summary, may_be_no_games=nothing)


# ------------------------------------------------------------------ grading coverage


def grading_coverage(rows: list[GradingSystemRow], settings: Settings, before_deadline: bool = False,
                     due: Due | None = None) -> CheckResult:
    """`due` (or `before_deadline`): the grading deadline (09:00 ET by the handoff's timeline).
    Before it, under the trigger is "not yet" (`unknown`); past it, under the trigger is a
    failure, and no predictions at all is a date without games (`ok`)."""
    t = settings.thresholds
    if due is not None:
        before_deadline = not due.passed
    predicted = sum(r.predicted for r in rows)
    graded = sum(r.graded for r in rows)
    coverage = pct(graded, predicted)
    value = {
        "predicted": predicted,
        "graded": graded,
        "correct": sum(r.correct for r in rows),
        "coverage_pct": coverage,
        "expected_predictions": t.expected_predictions,
        "trigger_pct": t.grading_trigger_pct,
        "monitor_pct": t.coverage_monitor_pct,
        "systems": [
            {**r.model_dump(), "coverage_pct": pct(r.graded, r.predicted)} for r in sorted(rows, key=lambda r: r.system_id)
        ],
    }
    base = dict(id="grading_coverage", title="Grading coverage", value=value)
    if predicted == 0:
        if due is not None and due.passed and due.games is False:
            return CheckResult(**base, status=Status.OK, summary="no games (no predictions for this game date)")
        if due is not None and due.passed and due.games:
            return CheckResult(**base, status=Status.UNKNOWN,
                               summary="no predictions for this game date, though it had games: nothing to grade")
        return CheckResult(**base, status=Status.UNKNOWN, summary="no predictions for this game date")
    head = f"{graded}/{predicted} graded ({coverage:.1f}%) across {len(rows)} systems"
    if before_deadline and coverage < t.grading_trigger_pct:
        when = due.label(settings) if due is not None else f"{settings.deadlines.grading:%H:%M}"
        return CheckResult(**base, status=Status.UNKNOWN, summary=f"{head}: grading not due until {when}")
    if coverage >= t.grading_trigger_pct:
        return CheckResult(**base, status=Status.OK, summary=head)
    if due is not None:  # past the deadline: under the trigger is a failure
        line = (f"below the {t.grading_trigger_pct:g}% trigger" if coverage >= t.coverage_monitor_pct
                else f"below the {t.coverage_monitor_pct:g}% monitor line")
        return CheckResult(**{**base, "value": {**value, "deadline": due.at.isoformat(), "overdue": True}},
                           status=Status.FAIL, summary=f"overdue: {head}: {line} at {due.label(settings)}")
    if coverage >= t.coverage_monitor_pct:
        return CheckResult(**base, status=Status.WARN, summary=f"{head}: below the {t.grading_trigger_pct:g}% trigger")
    return CheckResult(
        **base, status=Status.FAIL, summary=f"{head}: below the {t.coverage_monitor_pct:g}% monitor line"
    )


# ------------------------------------------------------------------ DNP pollution


def dnp_pollution(
    days: list[DnpDayRow], examples: list[DnpPollutedRow], settings: Settings, start: date, end: date
) -> CheckResult:
    """The verdict is the game date's own cache rows (`end`); the trailing window stays in the
    value and the drill-down as history. One morning, one answer: the timeline's "DNP records
    blocked" reads the same rows."""
    limit = settings.thresholds.dnp_pollution_max_pct
    cache_rows = sum(d.cache_rows for d in days)
    dnp_rows = sum(d.dnp_rows for d in days)
    rate = pct(dnp_rows, cache_rows)
    window = start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"
    today = next((d for d in days if d.cache_date == end), None)
    today_rate = pct(today.dnp_rows, today.cache_rows) if today else None
    value = {
        "game_date": end.isoformat(),
        "game_date_cache_rows": today.cache_rows if today else 0,
        "game_date_dnp_rows": today.dnp_rows if today else 0,
        "game_date_pct": today_rate,
        # The trailing window, as history (the handoff's "Feb 2-3: 143/650 = 22.0 %").
        "window": [start.isoformat(), end.isoformat()],
        "cache_rows": cache_rows,
        "dnp_rows": dnp_rows,
        "pollution_pct": rate,
        "max_pct": limit,
        "by_date": [{**d.model_dump(mode="json"), "pollution_pct": pct(d.dnp_rows, d.cache_rows)} for d in days],
        "examples": [e.model_dump(mode="json") for e in examples[:10]],
    }
    base = dict(id="dnp_pollution", title="DNP pollution", value=value)
    history = f"history {window}: {dnp_rows}/{cache_rows} ({rate:.1f}%)" if cache_rows else f"history {window}: no rows"
    if today is None or not today.cache_rows:
        return CheckResult(**base, status=Status.UNKNOWN,
                           summary=f"no player_daily_cache rows for {end.isoformat()}; {history}")
    head = f"{today.dnp_rows}/{today.cache_rows} cache rows of {end.isoformat()} are DNP ({today_rate:.1f}%)"
    if today_rate > limit:
        todays = [e for e in examples if e.cache_date == end]
        names = ", ".join(f"{e.player_name} {e.points_avg_last_10:.1f}" for e in todays[:3] if e.points_avg_last_10 is not None)
        return CheckResult(**base, status=Status.FAIL,
                           summary=head + (f"; e.g. {names}" if names else "") + f"; {history}")
    return CheckResult(**base, status=Status.OK, summary=f"{head}; {history}")


# ------------------------------------------------------------------ usage rate


def usage_rate_coverage(games: list[UsageGameRow], settings: Settings) -> CheckResult:
    t = settings.thresholds
    active = sum(g.active_players for g in games)
    with_usage = sum(g.with_usage for g in games)
    impossible = sum(g.impossible for g in games)
    rate = pct(with_usage, active)
    failing = [g for g in games if g.active_players and g.with_usage == 0]
    value = {
        "games": len(games),
        "active_players": active,
        "with_usage": with_usage,
        "missing": active - with_usage,
        "coverage_pct": rate,
        "target_pct": t.usage_rate_target_pct,
        "impossible": impossible,
        "max_usage_rate": max((g.max_usage_rate for g in games if g.max_usage_rate is not None), default=None),
        "failing_games": [{"game_id": g.game_id, "game": format_game(g.game_id), "players": g.active_players} for g in failing],
        "per_game": [{**g.model_dump(), "game": format_game(g.game_id), "coverage_pct": pct(g.with_usage, g.active_players)} for g in games],
    }
    base = dict(id="usage_rate_coverage", title="Usage-rate coverage", value=value)
    if active == 0:
        return CheckResult(**base, status=Status.UNKNOWN, summary="no active players for this game date")
    parts = [f"{with_usage}/{active} active players have a usage rate ({rate:.1f}%)"]
    if failing:
        parts.append("no usage rate at all: " + ", ".join(f"{format_game(g.game_id)} ({g.active_players})" for g in failing))
    if impossible:
        parts.append(f"{impossible} impossible values (max {value['max_usage_rate']:.0f}%)")
    summary = "; ".join(parts)
    if impossible:
        status = Status.FAIL
    elif rate < t.usage_rate_target_pct or failing:
        status = Status.WARN
    else:
        status = Status.OK
    return CheckResult(**base, status=status, summary=summary)


# ------------------------------------------------------------------ deployment drift


def deployment_drift(state: DeployState, settings: Settings, as_of: datetime) -> CheckResult:
    t = settings.thresholds
    base = dict(id="deployment_drift", title="Deployment drift")
    if not state.commits:
        return CheckResult(**base, status=Status.UNKNOWN, summary="no commit history to compare against")
    head = state.commits[0]
    index = {c.sha: i for i, c in enumerate(state.commits)}
    rows, statuses = [], []
    for service in sorted(state.services, key=lambda s: s.name):
        position = _find_commit(service.commit, state.commits, index)
        row = {
            "service": service.name,
            "kind": service.kind,
            "region": service.region,
            "commit": service.commit,
            "deployed_at": service.deployed_at.isoformat() if service.deployed_at else None,
            "commits_behind": None,
            "days_behind": None,
            "traffic_latest": service.traffic_latest,
            "flags": {k: service.env[k] for k in settings.services.watched_env if k in service.env},
            "status": Status.UNKNOWN.value,
        }
        if position is not None:
            deployed = state.commits[position]
            days = round((head.time - deployed.time).total_seconds() / 86400, 1)
            row.update(commits_behind=position, days_behind=days, commit_time=deployed.time.isoformat())
            status = Status.FAIL if days > t.drift_fail_days else Status.WARN if days > t.drift_warn_days else Status.OK
            row["status"] = status.value
            statuses.append(status)
        elif service.commit:
            # Deployed from a commit nobody can find in the history (a local build, a force
            # push, a typo): that is not "within a day of head", it needs a look.
            row["status"] = Status.WARN.value
            row["not_in_history"] = True
            statuses.append(Status.WARN)
        else:
            statuses.append(Status.UNKNOWN)  # no commit recorded: cannot tell how far behind
        rows.append(row)
    value = {"head": head.sha[:8], "head_time": head.time.isoformat(), "services": rows}
    worst = Status.worst(statuses) if statuses else Status.UNKNOWN
    behind = sorted((r for r in rows if r["commits_behind"] is not None and r["status"] in ("warn", "fail")),
                    key=lambda r: -r["commits_behind"])
    foreign = [r for r in rows if r.get("not_in_history")]
    unrecorded = [r["service"] for r in rows if not r["commit"]]
    value["not_in_history"] = [r["service"] for r in foreign]
    value["no_commit"] = unrecorded
    parts = [
        f"{r['service']} {str(r['commit'])[:8]} {r['commits_behind']} commits / {r['days_behind']:g} days behind"
        for r in behind[:3]
    ]
    parts += [f"{r['service']} runs {str(r['commit'])[:8]}, not in the last {len(state.commits)} commits" for r in foreign]
    if unrecorded:
        parts.append(f"no deployed commit recorded: {', '.join(unrecorded)}")
    within = len(rows) - len(behind) - len(foreign) - len(unrecorded)
    if not parts:
        summary = f"{within} services within {t.drift_warn_days:g} day of head {head.sha[:8]}"
    else:
        summary = "; ".join(parts)
    flags = [f"{r['service']} {k}={v}" for r in rows for k, v in r["flags"].items()]
    if flags:
        summary += "; " + ", ".join(flags)
    return CheckResult(**base, status=worst, summary=summary, value=value)


def _find_commit(sha: str | None, commits, index: dict[str, int]) -> int | None:
    if not sha:
        return None
    if sha in index:
        return index[sha]
    # Deploys record short SHAs (8 hex digits in the handoff); match by prefix.
    return next((i for i, c in enumerate(commits) if c.sha.startswith(sha) or sha.startswith(c.sha)), None)
