"""The team's records (issue 26): acknowledgements, notes, presence, the watch's heartbeat, and
the rules over them. Pure: no file, no Firestore, no clock of its own (every rule takes `now`).

Where they are kept is a `TeamStore` (console/backends/team_local.py in the state directory,
console/backends/team_firestore.py in Firestore on gcp); what may be written under read-only is
console/core/safety.py's. The watch applies `ack_verdict` before it reminds; the header applies
`live_presence` and `watch_silence`.
"""

from __future__ import annotations

import getpass
import os
import re
import secrets
import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

QUIET_STATUSES = frozenset({"ok", "unknown"})
# How bad a status is, for "it got worse": unknown and ok are quiet, error is the worst (the
# check cannot even be judged: whoever acknowledged a failure did not acknowledge that).
SEVERITY = {"ok": 0, "unknown": 0, "warn": 1, "fail": 2, "error": 3}
TEXT_MAX = 500  # a reason or a note: a sentence or a paragraph, never a pasted log


class TeamStoreError(Exception):
    """A team record could not be read or written; the text is one line, safe to print."""


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Ack(Record):
    """`who` acknowledged `check` of `game_date` at `at`, until `until`, because `reason`.
    `status` and `headline` are what the check said then: what "worse" is measured against."""

    check: str = Field(min_length=1, max_length=80)
    game_date: date
    who: str = Field(min_length=1, max_length=120)
    reason: str = Field(min_length=1, max_length=TEXT_MAX)
    at: AwareDatetime
    until: AwareDatetime
    status: str = "fail"
    headline: float | None = None

    @property
    def key(self) -> str:
        return ack_key(self.game_date, self.check)


class Note(Record):
    """A note on a game date (and optionally one check): what was learned that morning."""

    id: str = Field(min_length=1, max_length=80)
    game_date: date
    check: str | None = Field(None, max_length=80)
    who: str = Field(min_length=1, max_length=120)
    at: AwareDatetime
    text: str = Field(min_length=1, max_length=TEXT_MAX)


class Presence(Record):
    """One open console (terminal or web) or watch, refreshed while it runs."""

    id: str = Field(min_length=1, max_length=80)
    who: str = Field(min_length=1, max_length=120)
    host: str = Field("", max_length=120)
    kind: Literal["terminal", "web"] = "terminal"
    read_only: bool = False
    since: AwareDatetime
    seen_at: AwareDatetime


class Heartbeat(Record):
    """The watch's last completed run: when (the wall clock: is the watch alive?), the moment it
    judged (`as_of`: the same but in a replay), its overall status, and its period (what
    "silent" is measured against)."""

    at: AwareDatetime
    as_of: AwareDatetime | None = None
    status: str
    every_s: float = Field(gt=0)
    game_date: date | None = None
    host: str = ""
    who: str = ""


class TeamStore(Protocol):
    """Where the team's records live. Every method raises TeamStoreError (one line) on failure."""

    def acks(self) -> list[Ack]: ...
    def put_ack(self, ack: Ack) -> None: ...
    def remove_ack(self, key: str) -> Ack | None: ...
    def notes(self, game_date: date | None = None) -> list[Note]: ...
    def add_note(self, note: Note) -> None: ...
    def presence(self) -> list[Presence]: ...
    def beat(self, presence: Presence) -> None: ...
    def leave(self, presence_id: str) -> None: ...
    def heartbeat(self) -> Heartbeat | None: ...
    def record_heartbeat(self, beat: Heartbeat) -> None: ...
    def audit(self, record: dict[str, object]) -> None: ...
    def close(self) -> None: ...


def ack_key(game_date: date, check: str) -> str:
    return f"{game_date.isoformat()}_{check}"


def new_id() -> str:
    return secrets.token_hex(8)


def clean_text(text: str) -> str:
    """One line of at most TEXT_MAX characters: control characters (a pasted escape sequence,
    a newline that would forge a second audit line) become spaces."""
    flat = re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()
    if not flat:
        raise ValueError("the text is empty")
    if len(flat) > TEXT_MAX:
        raise ValueError(f"the text is {len(flat)} characters; at most {TEXT_MAX}")
    return flat


def local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return str(os.getuid())


def who_am_i(configured: str | None, gcloud_account: str | None = None) -> str:
    """The name on acks, notes and presence: the configured `team.who`, else the gcloud account
    (on gcp), else the login name."""
    return configured or gcloud_account or local_user()


def host_name() -> str:
    return socket.gethostname()


# ------------------------------------------------------------------ acknowledgements


HEADLINE_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def headline_number(headline: str | None) -> float | None:
    """The first number of a panel's headline (`85.3`, `3/5` -> 3, `12c` -> 12), or None."""
    match = HEADLINE_NUMBER.search(headline or "")
    return float(match.group()) if match else None


@dataclass(frozen=True)
class AckVerdict:
    """What an acknowledgement means for the check now. kind: `holds` (no reminder), `expired`,
    `recovered` (the check is quiet: the ack is cleared) or `worse` (breaks through, `reason`)."""

    kind: Literal["holds", "expired", "recovered", "worse"]
    reason: str = ""


def ack_verdict(ack: Ack, status: str, headline: float | None, now: datetime, worsen_by: float | None) -> AckVerdict:
    """The rule of issue 26: an acknowledged check is not reminded until the ack expires, the
    check recovers (which clears it), or it gets worse: a worse status (fail -> error), or its
    headline number moved by `worsen_by` or more in the direction of its sign (-5: a coverage
    that dropped 5 points; +1: a pollution that rose a point). None: numbers never break it."""
    if status in QUIET_STATUSES:
        return AckVerdict("recovered", f"{ack.check} recovered ({status})")
    if SEVERITY.get(status, 3) > SEVERITY.get(ack.status, 2):
        return AckVerdict("worse", f"{ack.status} → {status} since {ack.who} acknowledged it")
    if worsen_by and headline is not None and ack.headline is not None:
        moved = headline - ack.headline
        if (worsen_by < 0 and moved <= worsen_by) or (worsen_by > 0 and moved >= worsen_by):
            return AckVerdict(
                "worse", f"headline {ack.headline:g} → {headline:g} since {ack.who} acknowledged it ({moved:+g})"
            )
    if now >= ack.until:
        return AckVerdict("expired", f"{ack.who}'s acknowledgement expired")
    return AckVerdict("holds")


def active_ack(acks: list[Ack], game_date: date, check: str, now: datetime) -> Ack | None:
    """The unexpired acknowledgement of one check of one date (what the panel's badge shows)."""
    key = ack_key(game_date, check)
    return next((a for a in acks if a.key == key and a.until > now), None)


# ------------------------------------------------------------------ presence and the watch


def live_presence(entries: list[Presence], now: datetime, ttl: timedelta, exclude: str | None = None) -> list[Presence]:
    """The consoles still refreshing their entry, oldest first (a console that stopped, crashed
    or lost its network expires after `ttl`)."""
    live = [p for p in entries if p.id != exclude and now - p.seen_at <= ttl]
    return sorted(live, key=lambda p: p.since)


@dataclass(frozen=True)
class WatchSilence:
    age: timedelta | None  # None: the watch never ran (no heartbeat)
    silent: bool
    status: str | None = None


def watch_silence(beat: Heartbeat | None, now: datetime, every: timedelta | None = None) -> WatchSilence:
    """Silent when the last completed run is older than twice its period (the heartbeat's own,
    or `every` when given). No heartbeat at all is silent."""
    if beat is None:
        return WatchSilence(None, True)
    period = every or timedelta(seconds=beat.every_s)
    age = max(now - beat.at, timedelta(0))
    return WatchSilence(age, age > 2 * period, beat.status)


def ago(age: timedelta | None) -> str:
    """`3m`, `2h`, `2h 5m`, `3d`: an age that fits a header chip."""
    if age is None:
        return "never"
    seconds = int(age.total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        hours, rest = divmod(seconds, 3600)
        return f"{hours}h" + (f" {rest // 60}m" if rest >= 60 and hours < 10 else "")
    return f"{seconds // 86400}d"


def watch_status_line(silence: WatchSilence, tz_name: str = "") -> str:
    if silence.age is None:
        return "WATCH SILENT: no run recorded"
    if silence.silent:
        return f"WATCH SILENT {ago(silence.age)} (last run {silence.status})"
    return f"watch {ago(silence.age)} ago ({silence.status})"
