"""Pydantic models shared by every layer: query rows, documents, log entries, deploy state,
check results. Nothing here knows about a backend or a screen."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


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
    def worst(cls, statuses: list["Status"]) -> "Status":
        return max(statuses, key=lambda s: s.rank, default=cls.UNKNOWN)


# ---------------------------------------------------------------- query rows (queries/*.sql)


class Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class GradingSystemRow(Row):
    system_id: str
    predicted: int
    graded: int
    correct: int
    players: int


class UngradedPredictionRow(Row):
    system_id: str
    player_lookup: str
    predicted_points: float | None
    line_value: float | None
    recommendation: str | None


class DnpDayRow(Row):
    cache_date: date
    cache_rows: int
    dnp_rows: int


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


class UsagePlayerRow(Row):
    game_id: str
    player_lookup: str
    player_name: str
    team_abbr: str
    minutes_played: float | None
    points: int | None
    usage_rate: float | None
    problem: Literal["missing", "impossible"]


class GameDateRow(Row):
    game_date: date | None


# ---------------------------------------------------------------- documents, logs, deploys


class ProcessorCompletion(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: str = "unknown"
    completed_at: datetime | None = None
    record_count: int | None = None


class Phase3Document(BaseModel):
    """phase3_completion/{processing_date}: one field per processor, `_`-fields are metadata."""

    doc_id: str
    processors: dict[str, ProcessorCompletion]
    metadata: dict[str, Any] = {}

    @classmethod
    def from_fields(cls, doc_id: str, fields: dict[str, Any]) -> "Phase3Document":
        processors: dict[str, ProcessorCompletion] = {}
        metadata: dict[str, Any] = {}
        for key, value in fields.items():
            if key.startswith("_"):
                metadata[key] = value
            elif isinstance(value, dict):
                processors[key] = ProcessorCompletion.model_validate(value)
            else:  # the handoff's snippet only counts keys; tolerate bare values
                processors[key] = ProcessorCompletion(status=str(value))
        return cls(doc_id=doc_id, processors=processors, metadata=metadata)


class LogEntry(BaseModel):
    """The part of a Cloud Logging LogEntry the console reads."""

    model_config = ConfigDict(extra="ignore")

    insert_id: str = ""
    timestamp: datetime
    severity: str = "DEFAULT"
    service: str = ""
    text: str = ""
    json_payload: dict[str, Any] | None = None
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)


class Commit(BaseModel):
    sha: str
    time: datetime
    subject: str = ""


class ServiceState(BaseModel):
    name: str
    kind: Literal["run", "function"]
    region: str
    commit: str | None = None
    deployed_at: datetime | None = None
    env: dict[str, str] = {}
    traffic_latest: bool = True


class DeployState(BaseModel):
    services: list[ServiceState] = []
    commits: list[Commit] = []  # newest first, as `git log` prints them

    def service(self, name: str) -> ServiceState | None:
        return next((s for s in self.services if s.name == name), None)


# ---------------------------------------------------------------- check results


class CheckResult(BaseModel):
    id: str
    title: str
    status: Status
    summary: str
    value: dict[str, Any] = {}
    error: str | None = None
    # The queries behind the number, for the drill-down's "show SQL".
    sources: list[str] = []


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
            "checks": [
                {
                    "id": c.id,
                    "title": c.title,
                    "status": c.status.value,
                    "summary": c.summary,
                    "value": c.value,
                    **({"error": c.error} if c.error else {}),
                }
                for c in self.checks
            ],
        }
