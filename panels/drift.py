"""Deployment drift: how far each service's deployed commit is behind the repository's
head (the deploy state: gcloud on gcp), and the watched environment flags."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import MISSING

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.deploys import commits_at, service_at
from console.core.models import CheckResult, CheckValue, Commit, DeployState, Status
from panels.common import value_as
from panels.ranges import RangeReads, per_date
from panels.spec import CheckSpec, Plot

if TYPE_CHECKING:  # rich.console is the terminal renderer: `check --json` never needs it
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.text import Text

ID = "deployment_drift"
TITLE = "Deployment drift"


# ------------------------------------------------------------------ value


class DriftService(CheckValue):
    service: str
    kind: Literal["run", "function"]
    region: str
    commit: str | None  # the commit of the revision serving at the moment judged
    deployed_at: str | None
    commits_behind: int | None  # None: the commit is unknown, or not in the history
    days_behind: float | None
    traffic_latest: bool
    flags: dict[str, str]  # the watched environment flags the revision has
    status: Literal["ok", "warn", "fail", "unknown"]
    commit_time: str | MISSING = MISSING  # a commit found in the history
    not_in_history: bool | MISSING = MISSING  # a commit nobody can find
    no_record_before: str | MISSING = MISSING  # no deploy record this early: its first one


class DriftValue(CheckValue):
    """No commit history to compare against: the result has no value (`{}` in the JSON)."""

    head: str  # the newest commit at or before the moment judged, 8 digits
    head_time: str
    services: list[DriftService]
    not_in_history: list[str]
    no_commit: list[str]
    no_record_before: dict[str, str] | MISSING = MISSING  # service -> its first record, when one is later
    deploys_as_of: str | MISSING = MISSING  # history: judged as of that date's morning

    def judged_as_of(self) -> str | None:
        return self.deploys_as_of if self.deploys_as_of is not MISSING else None


class DriftMoment(CheckValue):
    """History, on a date whose morning is before the commit history starts: nothing judged,
    only the moment it would have been judged as of (`{"deploys_as_of": ...}` in the JSON)."""

    deploys_as_of: str

    def judged_as_of(self) -> str | None:
        return self.deploys_as_of


# ------------------------------------------------------------------ judge (pure)


def deployment_drift(state: DeployState, settings: Settings, as_of: datetime) -> CheckResult:
    """Drift as of `as_of`: each service's revision serving then against the newest commit at
    or before then. What happened later (commits, deploys) is not evidence yet."""
    t = settings.thresholds
    if not state.commits:
        return CheckResult(id=ID, title=TITLE, status=Status.UNKNOWN, summary="no commit history to compare against")
    commits = commits_at(state.commits, as_of)
    if not commits:
        oldest = min(c.time for c in state.commits)
        return CheckResult(
            id=ID,
            title=TITLE,
            status=Status.UNKNOWN,
            summary=f"no commit at or before this moment (the history starts {_day(oldest, settings)})",
        )
    head = commits[0]
    index = {c.sha: i for i, c in enumerate(commits)}
    rows: list[DriftService] = []
    statuses: list[Status] = []
    no_record: dict[str, str] = {}
    for service in sorted(state.services, key=lambda s: s.name):
        at = service_at(service, as_of)
        rev = at.revision
        commit = rev.commit if rev is not None else None
        env = rev.env if rev is not None else {}
        row: dict[str, Any] = {
            "service": service.name,
            "kind": service.kind,
            "region": service.region,
            "commit": commit,
            "deployed_at": rev.created_at.isoformat() if rev is not None and rev.created_at else None,
            "commits_behind": None,
            "days_behind": None,
            "traffic_latest": at.latest,
            "flags": {k: env[k] for k in settings.services.watched_env if k in env},
            "status": Status.UNKNOWN.value,
        }
        position = _find_commit(commit, commits, index)
        if rev is None and at.first_record is not None:
            # Nothing recorded this early: what it ran then is unknown, never a guess.
            row["no_record_before"] = no_record[service.name] = at.first_record.isoformat()
            statuses.append(Status.UNKNOWN)
        elif position is not None:
            deployed = commits[position]
            days = round((head.time - deployed.time).total_seconds() / 86400, 1)
            row.update(commits_behind=position, days_behind=days, commit_time=deployed.time.isoformat())
            status = Status.FAIL if days > t.drift_fail_days else Status.WARN if days > t.drift_warn_days else Status.OK
            row["status"] = status.value
            statuses.append(status)
        elif commit:
            # Deployed from a commit nobody can find in the history (a local build, a force
            # push, a typo): that is not "within a day of head", it needs a look.
            row["status"] = Status.WARN.value
            row["not_in_history"] = True
            statuses.append(Status.WARN)
        else:
            statuses.append(Status.UNKNOWN)  # no commit recorded: cannot tell how far behind
        rows.append(DriftService(**row))
    worst = Status.worst(statuses) if statuses else Status.UNKNOWN
    behind = sorted(
        (r for r in rows if r.commits_behind is not None and r.status in ("warn", "fail")),
        key=lambda r: -(r.commits_behind or 0),
    )
    foreign = [r for r in rows if r.not_in_history is True]
    unrecorded = [r.service for r in rows if not r.commit and r.service not in no_record]
    value = DriftValue(
        head=head.sha[:8],
        head_time=head.time.isoformat(),
        services=rows,
        not_in_history=[r.service for r in foreign],
        no_commit=unrecorded,
        # only when it applies: the JSON of a moment with every record keeps its shape
        no_record_before=no_record if no_record else MISSING,
    )
    parts = [
        f"{r.service} {str(r.commit)[:8]} {r.commits_behind} commits / {r.days_behind:g} days behind"
        for r in behind[:3]
    ]
    parts += [f"{r.service} runs {str(r.commit)[:8]}, not in the last {len(commits)} commits" for r in foreign]
    if unrecorded:
        parts.append(f"no deployed commit recorded: {', '.join(unrecorded)}")
    parts += _no_record_parts(no_record, as_of, settings)
    within = len(rows) - len(behind) - len(foreign) - len(unrecorded) - len(no_record)
    if not parts:
        summary = f"{within} services within {t.drift_warn_days:g} day of head {head.sha[:8]}"
    else:
        summary = "; ".join(parts)
    flags = [f"{r.service} {k}={v}" for r in rows for k, v in r.flags.items()]
    if flags:
        summary += "; " + ", ".join(flags)
    return CheckResult(id=ID, title=TITLE, status=worst, summary=summary, value=value)


def _day(moment: datetime, settings: Settings, same_day_as: datetime | None = None) -> str:
    """`Jan 22` in the configured zone; with the time when it is the day of `same_day_as`."""
    local = moment.astimezone(settings.tz)
    text = f"{local:%b} {local.day}"
    if same_day_as is not None and same_day_as.astimezone(settings.tz).date() == local.date():
        text += f" {local:%H:%M}"
    return text


def _no_record_parts(no_record: dict[str, str], as_of: datetime, settings: Settings) -> list[str]:
    """`no deploy record before Jan 22: nba-scrapers` (grouped by the first record's day; two
    names at most, then how many more)."""
    from console.core.timestamps import parse_timestamp

    by_day: dict[str, list[tuple[str, datetime]]] = {}
    for name, first in sorted(no_record.items(), key=lambda kv: kv[1]):
        moment = parse_timestamp(first)
        if moment is None:  # written by the judge with isoformat(): never, but not a reason to fail
            continue
        by_day.setdefault(_day(moment, settings), []).append((name, moment))
    parts = []
    for group in by_day.values():
        names = [name for name, _ in group]
        shown = ", ".join(names[:2]) + (f" and {len(names) - 2} more" if len(names) > 2 else "")
        parts.append(f"no deploy record before {_day(group[0][1], settings, as_of)}: {shown}")
    return parts


def _find_commit(sha: str | None, commits: list[Commit], index: dict[str, int]) -> int | None:
    if not sha:
        return None
    if sha in index:
        return index[sha]
    # Deploys record short SHAs (8 hex digits in the handoff); match by prefix.
    return next((i for i, c in enumerate(commits) if c.sha.startswith(sha) or sha.startswith(c.sha)), None)


def judge_drift(state: DeployState, ctx: CheckContext) -> CheckResult:
    return deployment_drift(state, ctx.settings, ctx.as_of)


# ------------------------------------------------------------------ fetch


def fetch(backend: Backend, ctx: CheckContext) -> CheckResult:
    return judge_drift(backend.deploy_state(), ctx)


def drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    state = backend.deploy_state()  # read once: on gcp each read is a round of gcloud calls
    value = SPEC.value_of(deployment_drift(state, ctx.settings, ctx.as_of))
    env: dict[str, dict[str, str]] = {}  # each service's env as its revision serving at the moment had it
    for service in state.services:
        at = service_at(service, ctx.as_of)
        env[service.name] = at.revision.env if at.revision is not None else {}
    rows = value.services if value is not None else []
    return [{**r.model_dump(), "env": env.get(r.service, {})} for r in rows]


def history_moment(ctx: CheckContext) -> datetime:
    """The moment a past date's drift is judged as of: `history.drift_at` (11:00, the end of
    the morning window) on its processing date, or the history's own moment when earlier.
    Drift is a property of a moment, not of a game date's rows: judged at the history's
    "now" every date would show today's deploys (issue 23)."""
    settings = ctx.settings
    morning = datetime.combine(ctx.processing_date, settings.history.drift_at, tzinfo=settings.tz)
    return min(ctx.as_of, morning)


def judge_drift_history(state: DeployState, ctx: CheckContext) -> CheckResult:
    moment = history_moment(ctx)
    result = deployment_drift(state, ctx.settings, moment)
    value = SPEC.value_of(result)
    # Said in the value (history only: `check --json` keeps its shape), so the JSON names it.
    said = (
        DriftMoment(deploys_as_of=moment.isoformat())
        if value is None
        else value.updated(deploys_as_of=moment.isoformat())
    )
    return result.model_copy(update={"value": said})


def history(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
    # One read of the deploy state (on gcp, a round of gcloud calls), judged as of each date's moment.
    return per_date(SPEC, ctxs, backend.deploy_state, judge_drift_history)


# ------------------------------------------------------------------ render


def _drawn_value(result: CheckResult) -> DriftValue | None:
    """The value to draw; None: no commit history to compare against (nothing judged)."""
    return None if result.value is None or isinstance(result.value, DriftMoment) else value_as(result, DriftValue)


def worst_known(value: DriftValue | None) -> DriftService | None:
    """The service furthest behind head (by commits), whatever its status, or None when
    none is known."""
    known = [s for s in value.services if s.commits_behind is not None] if value is not None else []
    return max(known, key=lambda s: s.commits_behind or 0, default=None)


class _ServiceRows:
    """The service lines, laid out at the width the panel has: the name gets every column the
    commit and the lag leave (`nba-phase3-analytics-processors` whole on a wide panel),
    cropped with … only when it must."""

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        self.rows = rows  # (service, commit, lag, style)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        from rich.text import Text  # rich: only when drawn (`check --json` never draws)

        lag_width = max((len(lag) for _, _, lag, _ in self.rows), default=0)
        longest = max((len(name) for name, _, _, _ in self.rows), default=0)
        name_width = max(8, min(longest, options.max_width - 2 - 9 - lag_width - 1))
        for name, commit, lag, style in self.rows:
            shown = name if len(name) <= name_width else name[: name_width - 1] + "…"
            line = Text(f"  {shown:<{name_width}} {commit:<8} {lag}", style=style, no_wrap=True, overflow="ellipsis")
            line.truncate(options.max_width, overflow="ellipsis")
            yield line


def render(result: CheckResult, tz: ZoneInfo) -> tuple[str, RenderableType]:
    from rich.console import Group
    from rich.text import Text  # rich: only when drawn (`check --json` never draws)

    v = _drawn_value(result)
    services = v.services if v is not None else []
    rows = []
    for s in sorted(services, key=lambda s: -(s.days_behind or 0)):
        style = {"fail": "bold red", "warn": "yellow", "ok": ""}.get(s.status, "blue")
        lag = "?" if s.commits_behind is None else f"{s.commits_behind} commits / {s.days_behind:g} d"
        if s.no_record_before is not MISSING:
            lag = "no deploy record yet"
        rows.append((s.service, (s.commit or "-")[:8], lag, style))
    flags = Text()
    for s in services:
        for name, flag in s.flags.items():
            flags.append(f"  {s.service}: {name}={flag}\n", style="bold yellow" if flag == "false" else "cyan")
    worst = max((s.days_behind for s in services if s.days_behind is not None), default=None)
    body = Group(Text(f"head {v.head if v is not None else '?'}", style="dim"), _ServiceRows(rows), flags)
    return ("-" if worst is None else f"{worst:g} d behind"), body


def headline(result: CheckResult) -> str:
    worst = worst_known(_drawn_value(result))
    return "-" if worst is None else f"{worst.commits_behind}c"


def markdown(value: CheckValue | None, tz: tzinfo) -> list[str]:
    if not isinstance(value, DriftValue) or not value.services:
        return []
    out = ["", "| Service | Kind | Commit | Commits behind | Days behind |", "|---|---|---|---:|---:|"]
    out += [
        f"| {s.service} | {s.kind} | `{(s.commit or '-')[:8]}` | {_or_dash(s.commits_behind)} | "
        f"{_or_dash(s.days_behind)} |"
        for s in value.services
    ]
    return out


def _or_dash(value: float | None) -> str:
    return "-" if value is None else str(value)


def worst_behind(value: DriftValue | None) -> DriftService | None:
    """The service row furthest behind head (warn or fail), or None."""
    rows = [
        r
        for r in (value.services if value is not None else [])
        if r.commits_behind is not None and r.status in ("warn", "fail")
    ]
    return max(rows, key=lambda r: r.commits_behind or 0, default=None)


def suggest(result: CheckResult) -> tuple[tuple[str, ...], str]:
    behind = worst_behind(SPEC.value_of(result))
    if behind is None:
        return (), f"drift is {result.status.value} but no service is behind a known commit"
    return ("redeploy-service",), f"{behind.service} is {behind.commits_behind} commits behind head"


def prefill(result: CheckResult) -> dict[str, str]:
    """redeploy-service's parameters: the service furthest behind, at the head commit."""
    value = SPEC.value_of(result)
    behind = worst_behind(value)
    out = {"service": behind.service} if behind is not None else {}
    if value is not None and value.head:
        out["commit"] = value.head
    return out


def notify_rows(value: DriftValue, tz: tzinfo) -> list[str]:
    behind = sorted((s for s in value.services if s.status in ("warn", "fail")), key=lambda s: -(s.commits_behind or 0))
    return [
        f"{s.service} on {str(s.commit)[:8]}: {s.commits_behind} commits / {s.days_behind} days behind" for s in behind
    ]


def _worst_commits(value: DriftValue) -> int | None:
    worst = worst_known(value)
    return None if worst is None else worst.commits_behind


def history_note(settings: Settings, compact: bool) -> str:
    # The compact table shows "13.4 d behind" as "13.4d": the note says what the d is.
    days = " (Nd: days behind)" if compact else ""
    return (
        f"drift{days}: the deploys of {settings.history.drift_at:%H:%M} on each date's processing date "
        "(or of the as-of moment, when earlier)"
    )


SPEC = CheckSpec(
    ID,
    TITLE,
    fetch,
    drill,
    render,
    headline,
    short_title="drift",
    value_model=DriftValue,
    rows_title="Services: deployed commit against head",
    rows_empty="no service in the deploy state",
    source="deploy",
    suggest=suggest,
    prefill=prefill,
    playbooks=("redeploy-service", "rollback-prediction-services"),
    markdown=markdown,
    history=history,
    reads=lambda ctx: "deploy state of the services and the platform repo's commit history",
    notify_rows=notify_rows,
    plot=Plot[DriftValue]("commits behind (worst service)", _worst_commits),
    history_note=history_note,
)
