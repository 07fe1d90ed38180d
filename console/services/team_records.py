"""What a person does with the team's records (issue 26), the same from the CLI and the TUI:
acknowledge, clear, write a note, say "I'm here". Each act passes the safety gate first
(console/core/safety.py: acks and notes are refused under read-only, presence is not) and is
written to the team audit (`team-audit.jsonl` beside the playbook audit, or the Firestore audit
collection on gcp: who, what, why, when) after the record itself.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from console.core.config import Settings
from console.core.safety import check_team_writable
from console.core.team import (
    Ack,
    Heartbeat,
    Note,
    Presence,
    TeamStore,
    TeamStoreError,
    ack_key,
    clean_text,
    host_name,
    live_presence,
    new_id,
    who_am_i,
)


def open_team_store(settings: Settings) -> TeamStore:
    """The state directory on local, Firestore on gcp (the client made on first use)."""
    if settings.backend == "gcp":
        from console.backends.team_firestore import LazyFirestoreTeamStore

        return LazyFirestoreTeamStore(settings)
    from console.backends.team_local import LocalTeamStore

    return LocalTeamStore(settings.state_dir)


@functools.cache
def _gcloud_account(backend: str) -> str | None:
    if backend != "gcp":
        return None
    from console.backends.team_firestore import gcloud_account

    return gcloud_account()


def whoami(settings: Settings) -> str:
    return who_am_i(settings.team.who, _gcloud_account(settings.backend))


def acknowledge(
    settings: Settings,
    store: TeamStore,
    check: str,
    game_date: date,
    reason: str,
    now: datetime,
    for_: timedelta | None = None,
    status: str = "fail",
    headline: float | None = None,
) -> Ack:
    check_team_writable(settings, f"acknowledge {check}")
    ack = Ack(
        check=check,
        game_date=game_date,
        who=whoami(settings),
        reason=clean_text(reason),
        at=now,
        until=now + (for_ or settings.team.ack_for),
        status=status,
        headline=headline,
    )
    store.put_ack(ack)
    store.audit({"event": "ack", **ack.model_dump(mode="json"), "host": host_name()})
    return ack


def clear_ack(
    settings: Settings, store: TeamStore, check: str, game_date: date, why: str, by: str | None = None
) -> Ack | None:
    """Remove an acknowledgement. `by` None: a person (gated by read-only); a name: the watch
    clearing it on recovery or break-through (its own memory: not gated)."""
    if by is None:
        check_team_writable(settings, f"clear the acknowledgement of {check}")
    gone = store.remove_ack(ack_key(game_date, check))
    if gone is not None:
        store.audit(
            {
                "event": "ack_clear",
                "check": check,
                "game_date": game_date.isoformat(),
                "who": by or whoami(settings),
                "why": why,
                "ack": gone.model_dump(mode="json"),
                "host": host_name(),
            }
        )
    return gone


def add_note(
    settings: Settings, store: TeamStore, game_date: date, text: str, now: datetime, check: str | None = None
) -> Note:
    check_team_writable(settings, "add a note")
    note = Note(id=new_id(), game_date=game_date, check=check, who=whoami(settings), at=now, text=clean_text(text))
    store.add_note(note)
    store.audit({"event": "note", **note.model_dump(mode="json"), "host": host_name()})
    return note


def presence_entry(
    settings: Settings, presence_id: str, since: datetime, now: datetime, kind: str = "terminal"
) -> Presence:
    return Presence(
        id=presence_id,
        who=whoami(settings),
        host=host_name(),
        kind="web" if kind == "web" else "terminal",
        read_only=settings.read_only,
        since=since,
        seen_at=now,
    )


# ------------------------------------------------------------------ what the console shows


@dataclass(frozen=True)
class LockHolder:
    """Who runs a playbook now, and its step (1-based), from the run lock."""

    who: str
    playbook: str
    step: int | None = None


@dataclass(frozen=True)
class RunLine:
    """A playbook run from this machine's audit, for the drill-down beside the notes."""

    at: datetime
    who: str
    playbook: str
    status: str


@dataclass(frozen=True)
class TeamSnapshot:
    """The team as one console sees it at `read_at`: for the header chips and the panel badges.
    `error`: the store could not be read this time (the lists are the last good ones)."""

    read_at: datetime | None = None
    acks: list[Ack] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    others: list[Presence] = field(default_factory=list)
    heartbeat: Heartbeat | None = None
    lock: LockHolder | None = None
    error: str | None = None
    runs: list[RunLine] = field(default_factory=list)  # the playbook runs of the date's morning


def lock_holder(settings: Settings, now: datetime) -> LockHolder | None:
    """The playbook run lock's holder, if held and not expired: the state directory's lease
    file, and on gcp the Firestore lock (another operator's machine)."""
    from console.playbook.lock import FileLock, parse_holder

    held: list[dict[str, Any] | None] = [FileLock(settings.state_dir, settings.playbooks.lock_ttl_s).holder()]
    if settings.backend == "gcp" and settings.playbooks.firestore_lock:
        from console.playbook.lock_firestore import CALL_TIMEOUT_S, LazyFirestoreLock

        lock = LazyFirestoreLock(
            settings.project,
            settings.playbooks.lock_collection,
            call_timeout_s=min(CALL_TIMEOUT_S, settings.gcp.query_timeout_s),
        )
        try:
            held.append(lock.holder())
        except Exception as exc:  # noqa: BLE001 - credentials, network: the header says the team is unknown
            raise TeamStoreError(f"Firestore reading the playbook lock: {type(exc).__name__}") from None
    for data in held:
        record, _problem = parse_holder(data)
        if record is not None and record.expires_at > now:
            step = record.step.index + 1 if record.step is not None else None
            return LockHolder(record.user or record.host, record.playbook, step)
    return None


def read_snapshot(
    store: TeamStore,
    settings: Settings,
    game_date: date | None,
    me: Presence | None,
    now: datetime,
    last: TeamSnapshot | None = None,
) -> TeamSnapshot:
    """One refresh of the team: this console's presence written (read-only too: it is its
    own), then everything read. Called from a worker thread; never raises."""
    try:
        if me is not None:
            store.beat(me)
        ttl = timedelta(seconds=settings.team.presence_ttl_s)
        others = live_presence(store.presence(), now, ttl, exclude=me.id if me else None)
        return TeamSnapshot(
            read_at=now,
            acks=store.acks(),
            notes=store.notes(game_date) if game_date is not None else [],
            others=others,
            heartbeat=store.heartbeat(),
            lock=lock_holder(settings, now),
            runs=playbook_runs(settings, game_date) if game_date is not None else [],
        )
    except TeamStoreError as exc:
        base = last or TeamSnapshot()
        return TeamSnapshot(
            base.read_at, base.acks, base.notes, base.others, base.heartbeat, base.lock, str(exc), base.runs
        )


def playbook_runs(settings: Settings, game_date: date) -> list[RunLine]:
    """The playbook runs started on the date's processing date (in the configured zone), from
    this machine's audit (console/playbook/audit.py): what was done that morning, beside
    what was noted. Reading the audit never raises."""
    from console.core.timestamps import parse_timestamp
    from console.playbook.audit import AuditLog

    day = game_date + settings.processing_offset
    out = []
    for run in AuditLog(settings.state_dir).runs():
        started = parse_timestamp(run.started)
        if started is not None and started.astimezone(settings.tz).date() == day:
            who = str(run.operator.get("gcloud_account") or run.operator.get("user") or "?")
            out.append(RunLine(started, who, run.playbook, run.status))
    return sorted(out, key=lambda r: r.at)
