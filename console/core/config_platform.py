"""The platform's shape in the configuration: processors and their levels, the log lines'
patterns, the deployable services (and the `Section` base every config section shares).
Split from config.py (issue 12: modules under ~400 lines); config.py re-exports them."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from console.core.config_checks import strict_scalar


class Section(BaseModel):
    """Base of every config section: an unknown key (a typo) is refused, not ignored, and
    no number may be inf or nan. Built on first use (defer_build): Settings builds the sections'
    validators inside its own, so building each section's on import was work done twice (about
    45 ms of the console's start, issue 13)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _strict_types(cls, value: Any, info: ValidationInfo) -> Any:
        # No `true` for a number, no number for a time of day (config_checks.strict_scalar).
        return strict_scalar(cls, info.field_name, value)


# Cloud Run service / Cloud Functions names: lowercase letters, digits and hyphens, starting
# with a letter (so never an option like `--help`), at most 63 characters.
_SERVICE_NAME = re.compile(r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


def _service_name(value: str) -> str:
    if not _SERVICE_NAME.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid Cloud Run / Functions name "
            "(lowercase letters, digits and hyphens, starting with a letter)"
        )
    return value


class Processor(Section):
    """One `[[processors]]` entry: a Phase 3 processor and its level."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$", description="its name in Firestore and the logs")
    level: int = Field(ge=1, le=100, description="Level 1 runs before Level 2")
    kind: Literal["team", "player"] = Field(description="a team or a player processor")


DEFAULT_PROCESSORS = [
    Processor(name="TeamOffenseGameSummaryProcessor", level=1, kind="team"),
    Processor(name="TeamDefenseGameSummaryProcessor", level=1, kind="team"),
    Processor(name="UpcomingTeamGameContextProcessor", level=1, kind="team"),
    Processor(name="PlayerGameSummaryProcessor", level=2, kind="player"),
    Processor(name="UpcomingPlayerGameContextProcessor", level=2, kind="player"),
]


# The named groups each pattern must have: the log trace reads them by name.
LOG_PATTERN_GROUPS = {
    "level_start": {"level", "count", "processors"},
    "level_complete": {"level", "succeeded", "total"},
    "processor_start": {"processor"},
    "processor_complete": {"processor"},
    "dependency_failure": {"message"},
}


class LogPatterns(Section):
    """Regular expressions over textPayload. Named groups are part of the contract."""

    level_start: str = Field(
        r"Level (?P<level>\d+): running (?P<count>\d+) processors?: (?P<processors>.+)$",
        description="a level starts; groups level, count, processors",
    )
    level_complete: str = Field(
        r"Level (?P<level>\d+) complete \((?P<succeeded>\d+)/(?P<total>\d+) succeeded\)",
        description="a level ends; groups level, succeeded, total",
    )
    processor_start: str = Field(
        r"^Starting (?P<processor>\w+Processor)\b", description="a processor starts; group processor"
    )
    processor_complete: str = Field(
        r"^(?P<processor>\w+Processor) completed\b", description="a processor ends; group processor"
    )
    dependency_failure: str = Field(
        r"DependencyFailureError:?\s*(?P<message>.*)$", description="a dependency failure; group message"
    )

    @field_validator("*")
    @classmethod
    def _compiles_with_groups(cls, value: str, info: ValidationInfo) -> str:
        try:
            pattern = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        missing = LOG_PATTERN_GROUPS.get(info.field_name or "", set()) - set(pattern.groupindex)
        if missing:
            raise ValueError(f"needs the named group(s) {', '.join(f'(?P<{g}>...)' for g in sorted(missing))}")
        return value


class Services(Section):
    """The deployables the console knows; playbooks refuse any other name."""

    analytics: str = Field(
        "nba-phase3-analytics-processors", description="the Phase 3 service whose logs hold the Level lines"
    )
    cloud_run: list[str] = Field(
        [
            "nba-phase3-analytics-processors",
            "nba-phase4-precompute",
            "nba-scrapers",
            "prediction-coordinator",
            "prediction-worker",
        ],
        description="the Cloud Run services (deployment drift, playbooks)",
    )
    functions: list[str] = Field(
        ["phase3-to-grading", "grading", "grading-coverage-monitor"], description="the Cloud Functions"
    )
    watched_env: list[str] = Field(
        ["SEQUENTIAL_EXECUTION_ENABLED"],
        description="environment variables shown beside each service: feature flags a playbook may flip",
    )

    @field_validator("analytics")
    @classmethod
    def _one_name(cls, value: str) -> str:
        return _service_name(value)

    @field_validator("cloud_run", "functions")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        return [_service_name(v) for v in value]

    @field_validator("watched_env")
    @classmethod
    def _env_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not _ENV_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not an environment variable name (letters, digits, _)")
        return value

    def names(self) -> list[str]:
        """Every service the config knows, once each, in config order."""
        return list(dict.fromkeys([self.analytics, *self.cloud_run, *self.functions]))

    def kind_of(self, name: str) -> str | None:
        if name in self.cloud_run:
            return "run"
        if name in self.functions:
            return "function"
        return None
