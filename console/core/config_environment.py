"""The environment variables the console reads that are not settings, declared once.

Settings come from `NBA_CONSOLE_<KEY>` variables by the settings model's own rule (nested keys
joined by `__`); every other variable the code reads is named here, with what it does, and read
through the constant (tests/unit/core/test_config_environment.py scans the code for any other).
`nba-console config --reference` lists them (docs/configuration.md), and the config loader
does not take the `NBA_CONSOLE_` ones for misspelt settings (config_errors.OTHER_VARIABLES).
"""

from __future__ import annotations

from typing import NamedTuple


class EnvVar(NamedTuple):
    name: str
    purpose: str


CONFIG_ENV = "NBA_CONSOLE_CONFIG"
CACHE_DIR_ENV = "NBA_CONSOLE_CACHE_DIR"
SERVE_TOKEN_ENV = "NBA_CONSOLE_SERVE_TOKEN"
LOGGING_ENDPOINT_ENV = "NBA_CONSOLE_LOGGING_ENDPOINT"
LOGGING_GRPC_ENV = "NBA_CONSOLE_LOGGING_GRPC"
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
BIGQUERY_EMULATOR_ENV = "BIGQUERY_EMULATOR_HOST"
FIRESTORE_EMULATOR_ENV = "FIRESTORE_EMULATOR_HOST"
GRPC_DNS_RESOLVER_ENV = "GRPC_DNS_RESOLVER"
NO_COLOR_ENV = "NO_COLOR"

ENVIRONMENT: tuple[EnvVar, ...] = (
    EnvVar(CONFIG_ENV, "the config file to read instead of `./nba-console.toml` and the user config directory's"),
    EnvVar(
        CACHE_DIR_ENV,
        "where transpiled SQL is kept (default: the user cache directory's `nba-console/sql`); deleting it is safe",
    ),
    EnvVar(
        SERVE_TOKEN_ENV,
        "`serve`: a fixed token (16+ characters, e.g. from Secret Manager) instead of a random one; "
        "then never printed, and the consoles do not inherit it",
    ),
    EnvVar(
        CREDENTIALS_ENV,
        "gcp: a service-account or authorized-user JSON key instead of Application Default Credentials; "
        "one that is missing, unreadable or cannot sign is refused with its path",
    ),
    EnvVar(BIGQUERY_EMULATOR_ENV, "gcp: `host:port` of a BigQuery emulator (anonymous credentials)"),
    EnvVar(FIRESTORE_EMULATOR_ENV, "gcp: `host:port` of a Firestore emulator (read by google-cloud-firestore)"),
    EnvVar(
        LOGGING_ENDPOINT_ENV,
        "gcp: `http://host:port` of a Cloud Logging stand-in (HTTP `entries:list`; tests/emulators/logging_server.py)",
    ),
    EnvVar(LOGGING_GRPC_ENV, "gcp: `host:port` of a plaintext gRPC server for the TailLogEntries stream (tests)"),
    EnvVar(
        GRPC_DNS_RESOLVER_ENV,
        "gRPC's resolver; the console sets `native` unless it is set, so a name that does not resolve fails at once",
    ),
    EnvVar(
        "XDG_DATA_HOME", "the user data directory, whose `nba-console` holds the local backend's data (platformdirs)"
    ),
    EnvVar(
        NO_COLOR_ENV,
        "any non-empty value: no colour (https://no-color.org); statuses read by word, glyph, weight and inversion",
    ),
    EnvVar("XDG_STATE_HOME", "the user state directory, whose `nba-console` is the default `state_dir` (platformdirs)"),
    EnvVar("XDG_CONFIG_HOME", "the user config directory, whose `nba-console/nba-console.toml` is read (platformdirs)"),
    EnvVar("XDG_CACHE_HOME", "the user cache directory, where transpiled SQL is kept (platformdirs)"),
)
