"""Errors from outside (a data source, a file, a command), each with one user-facing message."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class ErrorKind(str, Enum):
    AUTH = "auth"
    PERMISSION = "permission"
    NOT_FOUND = "not_found"
    QUOTA = "quota"
    TIMEOUT = "timeout"
    TOO_EXPENSIVE = "too_expensive"
    MALFORMED = "malformed"
    UNAVAILABLE = "unavailable"
    NO_DATA = "no_data"


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first line of an exception's message (its `.message` where it has one), for a
    one-line panel or CLI error; the exception's type when it says nothing."""
    text = str(getattr(exc, "message", None) or exc).strip()
    return text.splitlines()[0][:limit] if text else type(exc).__name__


# Kinds worth retrying automatically; the rest need a person.
RETRYABLE = {ErrorKind.QUOTA, ErrorKind.TIMEOUT, ErrorKind.UNAVAILABLE}


class SourceError(Exception):
    """A data source could not answer. ``str()`` is the message shown on the panel."""

    def __init__(self, kind: ErrorKind, message: str):
        super().__init__(message)
        self.kind = kind

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


class ScenarioError(Exception):
    """A scenario file is malformed: names the path, the line and the reason."""

    def __init__(self, path: str, reason: str, line: int | None = None):
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")
        self.path, self.line, self.reason = path, line, reason


def validation_line(exc: ValidationError) -> str:
    """A pydantic ValidationError as one line: the first problem's key and message, and how
    many more there are (pydantic's own text is several lines per problem)."""
    errors = exc.errors()
    if not errors:
        return first_line(exc)
    err = errors[0]
    key = ".".join(str(p) for p in err.get("loc", ())) or "(document)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{key}: {message}{more}"


def skipped_note(count: int) -> str:
    """What a check, `tail` and the log screen say about malformed input they stepped over."""
    return f"{count} malformed {'entry' if count == 1 else 'entries'} skipped"
