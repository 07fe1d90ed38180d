"""Configuration: defaults from the Session 124 handoff, overridden by a TOML file and env.

Precedence, highest first: explicit CLI overrides, ``NBA_CONSOLE_*`` environment variables
(nested keys with ``__``, e.g. ``NBA_CONSOLE_THRESHOLDS__GRADING_TRIGGER_PCT=85``), then
``nba-console.toml`` in the working directory, then the one in the user config directory.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from console.core.config_checks import channel_problem, check_keys, check_region, check_theme, read_toml, strict_scalar
from console.core.config_errors import (
    ENV_PREFIX,
    OTHER_VARIABLES,
    ConfigError,
    describe_settings_error,
    describe_validation,
    env_problem,
    unknown_env_variables,
)
from console.core.config_platform import (
    DEFAULT_PROCESSORS,
    LogPatterns,
    Processor,
    Section,
    Services,
)

APP_NAME = "nba-console"
CONFIG_FILE_NAME = "nba-console.toml"


def _non_empty_path(value: Any) -> Any:
    # Path("") is the current directory: an empty NBA_CONSOLE_DATA_DIR must not mean "here".
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be empty (an empty path would mean the current directory)")
    return value


class Thresholds(Section):
    """The handoff's numbers. Percentages are 0-100."""

    grading_trigger_pct: float = Field(80.0, ge=0, le=100)  # phase3-to-grading triggers grading
    coverage_monitor_pct: float = Field(70.0, ge=0, le=100)  # grading-coverage-monitor alerts below
    usage_rate_target_pct: float = Field(90.0, ge=0, le=100)
    usage_rate_max_pct: float = Field(100.0, ge=1, le=100)  # a usage rate above this is impossible
    dnp_pollution_max_pct: float = Field(0.0, ge=0, le=100)
    dnp_window_days: int = Field(2, ge=1, le=31)  # the handoff reports Feb 2-3 together
    phase3_processors: int = Field(5, ge=1, le=100)
    expected_games: int = Field(7, ge=0, le=100)
    expected_predictions: int = Field(759, ge=0, le=1_000_000)
    prediction_systems: int = Field(8, ge=1, le=100)
    drift_warn_days: float = Field(1.0, ge=0, le=3650)
    drift_fail_days: float = Field(7.0, ge=0, le=3650)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        # The monitor alerts on coverage the trigger has already let through: above it, it
        # would alert on every healthy night.
        if self.coverage_monitor_pct > self.grading_trigger_pct:
            raise ValueError(
                f"coverage_monitor_pct ({self.coverage_monitor_pct:g}) must not be above "
                f"grading_trigger_pct ({self.grading_trigger_pct:g})"
            )
        if self.drift_warn_days > self.drift_fail_days:
            raise ValueError(
                f"drift_warn_days ({self.drift_warn_days:g}) must not be above "
                f"drift_fail_days ({self.drift_fail_days:g})"
            )
        return self


class Tables(Section):
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


class LogsSettings(Section):
    """The log screen and `tail`."""

    buffer_entries: int = Field(100_000, ge=1, le=10_000_000)  # entries kept on the log screen
    poll_seconds: float = Field(0.2, ge=0.01, le=3600)  # local follow interval
    gcp_poll_seconds: float = Field(5.0, ge=1, le=3600)  # Cloud Logging's read quota is per minute
    # SQL over log entries (`;` on the log screen, `logs search --sql`): rows shown, the deadline
    # after which a query is interrupted, and DuckDB's memory limit for the table and the query.
    sql_row_limit: int = Field(10_000, ge=1, le=1_000_000)
    sql_timeout_s: float = Field(10.0, ge=0.1, le=3600)
    sql_memory_mb: int = Field(512, ge=64, le=65_536)


class GcpSettings(Section):
    maximum_bytes_billed: int = Field(1 << 30, ge=1, le=1 << 50)
    query_timeout_s: float = Field(60.0, ge=1, le=3600)
    platform_checkout: Path | None = None  # the nba-props-platform git checkout, for drift and playbooks
    # Back-off after 429 / quota / unavailable (Cloud Logging reads, the Firestore listener).
    retry_attempts: int = Field(4, ge=1, le=10)
    retry_initial_s: float = Field(1.0, ge=0.01, le=600)

    @field_validator("platform_checkout", mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        return _non_empty_path(value)


class Deadlines(Section):
    """When the morning's work is overdue: clock times in the configured zone on the
    processing date. After them, on a date that had games, what has not happened fails."""

    phase3: time = time(9, 0)  # all Phase 3 processors complete, Level lines in the logs
    grading: time = time(9, 0)  # grading coverage at or above the trigger


class TuiSettings(Section):
    """The console screen: theme and how a failing source is retried."""

    theme: str = "textual-dark"  # one of Textual's themes (config_checks.THEMES)
    bell: bool = False  # ring the terminal bell when a check changes status
    retry_base_seconds: float = Field(5.0, ge=0.1, le=86400)  # first retry after a failed refresh
    retry_max_seconds: float = Field(300.0, ge=0.1, le=86400)  # backoff doubles up to this cap

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, value: str) -> str:
        return check_theme(value)


class HistorySettings(Section):
    """`nba-console history` and the history screen (issue 16)."""

    days: int = Field(14, ge=1, le=366)  # game dates shown by default, ending at the latest one
    max_days: int = Field(28, ge=1, le=366)  # most dates one history may ask for (cost grows with days)
    # A past date's deployment drift is judged as of this time on its processing date (the end
    # of the morning window), in `timezone`: the deploys of that morning, not today's.
    drift_at: time = time(11, 0)


class LocalSettings(Section):
    """The embedded backend's loads (`local load`, `seed-demo`)."""

    max_file_mb: float = Field(1024.0, ge=0.001, le=1_000_000)  # a scenario file larger than this is refused
    lock_timeout_s: float = Field(60.0, ge=0, le=86400)  # a second load waits this long, then is refused
    # How long a replaced generation stays for a console still reading it; removed by the
    # first load after that (0: at once).
    keep_previous_s: float = Field(0.0, ge=0, le=30 * 86400)


class PlaybookSettings(Section):
    """How playbooks run: timeouts, the run lock and the audit log's output tail."""

    step_timeout_s: float = Field(900.0, ge=0.1, le=86400)  # a Cloud Run deploy takes minutes, not hours
    lock_ttl_s: float = Field(3600.0, ge=0.5, le=7 * 86400)  # a lock older than this is stale (its owner died)
    lock_collection: str = "nba_console_locks"  # Firestore collection of the gcp run lock
    firestore_lock: bool = True  # on gcp, also lock in Firestore so two operators cannot run at once
    output_tail_lines: int = Field(40, ge=1, le=1000)
    kill_grace_s: float = Field(1.0, ge=0.01, le=10)  # SIGTERM to a cancelled step's group, then SIGKILL

    @model_validator(mode="after")
    def _step_fits_in_the_lease(self) -> PlaybookSettings:
        # A step that may outlive the lease would let another run take the lock mid-step.
        if self.step_timeout_s >= self.lock_ttl_s:
            raise ValueError(f"step_timeout_s ({self.step_timeout_s:g}) must be below lock_ttl_s ({self.lock_ttl_s:g})")
        return self


class ServeSettings(Section):
    """`nba-console serve`: the console in a browser, one console process per viewer."""

    max_sessions: int = Field(8, ge=1, le=64)  # concurrent viewers; the next one is refused (503)
    idle_minutes: float = Field(30.0, ge=0.1, le=7 * 24 * 60)  # a viewer with no key/mouse input for this long is ended
    quit_grace_s: float = Field(5.0, ge=0.1, le=600)  # after asking a console to quit, kill it if still running


class NotifyChannel(Section):
    """One `[[notify]]` entry. Secrets live in environment variables named here, never in the file."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    kind: Literal["slack", "webhook", "command", "stdout"]
    url_env: str | None = None  # slack / webhook: the variable holding the URL
    secret_env: str | None = None  # webhook: HMAC-SHA256 key, signature in X-Nba-Console-Signature
    command: list[str] = []  # command: argv (never a shell string), the JSON on stdin
    timeout_s: float = Field(10.0, ge=0.1, le=300)  # one attempt (HTTP request or command run)

    @field_validator("command")
    @classmethod
    def _argv(cls, value: list[str]) -> list[str]:
        if value and not value[0]:
            raise ValueError("command[0] must name a program")
        return value

    @model_validator(mode="after")
    def _has_its_target(self) -> NotifyChannel:
        # Refused at load, not at the first alert ("$None is not set" in the middle of a morning).
        if problem := channel_problem(self.kind, self.url_env, self.command):
            raise ValueError(problem)
        return self


class WatchSettings(Section):
    """`nba-console watch`: schedule, de-duplication and delivery."""

    every: timedelta = timedelta(minutes=5)
    until: time = time(11, 0)  # end of the morning window in `timezone`: summary, then exit
    remind_every: timedelta = timedelta(hours=1)  # reminder while a check stays `fail`
    error_repeat_after: timedelta = timedelta(minutes=30)  # an `error` is told again only past this
    retry_attempts: int = Field(4, ge=1, le=10)  # per message: 429 / 5xx / timeouts
    retry_initial_s: float = Field(1.0, ge=0.01, le=600)
    retry_max_wait_s: float = Field(30.0, ge=0.01, le=3600)  # cap on one back-off, Retry-After included
    outbox_runs: int = Field(3, ge=1, le=1000)  # runs an undelivered message is retried before it is dropped
    report_dir: Path | None = None  # where the end-of-morning Markdown report goes
    notify: list[str] = []  # channels used when `--notify` is not given

    @field_validator("every", "remind_every", "error_repeat_after", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        # "5m", "1h", "90s" as `tail --since` takes them; numbers are seconds.
        if isinstance(value, str) and value.strip()[-1:].isalpha():
            from console.core.timefmt import parse_duration

            return parse_duration(value)
        return value

    @field_validator("every", "remind_every", "error_repeat_after")
    @classmethod
    def _positive(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        longest = timedelta(days=1) if info.field_name == "every" else timedelta(days=3650)
        if value.total_seconds() <= 0:
            raise ValueError("must be more than zero")
        if not timedelta(seconds=1) <= value <= longest:
            raise ValueError(f"must be between 1s and {longest.days}d")
        return value


class _SettingsMeta(type(BaseModel)):
    """`Settings(...)` reads NBA_CONSOLE_* variables and the config file through pydantic-settings,
    but only when there is something to read: importing pydantic-settings (and the asyncio it
    pulls in) is a third of what `check` costs. Without a file or a variable, the same model
    validates the same arguments with the same defaults; with one, pydantic-settings does."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is Settings and _sources_needed():
            return _sourced_settings()(*args, **kwargs)
        return super().__call__(*args, **kwargs)


class Settings(BaseModel, metaclass=_SettingsMeta):
    # validate_default as pydantic-settings' BaseSettings has it (defaults go through the validators).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_default=True)

    backend: Literal["local", "gcp"] = "local"
    project: str = "nba-props-platform"
    region: str = "us-west2"
    timezone: str = "America/New_York"
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)))
    state_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_state_dir(APP_NAME)))
    read_only: bool = False
    refresh_seconds: float = Field(60.0, ge=1, le=86400)  # 1 s to a day
    # Deprecated spelling of deadlines.grading (still read when set and deadlines.grading is not).
    grading_due: time = time(9, 0)
    # The handoff's timeline: Phase 3 runs 7:00-8:00 ET, grading results 8:00-9:00 ET.
    deadlines: Deadlines = Deadlines()
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
    serve: ServeSettings = ServeSettings()
    history: HistorySettings = HistorySettings()
    notify: list[NotifyChannel] = []
    watch: WatchSettings = WatchSettings()
    local: LocalSettings = LocalSettings()

    @field_validator("*", mode="before")
    @classmethod
    def _strict_types(cls, value: Any, info: ValidationInfo) -> Any:
        # No `true` for a number, no number for a time of day (config_checks.strict_scalar).
        return strict_scalar(cls, info.field_name, value)

    @field_validator("data_dir", "state_dir", mode="before")
    @classmethod
    def _paths_not_empty(cls, value: Any) -> Any:
        return _non_empty_path(value)

    @field_validator("keys")
    @classmethod
    def _known_keys(cls, value: dict[str, str]) -> dict[str, str]:
        return check_keys(value)

    @field_validator("project", "region")
    @classmethod
    def _gcp_name(cls, value: str, info: ValidationInfo) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9.:-]{0,99}", value):
            raise ValueError(f"{value!r} is not a GCP name (lowercase letters, digits, '-', '.', ':')")
        return check_region(value) if info.field_name == "region" else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _grading_due_alias(self) -> Settings:
        if "grading_due" in self.model_fields_set and "grading" not in self.deadlines.model_fields_set:
            self.deadlines = self.deadlines.model_copy(update={"grading": self.grading_due})
        return self

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


# The TOML source is chosen per load; pydantic-settings reads it from the class, so the
# path and what it holds (read by config_checks.read_toml) are handed over here for the
# duration of one load_settings() call.
_CURRENT_CONFIG_FILE: dict[str, Any] = {"path": None, "data": None}


def _sources_needed() -> bool:
    """A config file is being read, or an NBA_CONSOLE_* variable may name a setting."""
    if _CURRENT_CONFIG_FILE["path"] is not None:
        return True
    others = {ENV_PREFIX + name for name in OTHER_VARIABLES}
    return any(var.upper().startswith(ENV_PREFIX) and var.upper() not in others for var in os.environ)


_SOURCED: list[type[Settings]] = []


def _sourced_settings() -> type[Settings]:
    """Settings read by pydantic-settings (init arguments, then the environment, then the
    TOML file), built on first use."""
    if not _SOURCED:
        from pydantic_settings import (
            BaseSettings,
            InitSettingsSource,
            PydanticBaseSettingsSource,
            SettingsConfigDict,
        )

        class SourcedSettings(BaseSettings, Settings):
            model_config = SettingsConfigDict(
                env_prefix=ENV_PREFIX,
                env_nested_delimiter="__",
                extra="forbid",
                allow_inf_nan=False,
                title="Settings",
            )

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
                data = _CURRENT_CONFIG_FILE.get("data")
                if data is not None:  # the file, as read_toml read it (its depth checked)
                    sources.append(InitSettingsSource(settings_cls, init_kwargs=data))
                return tuple(sources)

        SourcedSettings.__qualname__ = "SourcedSettings"  # found by pickle through __getattr__ below
        _SOURCED.append(SourcedSettings)
    return _SOURCED[0]


def __getattr__(name: str) -> Any:
    if name == "SourcedSettings":
        return _sourced_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _is_settings_error(exc: Exception) -> bool:
    """pydantic-settings' own error (an env value that is not JSON where a section is expected),
    without importing it when it was never used."""
    module = sys.modules.get("pydantic_settings")
    return module is not None and isinstance(exc, module.SettingsError)


def find_config_file(explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        return explicit
    env = os.environ.get("NBA_CONSOLE_CONFIG")
    if env:
        return Path(env)
    for candidate in (Path.cwd() / CONFIG_FILE_NAME, Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILE_NAME):
        # Anything by that name: a directory (or a dangling symlink) there is a mistake to
        # refuse, not a file to skip in silence.
        if os.path.lexists(candidate):
            return candidate
    return None


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Load settings, turning every problem into one ConfigError that names the key."""
    path = find_config_file(config_file)
    if path is not None and not path.is_file():
        raise ConfigError(
            f"config file {path} does not exist"
            if not os.path.lexists(path)
            else f"config file {path} is not a regular file"
        )
    if problem := env_problem(Settings, OTHER_VARIABLES):
        raise ConfigError(problem)
    data = None
    if path is not None:
        try:
            data = read_toml(path)
        except ValueError as exc:  # TOML syntax, not UTF-8, nested too deeply
            raise ConfigError(f"{path}: {exc}") from None
        except OSError as exc:  # unreadable, over the size limit
            raise ConfigError(f"config file {path}: {getattr(exc, 'reason', None) or exc.strerror or exc}") from None
    _CURRENT_CONFIG_FILE.update(path=path, data=data)
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError(describe_validation(exc, path, Settings)) from None
    except (ValueError, OSError) as exc:  # undecodable or unreadable values
        if _is_settings_error(exc):  # an env value that is not JSON where a section is expected
            raise ConfigError(describe_settings_error(exc)) from None
        raise ConfigError(f"{path}: {exc}") from None
    finally:
        _CURRENT_CONFIG_FILE.update(path=None, data=None)
    # Checked after loading: the variables that `[[notify]]` channels name (url_env,
    # secret_env) are the user's own and may carry the NBA_CONSOLE_ prefix too.
    named = tuple(
        var.removeprefix(ENV_PREFIX)
        for channel in settings.notify
        for var in (channel.url_env, channel.secret_env)
        if var and var.startswith(ENV_PREFIX)
    )
    if problem := unknown_env_variables(Settings, OTHER_VARIABLES + named):
        raise ConfigError(problem)
    settings._config_file = path
    return settings
