"""Where the configuration comes from, without loading it: the config file's name and place,
the default zone, and whether anything is configured at all. Free of pydantic, so a command
that needs only the zone (`logs search` printing lines) does not pay the settings model's
import (~0.1 s of CPU) when nothing is configured; config.py builds on the same names."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "nba-console"
CONFIG_FILE_NAME = "nba-console.toml"
DEFAULT_TIMEZONE = "America/New_York"
ENV_PREFIX = "NBA_CONSOLE_"


def find_config_file(explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        return explicit
    from console.core.config_environment import CONFIG_ENV

    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    import platformdirs

    for candidate in (Path.cwd() / CONFIG_FILE_NAME, Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILE_NAME):
        # Anything by that name: a directory (or a dangling symlink) there is a mistake to
        # refuse, not a file to skip in silence.
        if os.path.lexists(candidate):
            return candidate
    return None


def nothing_configured(config_file: Path | None = None) -> bool:
    """No config file (named or found) and no NBA_CONSOLE_* variable of any kind: the settings
    are the model's defaults (load_settings could find nothing to refuse, nothing to change)."""
    if any(var.upper().startswith(ENV_PREFIX) for var in os.environ):
        return False
    return find_config_file(config_file) is None
