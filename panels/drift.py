"""Deployment drift: how far each service's deployed commit is behind the repository's
head (the deploy state: gcloud on gcp), and the watched environment flags."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from console.backends.base import Backend
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.models import CheckResult, DeployState, Status

from .ranges import RangeReads, per_date
from .spec import CheckSpec

if TYPE_CHECKING:  # rich.console is the terminal renderer: `check --json` never needs it
    from rich.console import RenderableType
    from rich.text import Text

ID = "deployment_drift"
TITLE = "Deployment drift"


# ------------------------------------------------------------------ judge (pure)


def deployment_drift(state: DeployState, settings: Settings, as_of: datetime) -> CheckResult:
    t = settings.thresholds
    base = dict(id=ID, title=TITLE)
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


def judge_drift(state: DeployState, ctx: CheckContext) -> CheckResult:
    return deployment_drift(state, ctx.settings, ctx.as_of)


# ------------------------------------------------------------------ fetch


def fetch(backend: Backend, ctx: CheckContext) -> CheckResult:
    return judge_drift(backend.deploy_state(), ctx)


def drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    state = backend.deploy_state()  # read once: on gcp each read is a round of gcloud calls
    rows = deployment_drift(state, ctx.settings, ctx.as_of).value.get("services", [])
    env = {s.name: s.env for s in state.services}
    return [{**r, "env": env.get(r["service"], {})} for r in rows]


def history(backend: Backend, ctxs: list[CheckContext], reads: RangeReads) -> dict[date, CheckResult]:
    # One read of the deploy state (on gcp, a round of gcloud calls), judged as of each date's moment.
    return per_date(SPEC, ctxs, backend.deploy_state, judge_drift)


# ------------------------------------------------------------------ render


def worst_drift(result: CheckResult) -> dict[str, Any] | None:
    """The service furthest behind head (by commits), or None when none is known."""
    known = [s for s in result.value.get("services", []) if s.get("commits_behind") is not None]
    return max(known, key=lambda s: s["commits_behind"], default=None)


class _ServiceRows:
    """The service lines, laid out at the width the panel has: the name gets every column the
    commit and the lag leave (`nba-phase3-analytics-processors` whole on a wide panel),
    cropped with … only when it must."""

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        self.rows = rows  # (service, commit, lag, style)

    def __rich_console__(self, console, options):
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
    from rich.text import Text  # rich: only when drawn (`check --json` never draws)
    v = result.value
    services = v.get("services", [])
    rows = []
    for s in sorted(services, key=lambda s: -(s.get("days_behind") or 0)):
        style = {"fail": "bold red", "warn": "yellow", "ok": ""}.get(s.get("status"), "blue")
        lag = "?" if s.get("commits_behind") is None else f"{s['commits_behind']} commits / {s['days_behind']:g} d"
        rows.append((str(s["service"]), str(s.get("commit"))[:8], lag, style))
    flags = Text()
    for s in services:
        for name, value in (s.get("flags") or {}).items():
            flags.append(f"  {s['service']}: {name}={value}\n", style="bold yellow" if value == "false" else "cyan")
    worst = max((s.get("days_behind") or 0 for s in services), default=None)
    from rich.console import Group

    body = Group(Text(f"head {v.get('head', '?')}", style="dim"), _ServiceRows(rows), flags)
    return ("-" if worst is None else f"{worst:g} d behind"), body


def headline(result: CheckResult) -> str:
    worst = worst_drift(result)
    return "-" if worst is None else f"{worst['commits_behind']}c"


def markdown(value: dict, tz: ZoneInfo | None = None) -> list[str]:
    if not value.get("services"):
        return []
    out = ["", "| Service | Kind | Commit | Commits behind | Days behind |", "|---|---|---|---:|---:|"]
    out += [
        f"| {s['service']} | {s['kind']} | `{str(s['commit'])[:8]}` | {s['commits_behind']} | {s['days_behind']} |"
        for s in value["services"]
    ]
    return out


def worst_behind(value: dict[str, Any]) -> dict[str, Any] | None:
    """The service row furthest behind head (warn or fail), or None."""
    rows = [r for r in value.get("services", []) if isinstance(r, dict)
            and isinstance(r.get("commits_behind"), int) and r.get("status") in ("warn", "fail")]
    return max(rows, key=lambda r: r["commits_behind"], default=None)


def suggest(result: CheckResult) -> tuple[tuple[str, ...], str]:
    behind = worst_behind(result.value or {})
    if behind is None:
        return (), f"drift is {result.status.value} but no service is behind a known commit"
    return ("redeploy-service",), f"{behind['service']} is {behind['commits_behind']} commits behind head"


def prefill(result: CheckResult) -> dict[str, str]:
    """redeploy-service's parameters: the service furthest behind, at the head commit."""
    value = result.value or {}
    behind, head = worst_behind(value), value.get("head")
    out = {"service": str(behind["service"])} if behind is not None else {}
    if isinstance(head, str) and head:
        out["commit"] = head
    return out


SPEC = CheckSpec(ID, TITLE, fetch, drill, render, headline, short_title="drift", source="deploy",
                 suggest=suggest, prefill=prefill,
                 playbooks=("redeploy-service", "rollback-prediction-services"),
                 markdown=markdown, history=history)
