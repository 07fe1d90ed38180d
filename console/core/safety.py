"""The one safety gate every mutating path goes through, and the parameter validators.

What read-only means (`--read-only` or `read_only = true`; docs/playbooks.md, Safety): the
console changes nothing of the platform and nothing of the data it reads. Closed are every
playbook run and step, the deploy state, Phase 3 documents and tables (`local load`,
`seed-demo`, the demo's first seeding); each of those calls `check_writable` first, in the
CLI, the TUI and the executors alike. Not gated: the console's own memory in its state
directory (the watch's state and outbox, the UI state) and a file the user names for output
(`report -o`, `watch --report-dir`, `local export DIR`). So a read-only watch still
remembers what it told and alerts, which is how the production recipes (docs/operations.md) run it.

Validators refuse anything that is not exactly the expected shape, so a value can never
smuggle a second command in (and argv lists never meet a shell anyway).
"""

from __future__ import annotations

import re

from console.core.config import Settings


class ReadOnlyError(Exception):
    """A mutating action was asked for while the console is read-only."""


class UnsafeParameter(ValueError):
    """A playbook parameter that does not have the shape it must have."""


COMMIT_RE = re.compile(r"[0-9a-f]{7,40}")
# GCP region names: a continent prefix, a direction, a digit (us-west2, europe-west1, me-central2).
REGION_RE = re.compile(r"(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-[a-z]+[1-9][0-9]?")
ENV_KEY_RE = re.compile(r"[A-Z_][A-Z0-9_]{0,127}")
# No comma (gcloud's separator for --update-env-vars), no quote, no whitespace, no shell meta.
ENV_VALUE_RE = re.compile(r"[A-Za-z0-9_.:/@+-]{0,256}")
SOURCE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]{0,255}")


def check_writable(settings: Settings, what: str) -> None:
    """Raise ReadOnlyError when the console is read-only. `what` names the refused action."""
    if settings.read_only:
        raise ReadOnlyError(f"read-only mode: refusing to {what} (drop --read-only / read_only = true to allow it)")


def check_team_writable(settings: Settings, what: str) -> None:
    """Raise ReadOnlyError when a person's team record (an ack, a note) may not be written."""
    if settings.read_only:
        raise ReadOnlyError(
            f"read-only mode: refusing to {what} (acknowledgements and notes are team records; "
            "a read-only console shows them and writes none)"
        )


def is_writable(settings: Settings) -> bool:
    return not settings.read_only


def clip(value: object, limit: int = 80) -> str:
    """A value as it may appear in a message: cut, with its length, when long."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def validate_commit(value: object) -> str:
    text = str(value)
    if not COMMIT_RE.fullmatch(text):
        raise UnsafeParameter(f"commit {clip(text)!r} is not 7 to 40 lowercase hex digits")
    return text


def validate_region(value: object) -> str:
    text = str(value)
    if not REGION_RE.fullmatch(text):
        raise UnsafeParameter(f"region {clip(text)!r} is not a GCP region (like us-west2)")
    return text


def validate_service(settings: Settings, value: object, kind: str | None = None) -> str:
    """A Cloud Run service (`kind="run"`), a function (`"function"`) or either, from the config."""
    text = str(value)
    found = settings.services.kind_of(text)
    if found is None:
        known = ", ".join(settings.services.cloud_run + settings.services.functions)
        raise UnsafeParameter(f"{clip(text)!r} is not a service the config knows ({known})")
    if kind is not None and found != kind:
        label = "Cloud Run service" if kind == "run" else "Cloud Function"
        raise UnsafeParameter(f"{clip(text)!r} is not a {label}")
    return text


def validate_env(env: object) -> dict[str, str]:
    if not isinstance(env, dict) or not env:
        raise UnsafeParameter("env must be a non-empty table of NAME = value")
    out: dict[str, str] = {}
    for key, value in env.items():
        if isinstance(value, bool):  # TOML true/false -> the strings the service reads
            value = "true" if value else "false"
        key, value = str(key), str(value)
        if not ENV_KEY_RE.fullmatch(key):
            raise UnsafeParameter(f"environment variable name {clip(key)!r} is not UPPER_SNAKE_CASE")
        if not ENV_VALUE_RE.fullmatch(value):
            raise UnsafeParameter(
                f"environment value {clip(value)!r} for {clip(key)} has characters that are not allowed"
            )
        out[key] = value
    return out


def validate_source(value: object) -> str:
    """A function's source directory, relative to the platform checkout and inside it."""
    text = str(value)
    if not SOURCE_RE.fullmatch(text) or ".." in text.split("/"):
        raise UnsafeParameter(f"source {clip(text)!r} must be a relative path inside the platform checkout")
    return text
