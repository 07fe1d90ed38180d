"""`[team]`: on-call as a team (issue 26): who you are, how long an ack lasts, when presence
expires, what "worse" means for an acknowledged check, and the Firestore collections on gcp.
Beside config_sections.py (modules under ~400 lines); config.py assembles it into Settings."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pydantic import Field, field_validator

from console.core.config_platform import Section


class TeamSettings(Section):
    """On-call as a team (issue 26): acknowledgements, notes, presence and the watch's heartbeat.
    On local they live in the state directory; on gcp in these Firestore collections."""

    who: str | None = Field(
        None,
        min_length=1,
        max_length=120,
        description="your name on acks, notes and presence (default: the gcloud account on gcp, else $USER)",
    )
    ack_for: timedelta = Field(timedelta(hours=2), description="how long an acknowledgement lasts without `--for`")
    presence_ttl_s: float = Field(
        180.0, ge=5, le=86400, description="a console that has not refreshed its presence for this long is gone"
    )
    worsen_by: dict[str, float] = Field(
        {},
        description="check id -> how far its headline number may move while acknowledged (-5: a drop of 5 "
        "points breaks through; +1: a rise of 1), overriding the check's own (coverage checks -5, DNP "
        "pollution +1); a worse status always breaks through",
    )
    acks_collection: str = Field("nba_console_acks", description="gcp: the Firestore collection of acknowledgements")
    notes_collection: str = Field("nba_console_notes", description="gcp: the Firestore collection of notes")
    presence_collection: str = Field("nba_console_presence", description="gcp: the consoles open now")
    heartbeat_collection: str = Field("nba_console_heartbeat", description="gcp: the watch's last run")
    audit_collection: str = Field("nba_console_team_audit", description="gcp: every ack, clear and note")

    @field_validator("ack_for", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip()[-1:].isalpha():
            from console.core.timefmt import parse_duration

            return parse_duration(value)
        return value

    @field_validator("ack_for")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if not timedelta(minutes=1) <= value <= timedelta(days=7):
            raise ValueError("must be between 1m and 7d")
        return value

    @field_validator(
        "acks_collection", "notes_collection", "presence_collection", "heartbeat_collection", "audit_collection"
    )
    @classmethod
    def _collection(cls, value: str) -> str:
        # Firestore: no slash (a path separator), not `.`/`..`, not __reserved__.
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", value) or value.startswith("__"):
            raise ValueError("must be 1-100 letters, digits, _ or - (a Firestore collection id)")
        return value
