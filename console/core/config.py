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
from typing import TYPE_CHECKING, Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from console.core.config_checks import check_keys, check_region, read_toml, strict_scalar
from console.core.config_environment import CONFIG_ENV
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
    Services,
)
from console.core.config_platform import (
    Section as Section,  # re-exported: a new section derives from config.Section
)
from console.core.config_sections import (
    Deadlines,
    GcpSettings,
    HistorySettings,
    LocalSettings,
    LogsSettings,
    NotifyChannel,
    PlaybookSettings,
    ServeSettings,
    Tables,
    Thresholds,
    TuiSettings,
    WatchSettings,
    non_empty_path,
)
from console.core.config_team import TeamSettings

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

APP_NAME = "nba-console"
CONFIG_FILE_NAME = "nba-console.toml"


class _SettingsMeta(type(BaseModel)):  # type: ignore[misc]  # pydantic's metaclass has no public name; type() of the model is it
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

    backend: Literal["local", "gcp"] = Field(
        "local", description="`local`: the embedded store, no credentials; `gcp`: the official clients"
    )
    project: str = Field("nba-props-platform", description="the GCP project")
    region: str = Field("us-west2", description="the GCP region of the services (a known Google Cloud region)")
    timezone: str = Field(
        "America/New_York", description="the zone of every time for people, deadlines and `--at` clock times"
    )
    data_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)),
        description="the local backend's data (`--data-dir`)",
        json_schema_extra={"shown_default": "~/.local/share/nba-console (the user data directory)"},
    )
    state_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_state_dir(APP_NAME)),
        description="the audit, the run lock, the watch's memory and the theme: made 0700, refused if others may write",
        json_schema_extra={"shown_default": "~/.local/state/nba-console (the user state directory)"},
    )
    read_only: bool = Field(
        False,
        description="change nothing of the platform or its data: no playbook, deploy or data load (`--read-only`)",
    )
    refresh_seconds: float = Field(
        60.0, ge=1, le=86400, description="the console refreshes each check this long after its last refresh ended"
    )
    grading_due: time = Field(
        time(9, 0), description="deprecated spelling of deadlines.grading (read when set and deadlines.grading is not)"
    )
    # The handoff's timeline: Phase 3 runs 7:00-8:00 ET, grading results 8:00-9:00 ET.
    deadlines: Deadlines = Deadlines()
    tables: Tables = Tables()
    processors: list[Processor] = Field(
        DEFAULT_PROCESSORS, description="the Phase 3 processors and their levels (the handoff's five by default)"
    )
    services: Services = Services()
    log_patterns: LogPatterns = LogPatterns()
    thresholds: Thresholds = Thresholds()
    gcp: GcpSettings = GcpSettings()
    logs: LogsSettings = LogsSettings()
    playbooks: PlaybookSettings = PlaybookSettings()
    keys: dict[str, str] = Field(
        {}, description='binding id (the ids of the `?` screen) -> key(s), e.g. {"refresh": "ctrl+r,f5"}'
    )
    tui: TuiSettings = TuiSettings()
    serve: ServeSettings = ServeSettings()
    history: HistorySettings = HistorySettings()
    notify: list[NotifyChannel] = Field([], description="the channels `watch` alerts on (`[[notify]]`, below)")
    watch: WatchSettings = WatchSettings()
    local: LocalSettings = LocalSettings()
    team: TeamSettings = TeamSettings()

    @field_validator("*", mode="before")
    @classmethod
    def _strict_types(cls, value: Any, info: ValidationInfo) -> Any:
        # No `true` for a number, no number for a time of day (config_checks.strict_scalar).
        return strict_scalar(cls, info.field_name, value)

    @field_validator("data_dir", "state_dir", mode="before")
    @classmethod
    def _paths_not_empty(cls, value: Any) -> Any:
        return non_empty_path(value)

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
    def tz(self) -> ZoneInfo:
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

        class SourcedSettings(BaseSettings, Settings):  # type: ignore[metaclass]  # _SettingsMeta derives from pydantic's own metaclass at run time; mypy cannot see it
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
    env = os.environ.get(CONFIG_ENV)
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
