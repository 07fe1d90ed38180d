"""Configuration: defaults from the Session 124 handoff, overridden by a TOML file and env.

Precedence, highest first: explicit CLI overrides, ``NBA_CONSOLE_*`` environment variables
(nested keys with ``__``, e.g. ``NBA_CONSOLE_THRESHOLDS__GRADING_TRIGGER_PCT=85``), then
``nba-console.toml`` in the working directory, then the one in the user config directory.
"""

from __future__ import annotations

import os
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

APP_NAME = "nba-console"
CONFIG_FILE_NAME = "nba-console.toml"


class ConfigError(Exception):
    """A configuration problem, phrased for the user (names the file and the key)."""


class Thresholds(BaseModel):
    """The handoff's numbers. Percentages are 0-100."""

    grading_trigger_pct: float = Field(80.0, ge=0, le=100)  # phase3-to-grading triggers grading
    coverage_monitor_pct: float = Field(70.0, ge=0, le=100)  # grading-coverage-monitor alerts below
    usage_rate_target_pct: float = Field(90.0, ge=0, le=100)
    usage_rate_max_pct: float = Field(100.0, gt=0)  # a usage rate above this is impossible
    dnp_pollution_max_pct: float = Field(0.0, ge=0, le=100)
    dnp_window_days: int = Field(2, ge=1, le=31)  # the handoff reports Feb 2-3 together
    phase3_processors: int = Field(5, ge=1)
    expected_games: int = Field(7, ge=0)
    expected_predictions: int = Field(759, ge=0)
    prediction_systems: int = Field(8, ge=1)
    drift_warn_days: float = Field(1.0, ge=0)
    drift_fail_days: float = Field(7.0, ge=0)


class Tables(BaseModel):
    """Logical table -> fully qualified BigQuery name (``dataset.table``)."""

    player_game_summary: str = "nba_analytics.player_game_summary"
    player_daily_cache: str = "nba_precompute.player_daily_cache"
    player_prop_predictions: str = "nba_predictions.player_prop_predictions"
    prediction_accuracy: str = "nba_predictions.prediction_accuracy"

    @field_validator("*")
    @classmethod
    def _qualified(cls, value: str) -> str:
        parts = value.split(".")
        if len(parts) not in (2, 3) or not all(p.replace("_", "").replace("-", "").isalnum() for p in parts):
            raise ValueError("must be 'dataset.table' (or 'project.dataset.table') of letters, digits, _ and -")
        return value


class Processor(BaseModel):
    name: str
    level: int = Field(ge=1)
    kind: Literal["team", "player"]


DEFAULT_PROCESSORS = [
    Processor(name="TeamOffenseGameSummaryProcessor", level=1, kind="team"),
    Processor(name="TeamDefenseGameSummaryProcessor", level=1, kind="team"),
    Processor(name="UpcomingTeamGameContextProcessor", level=1, kind="team"),
    Processor(name="PlayerGameSummaryProcessor", level=2, kind="player"),
    Processor(name="UpcomingPlayerGameContextProcessor", level=2, kind="player"),
]


class LogPatterns(BaseModel):
    """Regular expressions over textPayload. Named groups are part of the contract."""

    level_start: str = r"Level (?P<level>\d+): running (?P<count>\d+) processors?: (?P<processors>.+)$"
    level_complete: str = r"Level (?P<level>\d+) complete \((?P<succeeded>\d+)/(?P<total>\d+) succeeded\)"
    processor_start: str = r"^Starting (?P<processor>\w+Processor)\b"
    processor_complete: str = r"^(?P<processor>\w+Processor) completed\b"
    dependency_failure: str = r"DependencyFailureError:?\s*(?P<message>.*)$"


class Services(BaseModel):
    """The deployables the console knows; playbooks refuse any other name."""

    analytics: str = "nba-phase3-analytics-processors"
    cloud_run: list[str] = [
        "nba-phase3-analytics-processors",
        "nba-phase4-precompute",
        "nba-scrapers",
        "prediction-coordinator",
        "prediction-worker",
    ]
    functions: list[str] = ["phase3-to-grading", "grading", "grading-coverage-monitor"]
    # Environment variables shown beside each service: feature flags a playbook may flip.
    watched_env: list[str] = ["SEQUENTIAL_EXECUTION_ENABLED"]

    def kind_of(self, name: str) -> str | None:
        if name in self.cloud_run:
            return "run"
        if name in self.functions:
            return "function"
        return None


class LogsSettings(BaseModel):
    """The log screen and `tail`."""

    buffer_entries: int = Field(100_000, ge=1)  # entries kept on the log screen; older are dropped
    poll_seconds: float = Field(0.2, gt=0)  # local follow interval (gcp polls every gcp_poll_seconds)
    gcp_poll_seconds: float = Field(5.0, gt=0)


class GcpSettings(BaseModel):
    maximum_bytes_billed: int = Field(1 << 30, gt=0)
    query_timeout_s: float = Field(60.0, gt=0)
    platform_checkout: Path | None = None  # the nba-props-platform git checkout, for drift and playbooks
    # Back-off after 429 / quota / unavailable (Cloud Logging reads, the Firestore listener).
    retry_attempts: int = Field(4, ge=1, le=10)
    retry_initial_s: float = Field(1.0, gt=0)


class TuiSettings(BaseModel):
    """The console screen: theme and how a failing source is retried."""

    theme: str = "textual-dark"  # any Textual theme name; unknown names fall back to the default
    retry_base_seconds: float = Field(5.0, gt=0)  # first retry after a failed refresh
    retry_max_seconds: float = Field(300.0, gt=0)  # backoff doubles up to this cap


class PlaybookSettings(BaseModel):
    """How playbooks run: timeouts, the run lock and the audit log's output tail."""

    step_timeout_s: float = Field(900.0, gt=0)  # a Cloud Run deploy takes minutes, not hours
    lock_ttl_s: float = Field(3600.0, gt=0)  # a lock older than this is stale (its owner died)
    lock_collection: str = "nba_console_locks"  # Firestore collection of the gcp run lock
    firestore_lock: bool = True  # on gcp, also lock in Firestore so two operators cannot run at once
    output_tail_lines: int = Field(40, ge=1, le=1000)
    kill_grace_s: float = Field(1.0, gt=0, le=10)  # SIGTERM to a cancelled step's group, then SIGKILL

    @model_validator(mode="after")
    def _step_fits_in_the_lease(self) -> "PlaybookSettings":
        # A step that may outlive the lease would let another run take the lock mid-step.
        if self.step_timeout_s >= self.lock_ttl_s:
            raise ValueError(f"step_timeout_s ({self.step_timeout_s:g}) must be below lock_ttl_s ({self.lock_ttl_s:g})")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NBA_CONSOLE_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    backend: Literal["local", "gcp"] = "local"
    project: str = "nba-props-platform"
    region: str = "us-west2"
    timezone: str = "America/New_York"
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)))
    state_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_state_dir(APP_NAME)))
    read_only: bool = False
    refresh_seconds: float = Field(60.0, ge=1)
    # The handoff's timeline: grading results are checked 8:00-9:00 AM ET.
    grading_due: time = time(9, 0)
    tables: Tables = Tables()
    processors: list[Processor] = DEFAULT_PROCESSORS
    services: Services = Services()
    log_patterns: LogPatterns = LogPatterns()
    thresholds: Thresholds = Thresholds()
    gcp: GcpSettings = GcpSettings()
    logs: LogsSettings = LogsSettings()
    playbooks: PlaybookSettings = PlaybookSettings()
    keys: dict[str, str] = {}  # binding id -> key, e.g. {"refresh": "ctrl+r"}
    tui: TuiSettings = TuiSettings()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)

    def processors_at(self, level: int) -> list[str]:
        return [p.name for p in self.processors if p.level == level]

    @property
    def levels(self) -> list[int]:
        return sorted({p.level for p in self.processors})

    @property
    def processing_offset(self) -> timedelta:
        return timedelta(days=1)

    # Set by load_settings: which file was read, for error messages and `nba-console config`.
    _config_file: Path | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _CURRENT_CONFIG_FILE.get("path")
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


# The TOML source is chosen per load; pydantic-settings reads it from the class, so the
# path is handed over here for the duration of one load_settings() call.
_CURRENT_CONFIG_FILE: dict[str, Path | None] = {"path": None}


def find_config_file(explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        return explicit
    env = os.environ.get("NBA_CONSOLE_CONFIG")
    if env:
        return Path(env)
    for candidate in (Path.cwd() / CONFIG_FILE_NAME, Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILE_NAME):
        if candidate.is_file():
            return candidate
    return None


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Load settings, turning every problem into one ConfigError that names the key."""
    path = find_config_file(config_file)
    if path is not None and not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    _CURRENT_CONFIG_FILE["path"] = path
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None
    except ValueError as exc:  # TOML syntax errors surface as ValueError subclasses
        raise ConfigError(f"{path}: {exc}") from None
    finally:
        _CURRENT_CONFIG_FILE["path"] = None
    settings._config_file = path
    return settings


def _describe(exc: ValidationError, path: Path | None) -> str:
    where = str(path) if path else "configuration"
    problems = []
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(root)"
        if err["type"] == "extra_forbidden":
            problems.append(f"{key}: unknown key")
        else:
            problems.append(f"{key}: {err['msg']} (got {err.get('input')!r})")
    return f"{where}: invalid setting " + "; ".join(problems)
