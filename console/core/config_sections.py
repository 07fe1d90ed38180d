"""The sections of the configuration (`[thresholds]`, `[gcp]`, `[watch]` ...): each key with its
default, bounds and description. The description is what `nba-console config --reference` prints
(docs/configuration.md), so a key is documented where it is declared. Split from config.py
(modules under ~400 lines); config.py assembles them into Settings and re-exports them."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from console.core.config_checks import channel_problem, check_theme
from console.core.config_platform import Section


def non_empty_path(value: Any) -> Any:
    # Path("") is the current directory: an empty NBA_CONSOLE_DATA_DIR must not mean "here".
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be empty (an empty path would mean the current directory)")
    return value


class Thresholds(Section):
    """The handoff's numbers. Percentages are 0-100."""

    grading_trigger_pct: float = Field(
        80.0,
        ge=0,
        le=100,
        description="phase3-to-grading triggers grading at this coverage: the Grading coverage check is ok at or "
        "above it, and fails under it from the grading deadline on",
    )
    coverage_monitor_pct: float = Field(
        70.0,
        ge=0,
        le=100,
        description="grading-coverage-monitor alerts below this coverage; not above grading_trigger_pct",
    )
    usage_rate_target_pct: float = Field(
        90.0,
        ge=0,
        le=100,
        description="the Usage-rate coverage check warns under this share of active players with a usage rate",
    )
    usage_rate_max_pct: float = Field(
        100.0, ge=1, le=100, description="a usage rate above this is impossible: the Usage-rate coverage check fails"
    )
    dnp_pollution_max_pct: float = Field(
        0.0,
        ge=0,
        le=100,
        description="the DNP pollution check fails above this share of DNP rows in the game date's cache",
    )
    dnp_window_days: int = Field(
        2,
        ge=1,
        le=31,
        description="cache dates shown as the DNP pollution check's history (the handoff reports Feb 2-3 together)",
    )
    phase3_processors: int = Field(5, ge=1, le=100, description="Phase 3 processors expected complete")
    expected_games: int = Field(7, ge=0, le=100, description="games expected (the expected metrics)")
    expected_predictions: int = Field(
        759, ge=0, le=1_000_000, description="predictions expected (the expected metrics, grading's value)"
    )
    prediction_systems: int = Field(8, ge=1, le=100, description="prediction systems expected (the expected metrics)")
    drift_warn_days: float = Field(
        1.0,
        ge=0,
        le=3650,
        description="the Deployment drift check warns when a service is more days behind head than this",
    )
    drift_fail_days: float = Field(
        7.0,
        ge=0,
        le=3650,
        description="the Deployment drift check fails beyond this many days; not below drift_warn_days",
    )

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

    player_game_summary: str = Field(
        "nba_analytics.player_game_summary", description="Phase 3 player rows: usage rates, DNP flags"
    )
    player_daily_cache: str = Field("nba_precompute.player_daily_cache", description="Phase 4's player_daily_cache")
    player_prop_predictions: str = Field(
        "nba_predictions.player_prop_predictions", description="the predictions of every system"
    )
    prediction_accuracy: str = Field("nba_predictions.prediction_accuracy", description="the graded predictions")

    @field_validator("*")
    @classmethod
    def _qualified(cls, value: str) -> str:
        parts = value.split(".")
        if len(parts) not in (2, 3) or not all(p.replace("_", "").replace("-", "").isalnum() for p in parts):
            raise ValueError("must be 'dataset.table' (or 'project.dataset.table') of letters, digits, _ and -")
        return value


class LogsSettings(Section):
    """The log screen and `tail`."""

    buffer_entries: int = Field(
        100_000, ge=1, le=10_000_000, description="entries the log screen keeps; older ones are dropped and counted"
    )
    poll_seconds: float = Field(0.2, ge=0.01, le=3600, description="local follow interval")
    gcp_poll_seconds: float = Field(
        5.0,
        ge=1,
        le=3600,
        description="Cloud Logging polling interval where the live tail is refused (its read quota is per minute)",
    )
    sql_row_limit: int = Field(
        10_000,
        ge=1,
        le=1_000_000,
        description="rows a SQL query over log entries shows (`;` on the log screen, `logs search --sql`)",
    )
    sql_timeout_s: float = Field(
        10.0, ge=0.1, le=3600, description="the deadline after which a SQL query over log entries is interrupted"
    )
    sql_memory_mb: int = Field(
        512, ge=64, le=65_536, description="DuckDB's memory limit for the table of log entries and the query"
    )


class GcpSettings(Section):
    """The gcp backend: the byte cap, the one deadline per check, the platform checkout."""

    maximum_bytes_billed: int = Field(
        1 << 30,
        ge=1,
        le=1 << 50,
        description="a query whose dry run is over this (bytes) is refused; set on the job too",
    )
    query_timeout_s: float = Field(
        60.0, ge=1, le=3600, description="one deadline for everything a check reads: connecting, retries and fetch"
    )
    platform_checkout: Path | None = Field(
        None, description="the nba-props-platform git checkout: deployment drift's history, where playbooks run"
    )
    # Back-off after 429 / quota / unavailable (Cloud Logging reads, the Firestore listener).
    retry_attempts: int = Field(
        4, ge=1, le=10, description="attempts after 429 / unavailable (Cloud Logging reads, the Firestore listener)"
    )
    retry_initial_s: float = Field(1.0, ge=0.01, le=600, description="first back-off; it doubles")

    @field_validator("platform_checkout", mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        return non_empty_path(value)


class Deadlines(Section):
    """When the morning's work is overdue: clock times in the configured zone on the
    processing date. After them, on a date that had games, what has not happened fails."""

    phase3: time = Field(time(9, 0), description="all Phase 3 processors complete, Level lines in the logs")
    grading: time = Field(time(9, 0), description="grading coverage at or above the trigger")


class TuiSettings(Section):
    """The console screen: theme and how a failing source is retried."""

    theme: str = Field(
        "textual-dark",
        description="one of Textual's themes; one chosen with ctrl+p is remembered in the state directory and wins",
    )
    bell: bool = Field(False, description="ring the terminal bell when a check changes status")
    retry_base_seconds: float = Field(5.0, ge=0.1, le=86400, description="first retry after a failed refresh")
    retry_max_seconds: float = Field(300.0, ge=0.1, le=86400, description="the retries double up to this")

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, value: str) -> str:
        return check_theme(value)


class HistorySettings(Section):
    """`nba-console history` and the history screen."""

    days: int = Field(14, ge=1, le=366, description="game dates shown by default, ending at the latest one")
    max_days: int = Field(
        28, ge=1, le=366, description="the most dates one history may ask for (the cost grows with the days)"
    )
    # The end of the morning window: the deploys of that morning, not today's.
    drift_at: time = Field(
        time(11, 0),
        description="a past date's deployment drift is judged as of this time (in `timezone`) on its processing date",
    )


class LocalSettings(Section):
    """The embedded backend's loads (`local load`, `seed-demo`)."""

    max_file_mb: float = Field(
        1024.0, ge=0.001, le=1_000_000, description="a scenario file larger than this is refused"
    )
    lock_timeout_s: float = Field(60.0, ge=0, le=86400, description="a second load waits this long, then is refused")
    keep_previous_s: float = Field(
        0.0,
        ge=0,
        le=30 * 86400,
        description="how long a replaced generation stays for a console still reading it; the first load after "
        "that removes it (0: at once)",
    )


class PlaybookSettings(Section):
    """How playbooks run: timeouts, the run lock and the audit log's output tail."""

    step_timeout_s: float = Field(
        900.0, ge=0.1, le=86400, description="a step running longer is stopped (a Cloud Run deploy takes minutes)"
    )
    lock_ttl_s: float = Field(
        3600.0,
        ge=0.5,
        le=7 * 86400,
        description="a run lock not refreshed for this long is stale (its owner died); above step_timeout_s",
    )
    lock_collection: str = Field("nba_console_locks", description="Firestore collection of the gcp run lock")
    firestore_lock: bool = Field(
        True, description="on gcp, also lock in Firestore, so two operators on two machines cannot run at once"
    )
    output_tail_lines: int = Field(40, ge=1, le=1000, description="lines of a step's output kept in the audit")
    kill_grace_s: float = Field(
        1.0, ge=0.01, le=10, description="SIGTERM to a cancelled step's process group, then SIGKILL after this"
    )

    @model_validator(mode="after")
    def _step_fits_in_the_lease(self) -> PlaybookSettings:
        # A step that may outlive the lease would let another run take the lock mid-step.
        if self.step_timeout_s >= self.lock_ttl_s:
            raise ValueError(f"step_timeout_s ({self.step_timeout_s:g}) must be below lock_ttl_s ({self.lock_ttl_s:g})")
        return self


class ServeSettings(Section):
    """`nba-console serve`: the console in a browser, one console process per viewer."""

    max_sessions: int = Field(8, ge=1, le=64, description="concurrent viewers; the next one is refused (503)")
    idle_minutes: float = Field(
        30.0, ge=0.1, le=7 * 24 * 60, description="a viewer with no key, mouse or resize for this long is ended"
    )
    quit_grace_s: float = Field(
        5.0, ge=0.1, le=600, description="a console that has not quit this long after being asked is killed"
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s?#]+$",
        description="where the team opens `serve` (https://console.example.com/): alerts then carry a link "
        "`?date=…&check=…&drill=1` (never the token)",
    )


class NotifyChannel(Section):
    """One `[[notify]]` entry. Secrets live in environment variables named here, never in the file."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$", description="what `--notify` and `watch.notify` call it")
    kind: Literal["slack", "webhook", "command", "stdout"] = Field(
        description="a Slack incoming webhook, a POST of the JSON, a command given the JSON on stdin, or stdout"
    )
    url_env: str | None = Field(None, description="slack / webhook: the environment variable holding the URL")
    secret_env: str | None = Field(
        None,
        description="webhook: the environment variable holding an HMAC-SHA256 key; "
        "the signature goes in X-Nba-Console-Signature",
    )
    command: list[str] = Field([], description="command: its argv (never a shell string); the JSON on stdin")
    timeout_s: float = Field(
        10.0, ge=0.1, le=300, description="one attempt (an HTTP request, or the command, killed after it)"
    )

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

    every: timedelta = Field(timedelta(minutes=5), description="how often the checks run (1 s to a day)")
    until: time = Field(time(11, 0), description="end of the morning window in `timezone`: the summary, then exit")
    remind_every: timedelta = Field(timedelta(hours=1), description="a reminder while a check stays `fail`")
    error_repeat_after: timedelta = Field(
        timedelta(minutes=30), description="an `error` is told again only when it lasts past this"
    )
    retry_attempts: int = Field(4, ge=1, le=10, description="per message: 429, 5xx, timeouts, refused connections")
    retry_initial_s: float = Field(1.0, ge=0.01, le=600, description="first back-off; it doubles")
    retry_max_wait_s: float = Field(30.0, ge=0.01, le=3600, description="the cap on one back-off, Retry-After included")
    outbox_runs: int = Field(
        3, ge=1, le=1000, description="runs an undelivered message is retried on before it is dropped"
    )
    report_dir: Path | None = Field(None, description="where the end-of-morning Markdown report is written")
    notify: list[str] = Field([], description="channels used when `--notify` is not given (default: all)")
    heartbeat_url_env: str | None = Field(
        None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="the environment variable holding a dead-man's-switch URL (healthchecks.io, Cronitor, "
        "Opsgenie): pinged after each completed run (`--heartbeat-url` wins)",
    )
    heartbeat_timeout_s: float = Field(10.0, ge=0.1, le=120, description="one heartbeat ping at most; never retried")

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
