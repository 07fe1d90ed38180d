"""The phase3_completion/{processing_date} document and what each processor field of it says.

A processor is complete only with the record the platform writes when it finished:
`{"status": "success", "completed_at": <time>, "record_count": <n>, ...}` (the orchestrator
adds fields such as `correlation_id`; they are kept). `completed_at` is a Firestore
timestamp on gcp and an RFC 3339 string in a local scenario; both arrive here as a time.

Every other field value is one of two things, and is named with why:
- a record that is not a completion: a readable record whose status is not `success`
  (`status 'queued'`, `status 'FAILED'`, `status 'partial'`); `failed`/`error` in any case
  fail the check.
- malformed: not a record at all (`null`, `false`, `"nope"`, a list), no status, a status
  that is not text, `success` without its `completed_at`, a field of the wrong type.

Nothing here knows about a backend or a screen.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, model_validator

from console.core.timestamps import Timestamp

COMPLETE_STATUS = "success"
FAILED_STATUSES = frozenset({"failed", "error"})  # compared case-insensitively
SHOWN_CHARS = 40  # a value quoted in a problem: enough to recognise, bounded for the panel


class ProcessorCompletion(BaseModel):
    """One processor's record as the platform writes it; extra fields are kept."""

    model_config = ConfigDict(extra="allow")

    status: StrictStr = Field(min_length=1)
    completed_at: Timestamp | None = None
    record_count: StrictInt | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _success_has_its_time(self) -> ProcessorCompletion:
        # The platform writes completed_at with every success: a success without one is not
        # its record, and counting it would make a verdict better than its evidence.
        if self.status == COMPLETE_STATUS and self.completed_at is None:
            raise ValueError("status 'success' without completed_at")
        return self

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE_STATUS and self.completed_at is not None

    @property
    def failed(self) -> bool:
        return self.status.casefold() in FAILED_STATUSES

    @property
    def problem(self) -> str | None:
        """Why this record is not a completion (None when it is one)."""
        return None if self.complete else f"status {shown(self.status)}"


class Phase3RecordError(ValueError):
    """A processor field that is not a record (loading a scenario refuses it)."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"{key}: {problem}")
        self.key, self.problem = key, problem


_LINE_BREAKS = str.maketrans({"\x85": "\\x85", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def shown(value: Any) -> str:
    """A value as it reads in a problem: JSON-like (`null`, `false`, `'nope'`, `[1, 2]`),
    control characters escaped, cut to SHOWN_CHARS."""
    if isinstance(value, str):
        text = repr(value[: SHOWN_CHARS + 1])
    elif value is None or isinstance(value, bool):
        text = {None: "null", True: "true", False: "false"}[value]
    elif isinstance(value, (int, float)):
        try:
            text = repr(value)[: SHOWN_CHARS + 1]
        except ValueError:  # an int past Python's digit limit for str()
            text = "a number too long to show"
    else:
        try:
            # JSON leaves NEL, LS and PS as they are, and str.splitlines() breaks on them: a
            # problem is always one line, so they are escaped as repr() would.
            text = orjson.dumps(value, default=str).decode().translate(_LINE_BREAKS)
        except (TypeError, orjson.JSONEncodeError):  # too deep, an int beyond 64 bits
            text = type(value).__name__
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


_IS_NOT = {
    "status": "is not text",
    "completed_at": "is not an RFC 3339 time in range",
    "record_count": "is not a count",
}


def _problem(value: dict[str, Any], exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = first.get("loc") or ()
    if not loc:  # the model's own rule (success without completed_at)
        return str(first.get("msg", "not a record")).removeprefix("Value error, ")
    name = str(loc[0])
    if first.get("type") == "missing":
        return f"no {name}"
    if name == "status" and value.get("status") == "":
        return "empty status"
    return f"{name} {shown(value.get(name))} {_IS_NOT.get(name, 'is invalid')}"


def read_entry(value: Any) -> tuple[ProcessorCompletion | None, str | None]:
    """One processor field: `(record, None)` when it is a record (complete or not), or
    `(None, problem)` when it is malformed. Never raises."""
    if not isinstance(value, dict):
        return None, f"{shown(value)} is not a record"
    try:
        return ProcessorCompletion.model_validate(value), None
    except ValidationError as exc:
        return None, _problem(value, exc)


class Phase3Document(BaseModel):
    """phase3_completion/{processing_date}: one field per processor, `_`-fields are metadata."""

    doc_id: str
    processors: dict[str, ProcessorCompletion]  # the records, complete or not
    metadata: dict[str, Any] = {}
    # Processor fields that are not records, with why (`null is not a record`, `no status`):
    # counted as not complete and named on the panel, in --json and in the drill-down.
    malformed: dict[str, str] = {}

    @classmethod
    def from_fields(cls, doc_id: str, fields: dict[str, Any], strict: bool = False) -> Phase3Document:
        """`strict` (loading a scenario): a processor field that is not a record raises
        Phase3RecordError naming its key. Otherwise (judging a live document) it is kept
        in `malformed`, so the rest of the document is still judged."""
        processors: dict[str, ProcessorCompletion] = {}
        metadata: dict[str, Any] = {}
        malformed: dict[str, str] = {}
        for key, value in fields.items():
            if key.startswith("_"):
                metadata[key] = value
                continue
            record, problem = read_entry(value)
            if record is not None:
                processors[key] = record
            elif strict:
                raise Phase3RecordError(key, problem or "not a record")
            else:
                malformed[key] = problem or "not a record"
        return cls(doc_id=doc_id, processors=processors, metadata=metadata, malformed=malformed)
