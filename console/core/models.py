"""Pydantic models shared by every layer: query rows, documents, log entries, deploy state,
check results. Nothing here knows about a backend or a screen."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal, Self

from pydantic import MISSING, BaseModel, ConfigDict, Field, SerializeAsAny, field_validator

from console.core.log_entry import LogEntry as LogEntry  # re-exported: the backends import it from here
from console.core.phase3_doc import Phase3Document, ProcessorCompletion  # noqa: F401 - re-exported
from console.core.timestamps import Timestamp


class Status(str, Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    UNKNOWN = "unknown"
    ERROR = "error"

    @property
    def rank(self) -> int:
        # Worst wins when statuses are combined; an error outranks a fail because the
        # engineer cannot even tell what failed.
        return {"ok": 0, "unknown": 1, "warn": 2, "fail": 3, "error": 4}[self.value]

    @classmethod
    def worst(cls, statuses: list[Status]) -> Status:
        return max(statuses, key=lambda s: s.rank, default=cls.UNKNOWN)


# What a panel shows beyond a Status: a good value kept after its source failed, and nothing
# yet. Here beside Status because the one style map (panels/status_style.py) and the panels'
# bookkeeping (console/services/refresh.py) both name them.
STALE = "stale"
LOADING = "loading"


# ---------------------------------------------------------------- query rows (queries/*.sql)


class Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class GradingSystemRow(Row):
    system_id: str
    predicted: int
    graded: int
    correct: int
    players: int
    last_graded_at: datetime | None = Field(
        None, exclude=True
    )  # the newest graded_at: the panel's data age, not a value


class DnpDayRow(Row):
    cache_date: date
    cache_rows: int
    dnp_rows: int
    last_created_at: datetime | None = Field(
        None, exclude=True
    )  # the newest cache row: the panel's data age, not a value


class DnpPollutedRow(Row):
    cache_date: date
    player_lookup: str
    player_name: str
    points_avg_last_10: float | None
    games_in_window: int | None


class UsageGameRow(Row):
    game_id: str
    active_players: int
    with_usage: int
    impossible: int
    max_usage_rate: float | None
    last_processed_at: datetime | None = Field(
        None, exclude=True
    )  # the newest processed_at: the panel's data age, not a value


class GameDateRow(Row):
    game_date: date | None


# ---------------------------------------------------------------- documents, logs, deploys


# phase3_completion documents (Phase3Document, ProcessorCompletion): console/core/phase3_doc.py,
# re-exported above.


# LogEntry: console/core/log_entry.py (no pydantic: `logs search` starts without it), re-exported above.


class LogEntries(list[LogEntry]):
    """Log entries as a source returned them, with how many malformed entries it skipped on
    the way (`read_logs` on both backends), so the check can say so."""

    skipped: int = 0
    # The newest entry read, kept or not: `scan_logs` keeps only some (the trace's lines),
    # and a check's data age is its newest line all the same.
    newest: datetime | None = None

    @classmethod
    def of(cls, entries: Iterable[LogEntry], skipped: int = 0, newest: datetime | None = None) -> LogEntries:
        out = cls(entries)
        out.skipped = skipped
        out.newest = newest if newest is not None else (max(e.timestamp for e in out) if out else None)
        return out


class Commit(BaseModel):
    sha: str
    time: Timestamp
    subject: str = ""


class Revision(BaseModel):
    """One revision of a service: what it ran and from when (Cloud Run keeps them; the local
    deploy.json records one per deploy, env update or traffic move). core/deploys.py reads
    which one served at a moment."""

    name: str | None = None
    commit: str | None = None
    created_at: Timestamp | None = None
    # Each moment it took all the traffic. None: when it was created (a deploy routes to the
    # new revision); []: never (created behind a pinned split).
    traffic_at: list[Timestamp] | None = None
    env: dict[str, str] = {}

    @field_validator("traffic_at", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, (str, datetime)) else value


class ServiceState(BaseModel):
    """A service as it is now (the fields the playbooks read) and, in `revisions`, as it was:
    oldest first. A state without revisions (an older deploy.json) is one revision: its
    commit since `deployed_at`."""

    name: str
    kind: Literal["run", "function"]
    region: str
    commit: str | None = None
    deployed_at: Timestamp | None = None
    env: dict[str, str] = {}
    traffic_latest: bool = True
    revisions: list[Revision] = []


class DeployState(BaseModel):
    services: list[ServiceState] = []
    commits: list[Commit] = []  # newest first, as `git log` prints them

    def service(self, name: str) -> ServiceState | None:
        return next((s for s in self.services if s.name == name), None)


# ---------------------------------------------------------------- check results


class CheckValue(BaseModel):
    """What a check's judge established, as `check --json` writes it under `value`.

    Each check declares its own (panels/<check>.py), so a consumer reads attributes, typed,
    instead of `.get(key, default)` repeating the thresholds. The field order is the JSON's
    order; a field that only some verdicts carry has `MISSING` as its default and is left
    out of the JSON until the judge sets it (None is still written as null). Strict: an int
    where text is declared fails loudly instead of changing the JSON.
    """

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")

    def updated(self, **fields: Any) -> Self:
        """A copy with `fields` set, validated as the model: a name it does not declare, or
        a value of the wrong type, fails loudly (model_copy would take either silently)."""
        return self.model_validate({**dict(self), **fields})

    def says_no_games(self) -> bool:
        """The game date had no games: the check had nothing to judge, and says so. Only the
        values that can say it declare `no_games` (after the fields it follows in the JSON)."""
        return getattr(self, "no_games", None) is True

    def judged_as_of(self) -> str | None:
        """The moment the value was judged as of, when that is not the moment asked (drift in
        a history: that date's morning). None: the moment asked."""
        return None


class ErrorValue(CheckValue):
    """The value of a result that could not be judged: the kind of failure, when known
    (`not_found`, `permission`, `timeout`...). Written `{}` without one."""

    error_kind: str | MISSING = MISSING


class CheckResult(BaseModel):
    id: str
    title: str
    status: Status
    summary: str
    # SerializeAsAny: dumped as the check's own model, not as the (empty) base class.
    value: SerializeAsAny[CheckValue] | None = None
    error: str | None = None
    # The queries behind the number, for the drill-down's "show SQL".
    sources: list[str] = []
    # The newest timestamp in the data behind the verdict (graded_at, processed_at, a log
    # line, a completion, a deploy): the panel says how old the data is, not only when it
    # was read. None when the source has no such time. Screen-only: not in dumps (so `check`
    # and `history`, which judges without it, still compare equal; the JSON keeps its shape).
    data_at: datetime | None = Field(None, exclude=True)

    def value_json(self) -> dict[str, Any]:
        """The value as JSON data: the one place a model becomes a dict (`check --json`,
        `history --json`, the watch's messages and outbox). No value: `{}`."""
        return {} if self.value is None else self.value.model_dump(mode="json")

    def says_no_games(self) -> bool:
        return self.value is not None and self.value.says_no_games()


class Report(BaseModel):
    game_date: date
    processing_date: date
    as_of: datetime
    backend: str
    project: str
    status: Status
    checks: list[CheckResult]

    def check(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def exit_code(self) -> int:
        if any(c.status is Status.ERROR for c in self.checks):
            return 2
        if any(c.status is Status.FAIL for c in self.checks):
            return 1
        return 0

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "game_date": self.game_date.isoformat(),
            "processing_date": self.processing_date.isoformat(),
            "as_of": self.as_of.isoformat(),
            "backend": self.backend,
            "project": self.project,
            "status": self.status.value,
            # A date without games says so once for the whole date (only then: the key is
            # absent otherwise, so a morning with games keeps its JSON as it was).
            **({"no_games": True} if any(c.says_no_games() for c in self.checks) else {}),
            "checks": [
                {
                    "id": c.id,
                    "title": c.title,
                    "status": c.status.value,
                    "summary": c.summary,
                    "value": c.value_json(),
                    **({"error": c.error} if c.error else {}),
                }
                for c in self.checks
            ],
        }
