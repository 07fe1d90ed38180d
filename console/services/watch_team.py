"""The watch and the team (issue 26): acknowledgements before reminders, the heartbeat after
each run, and the links every alert carries.

Per check, the ack rule of the pure core (console/core/team.py `ack_verdict`): while an ack
holds, `decide` sends no reminder; when the check recovers or gets worse, the watch clears the
ack (audited, by "watch") and a worse check breaks through with the reason even when its
status did not change (its headline number moved by `team.worsen_by`); an expired ack is cleared
and the reminders resume. A team store that cannot be read never silences anything: the watch
then alerts as if nothing were acknowledged, and says so once per run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from console.core.config import Settings
from console.core.links import console_command, console_url
from console.core.models import CheckResult
from console.core.team import (
    Ack,
    AckVerdict,
    Heartbeat,
    Note,
    TeamStore,
    TeamStoreError,
    ack_key,
    ack_verdict,
    headline_number,
    host_name,
)

log = logging.getLogger("nba_console.watch")


@dataclass
class AckOutcome:
    ack: Ack
    verdict: AckVerdict


def acks_by_key(store: TeamStore | None, game_date: date) -> dict[str, Ack]:
    if store is None:
        return {}
    try:
        acks = store.acks()
    except TeamStoreError as exc:
        log.warning("acknowledgements unreadable, alerting as if none: %s", exc)
        return {}
    return {a.key: a for a in acks if a.game_date == game_date}


def date_notes(store: TeamStore | None, game_date: date) -> list[Note]:
    """The date's notes for the end-of-morning digest; unreadable: none, said once."""
    if store is None:
        return []
    try:
        return store.notes(game_date)
    except TeamStoreError as exc:
        log.warning("notes left out of the summary: %s", exc)
        return []


def judge_ack(
    acks: dict[str, Ack], result: CheckResult, game_date: date, now: datetime, settings: Settings
) -> AckOutcome | None:
    ack = acks.get(ack_key(game_date, result.id))
    if ack is None or now < ack.at:
        return None  # an ack made after this run's moment (a replay of the past) is not news to it
    from panels.dispatch import headline, worsen_by

    number = headline_number(headline(result))
    return AckOutcome(ack, ack_verdict(ack, result.status.value, number, now, worsen_by(result.id, settings)))


def settle_ack(store: TeamStore | None, settings: Settings, outcome: AckOutcome) -> None:
    """Clear an ack that no longer holds (recovered, worse, expired), audited as the watch's."""
    if store is None or outcome.verdict.kind == "holds":
        return
    from console.services.team_records import clear_ack

    try:
        clear_ack(settings, store, outcome.ack.check, outcome.ack.game_date, outcome.verdict.reason, by="watch")
    except TeamStoreError as exc:
        log.warning("cannot clear the acknowledgement of %s: %s", outcome.ack.check, exc)


def ack_fields(outcome: AckOutcome | None, tz: Any) -> dict[str, Any]:
    """What a change entry says about its ack: who and why, and how it ended (or None)."""
    if outcome is None:
        return {}
    ack = outcome.ack
    until = ack.until.astimezone(tz).strftime("%H:%M %Z")
    fields: dict[str, Any] = {"ack": {"who": ack.who, "reason": ack.reason, "until": ack.until.isoformat()}}
    if outcome.verdict.kind == "holds":
        fields["ack_text"] = f"acknowledged by {ack.who} until {until}: {ack.reason}"
    else:
        fields["ack_text"] = f"{outcome.verdict.reason}: “{ack.reason}”"
        fields["ack_ended"] = outcome.verdict.kind
    return fields


def links(settings: Settings, game_date: date, check: str) -> dict[str, Any]:
    return {
        "open_command": console_command(game_date, check),
        "open_url": console_url(settings.serve.public_url, game_date, check),
    }


def record_run(
    store: TeamStore | None,
    settings: Settings,
    at: datetime,
    as_of: datetime,
    status: str,
    every: timedelta,
    game_date: date,
    heartbeat_url: str | None,
) -> str | None:
    """After a completed run: the heartbeat in the team store, then the dead-man's-switch ping.
    A heartbeat that cannot be recorded is logged only (a watch whose service account may only
    read Firestore still alerts); returns the ping's one-line failure, or None."""
    if store is not None:
        try:
            store.record_heartbeat(
                Heartbeat(
                    at=at,
                    as_of=as_of,
                    status=status,
                    every_s=every.total_seconds(),
                    game_date=game_date,
                    host=host_name(),
                )
            )
        except TeamStoreError as exc:
            log.warning("heartbeat not recorded (`watch status` will call the watch silent): %s", exc)
    return ping(heartbeat_url, settings.watch.heartbeat_timeout_s) if heartbeat_url else None


def ping(url: str, timeout_s: float) -> str | None:
    """One GET within `timeout_s`, never retried (the next run pings again; the service alerts
    only after its own grace). The URL is a secret: only its masked form is ever printed."""
    import httpx

    from console.services.notify import mask_url

    try:
        response = httpx.get(url, timeout=timeout_s, follow_redirects=False)
    except httpx.TimeoutException:
        return f"heartbeat {mask_url(url)}: timed out after {timeout_s:g}s"
    except httpx.HTTPError as exc:
        return f"heartbeat {mask_url(url)}: {type(exc).__name__}"
    if response.status_code >= 300:
        return f"heartbeat {mask_url(url)}: HTTP {response.status_code}"
    return None
