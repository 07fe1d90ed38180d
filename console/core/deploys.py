"""The deploy state as it was at a moment: which revision of each service served then, and
the commit history up to then (issue 23); and which revisions took traffic in a window, for the
drill-down beside the date's notes (issue 26). Pure: the drift judge, the local executor and
the team view use it.

A verdict about the past must not use what happened after it: commits made later do not
exist yet (head is the newest commit at or before the moment), and before a service's first
known revision nothing is known about what it ran — the judge says so, it never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from console.core.models import Commit, DeployState, Revision, ServiceState

# A revision without a time (an older deploy.json that recorded none) counts from the start.
_ALWAYS = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ServiceAt:
    """One service at a moment."""

    service: ServiceState
    revision: Revision | None  # the revision serving then; None: none known by then
    latest: bool  # the serving revision is the newest one created by then
    first_record: datetime | None  # the first revision's creation (when revision is None)


def revisions(service: ServiceState) -> list[Revision]:
    """The service's revisions, oldest first. A state without any (an older deploy.json, a
    hand-written scenario) is its one deployed commit since `deployed_at`. The service's own
    fields are its state now: when they differ from the newest revision (a writer that does
    not know revisions changed them), they are one more revision, the newest."""
    if not service.revisions:
        if service.commit is None and service.deployed_at is None:
            return []
        return [Revision(commit=service.commit, created_at=service.deployed_at, env=service.env)]
    history = sorted(service.revisions, key=lambda r: r.created_at or _ALWAYS)
    newest = history[-1]
    if (service.commit, service.env) != (newest.commit, newest.env):
        at = newest.created_at
        if service.deployed_at is not None and (at is None or service.deployed_at > at):
            at = service.deployed_at
        history.append(Revision(commit=service.commit, created_at=at, env=service.env))
    return history


def traffic_times(revision: Revision) -> list[datetime]:
    """When it took the traffic; never before it existed (a file claiming so is not believed:
    it would show a deploy at a moment before it happened)."""
    created = revision.created_at or _ALWAYS
    if revision.traffic_at is not None:
        return [max(t, created) for t in revision.traffic_at]
    return [created]


def service_at(service: ServiceState, moment: datetime) -> ServiceAt:
    revs = revisions(service)
    serving, since = None, None
    for rev in revs:  # the last to take the traffic at or before the moment (a tie: the later one)
        for t in traffic_times(rev):
            if t <= moment and (since is None or t >= since):
                serving, since = rev, t
    created = [r for r in revs if (r.created_at or _ALWAYS) <= moment]
    if serving is None:
        latest = False
    elif not service.revisions:  # the one recorded revision: the file's own traffic flag
        latest = service.traffic_latest
    else:
        latest = created[-1] is serving
    first = min((r.created_at for r in revs if r.created_at is not None), default=None)
    return ServiceAt(service, serving, latest, first if serving is None else None)


def commits_at(commits: list[Commit], moment: datetime) -> list[Commit]:
    """The history as it was at the moment (git log order kept: head first)."""
    return [c for c in commits if c.time <= moment]


# ------------------------------------------------------------------ recording (local executor)


def add_revision(service: ServiceState, commit: str | None, env: dict[str, str], at: datetime) -> Revision:
    """A new revision created `at` (a deploy, an env update): it takes the traffic unless the
    service's traffic is pinned elsewhere. The service's own fields become the new state."""
    history = revisions(service)  # an older state without revisions: its one revision first
    if not service.revisions and history:
        history[0] = history[0].model_copy(update={"name": f"{service.name}-00001"})
    revision = Revision(
        name=f"{service.name}-{len(history) + 1:05d}",
        commit=commit,
        created_at=at,
        traffic_at=None if service.traffic_latest else [],
        env=dict(env),
    )
    service.revisions = [*history, revision]
    service.commit, service.deployed_at, service.env = commit, at, dict(env)
    return revision


def move_traffic_to_latest(service: ServiceState, at: datetime) -> None:
    """All the traffic to the newest revision from `at` on (`update-traffic --to-latest`)."""
    history = revisions(service)
    if history and service_at(service, at).revision != history[-1]:
        newest = history[-1]
        since = newest.traffic_at if newest.traffic_at is not None else [t for t in [newest.created_at] if t]
        history[-1] = newest.model_copy(update={"traffic_at": [*since, at]})
        service.revisions = history
    service.traffic_latest = True


# ------------------------------------------------------------------ deploys in a window (issue 26)


@dataclass(frozen=True)
class DeployLine:
    """A revision taking the traffic of its service at `at`: a deploy (`moved` False: when it
    was created) or the traffic moved back to it later (a rollback, `update-traffic`)."""

    at: datetime
    service: str
    commit: str | None
    moved: bool = False

    def text(self) -> str:
        """`nba-scrapers → 06934c94 (deployed)`: the drill-down's words after the time."""
        commit = (self.commit or "?")[:8]
        return f"{self.service} → {commit} ({'traffic moved' if self.moved else 'deployed'})"


def day_window(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The local day `day` in `tz`, as the notes and playbook runs beside it count it."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def deploys_between(state: DeployState, start: datetime, end: datetime) -> list[DeployLine]:
    """Every moment a revision took its service's traffic in [start, end), oldest first (a tie:
    by service). A revision without a known time is never in a window (it is not a moment)."""
    out = []
    for service in state.services:
        for rev in revisions(service):
            for t in traffic_times(rev):
                if t != _ALWAYS and start <= t < end:
                    moved = rev.created_at is not None and t > rev.created_at
                    out.append(DeployLine(t, service.name, rev.commit, moved))
    return sorted(out, key=lambda d: (d.at, d.service))


def fold_deploys(lines: list[DeployLine], keep: int) -> tuple[list[DeployLine], list[DeployLine]]:
    """(folded, shown): at most `keep` deploys shown one line each, the latest (nearest the
    moment looked at); the earlier ones folded into one line (fold_text), so a release across
    every service does not push the drill-down's own table off an 80x24 screen. `lines` oldest
    first; nothing is folded when it would fold a single line."""
    if len(lines) <= keep + 1:
        return [], lines
    return lines[: len(lines) - keep], lines[len(lines) - keep :]


def fold_text(folded: list[DeployLine], until: str) -> str:
    """`4 deploys to 21:31 EST: phase3-to-grading, grading +2` (`until`: the last one's time)."""
    names = list(dict.fromkeys(d.service for d in folded))
    more = f" +{len(names) - 2}" if len(names) > 2 else ""
    return f"{len(folded)} deploys to {until}: {', '.join(names[:2])}{more}"
