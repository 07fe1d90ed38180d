"""Append-only JSONL audit log of playbook runs, and what a run's records say about it.

Each record is one line written with O_APPEND and fsync'd before the call returns, so a
record written before a step survives a kill during that step. A write that fails raises
`AuditWriteError`: the engine runs no step whose "before" record is not on disk.

A torn last line (a writer killed mid-line, a disk that filled, `printf garbage >>`) heals:
the next writer finds the file not ending in a newline and ends the line before its record
(`ended_torn_line` in that record, counted in `torn_lines_ended`), so the torn line never
swallows the next run's `run_start`.

Reading never raises: every line is validated (`AuditRecord`, pydantic) and a line that is
not JSON, not an object or not a valid record of its event is skipped and counted, with its
line number and the reason (`AuditRead.bad`); an unreadable file is `AuditRead.error`. A
record glued to a torn line by a writer that did not end it is still read (the torn part is
counted as skipped).
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from console.core.redaction import mask_tree
from console.core.safefile import private_dir

AUDIT_FILE = "audit.jsonl"
FILE_MODE = 0o600
KEPT_AS_WRITTEN = frozenset(
    {
        "ts",
        "run_id",
        "event",
        "playbook",
        "argv",
        "plan",
        "params",
        "operator",
        "config_fingerprint",
        "backend",
        "project",
        "step",
        "total_steps",
    }
)
RECORD_START = b'{"ts":'  # append() writes `ts` first: how a record glued to a torn line is found


class AuditWriteError(Exception):
    """The audit could not be written; the message names the file and the reason."""


def operator(gcloud_account: str | None = None) -> dict[str, Any]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers (KeyError before 3.13, OSError since)
        user = str(os.getuid())
    return {"user": user, "host": socket.gethostname(), "pid": os.getpid(), "gcloud_account": gcloud_account}


Event = Literal[
    "run_start",
    "run_resume",
    "run_end",
    "step_start",
    "step_proc",
    "step_end",
    "step_declined",
    "step_decision",
    "step_skipped",
    "step_reverified",
    "confirm_mismatch",
    "lock_lost",
    "run_unknown",
]
_NEEDS_STEP = {
    "step_start",
    "step_proc",
    "step_end",
    "step_declined",
    "step_decision",
    "step_skipped",
    "step_reverified",
    "confirm_mismatch",
}


class AuditRecord(BaseModel):
    """What a reader relies on; other fields are kept as they are."""

    model_config = ConfigDict(extra="allow")

    ts: AwareDatetime
    run_id: str = Field(min_length=1)
    event: Event
    playbook: str | None = None
    step: StrictInt | None = Field(None, ge=0)
    ok: StrictBool | None = None
    outcome: Literal["ok", "failed", "unknown"] | None = None
    total_steps: StrictInt | None = Field(None, ge=0)
    params: dict[str, str] | None = None
    operator: dict[str, Any] | None = None
    argv: list[str] | None = None
    status: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> AuditRecord:
        if self.event in _NEEDS_STEP and self.step is None:
            raise ValueError(f"{self.event} without a step")
        if self.event == "step_end" and self.ok is None:
            raise ValueError("step_end without ok")
        if self.event in ("run_start", "run_resume") and (
            self.total_steps is None or not self.playbook or self.params is None
        ):
            raise ValueError(f"{self.event} without playbook, params and total_steps")
        if self.event == "run_end" and not self.status:
            raise ValueError("run_end without a status")
        return self

    def get(self, key: str, default: Any = None) -> Any:
        value = getattr(self, key, None)
        if value is None:
            value = (self.model_extra or {}).get(key)
        return default if value is None else value

    def __getitem__(self, key: str) -> Any:
        return self.get(key)


@dataclass
class BadLine:
    line: int
    reason: str


@dataclass
class AuditRead:
    records: list[AuditRecord] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    error: str | None = None  # the file itself could not be read

    def problems(self) -> list[str]:
        out = [self.error] if self.error else []
        if self.bad:
            shown = "; ".join(f"line {b.line}: {b.reason}" for b in self.bad[:5])
            out.append(
                f"{len(self.bad)} unreadable audit line(s) skipped ({shown}{' ...' if len(self.bad) > 5 else ''})"
            )
        return out


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where + ': ' if where else ''}{first['msg']}"[:160]


def _glued_record(line: bytes) -> Any:
    """The record written right after a torn line by a writer that did not end it (an older
    console, another tool): every record starts with `{"ts":`, so the last such start that
    parses to the end of the line is that record. None when there is none."""
    start = len(line)
    while (start := line.rfind(RECORD_START, 0, start)) > 0:
        try:
            return orjson.loads(line[start:])
        except orjson.JSONDecodeError:
            continue
    return None


class AuditLog:
    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / AUDIT_FILE
        self.torn_lines_ended = 0  # torn last lines this writer found and ended (see append)

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        # Secrets never reach the file: output tails, errors, verifications and messages are
        # masked by kind (console/core/redaction.py); the command and its parameters are
        # kept as they ran (a resume renders the plan from them and compares).
        record = mask_tree({"ts": datetime.now(UTC).isoformat(), **record}, keep=KEPT_AS_WRITTEN)
        try:
            private_dir(self.path.parent)  # 0700, or refused when others may write it
            # Read-write only to look at the last byte; every write still goes to the end.
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, FILE_MODE)
            try:
                st = os.fstat(fd)
                if st.st_mode & 0o077:
                    os.fchmod(fd, FILE_MODE)  # created 0600 and kept so
                prefix = b""
                if st.st_size and os.pread(fd, 1, st.st_size - 1) != b"\n":
                    # A torn last line (a writer killed mid-line, a full disk, `printf x >>`):
                    # end it first, in the same write, so this record is a line of its own
                    # and readers skip only the torn one. Said in the record and counted.
                    prefix = b"\n"
                    self.torn_lines_ended += 1
                    record["ended_torn_line"] = True
                line = prefix + orjson.dumps(record, default=str) + b"\n"
                written = os.write(fd, line)
                if written != len(line):
                    raise OSError(f"short write ({written} of {len(line)} bytes)")
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise AuditWriteError(f"cannot write the audit {self.path}: {exc.strerror or exc}") from exc
        return record

    def read(self, run_id: str | None = None) -> AuditRead:
        out = AuditRead()
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return out
        except OSError as exc:
            out.error = f"cannot read the audit {self.path}: {exc.strerror or exc}"
            return out
        for number, line in enumerate(data.split(b"\n"), 1):  # the writer ends records with \n only
            if not line.strip():
                continue
            try:
                raw = orjson.loads(line)
            except orjson.JSONDecodeError:
                raw = _glued_record(line)
                out.bad.append(
                    BadLine(
                        number,
                        "not JSON (a torn or corrupted line)"
                        if raw is None
                        else "a torn line, the record glued after it still read",
                    )
                )
                if raw is None:
                    continue
            if not isinstance(raw, dict):
                out.bad.append(BadLine(number, "not a JSON object"))
                continue
            try:
                rec = AuditRecord.model_validate(raw)
            except ValidationError as exc:
                out.bad.append(BadLine(number, _reason(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - nothing in a line may raise out of the reader
                out.bad.append(BadLine(number, f"{type(exc).__name__}"))
                continue
            if run_id is None or rec.run_id == run_id:
                out.records.append(rec)
        return out

    def records(self, run_id: str | None = None) -> list[AuditRecord]:
        return self.read(run_id).records

    def runs(self, read: AuditRead | None = None) -> list[RunSummary]:
        read = read or self.read()
        by_id: dict[str, list[AuditRecord]] = {}
        for rec in read.records:
            by_id.setdefault(rec.run_id, []).append(rec)
        summaries = [summarize(rid, recs) for rid, recs in by_id.items()]
        return sorted((s for s in summaries if s.playbook), key=lambda r: r.started or "")

    def run(self, run_id: str) -> RunSummary | None:
        recs = self.records(run_id)
        summary = summarize(run_id, recs) if recs else None
        return summary if summary and summary.playbook else None


@dataclass
class RunSummary:
    run_id: str
    playbook: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    operator: dict[str, Any] = field(default_factory=dict)
    backend: str = ""
    project: str = ""
    fingerprint: str = ""
    plan: list[list[str]] = field(default_factory=list)
    started: str | None = None
    ended: str | None = None
    status: str = "interrupted"  # no run_end record: killed or crashed mid-run
    total_steps: int = 0
    done: set[int] = field(default_factory=set)  # steps that finished ok or were skipped
    unknown: set[int] = field(default_factory=set)  # started, outcome never recorded (or recorded unknown)
    open_step: int | None = None  # a step_start with no step_end after it
    dry_run: bool = False

    @property
    def next_step(self) -> int | None:
        """The first unfinished step: where a resume starts."""
        return next((i for i in range(self.total_steps) if i not in self.done), None)

    @property
    def resumable(self) -> bool:
        return (
            self.status in ("interrupted", "failed", "aborted", "declined", "audit_failed", "lock_lost", "error")
            and self.next_step is not None
        )


def summarize(run_id: str, records: list[AuditRecord]) -> RunSummary:
    s = RunSummary(run_id=run_id)
    for rec in records:
        event = rec.event
        if event in ("run_start", "run_resume"):
            s.playbook = rec.playbook or s.playbook
            s.params = dict(rec.params or {})
            s.operator = dict(rec.operator or s.operator)
            s.backend = str(rec.get("backend", s.backend))
            s.project = str(rec.get("project", s.project))
            s.fingerprint = str(rec.get("config_fingerprint", s.fingerprint))
            plan = rec.get("plan")
            if isinstance(plan, list) and all(isinstance(a, list) for a in plan):
                s.plan = [[str(x) for x in a] for a in plan]
            s.total_steps = rec.total_steps or 0
            s.dry_run = bool(rec.get("dry_run", False))
            s.started = s.started or rec.ts.isoformat()
            s.status, s.ended = "interrupted", None
        elif event == "run_end":
            s.status, s.ended = rec.status or "unknown", rec.ts.isoformat()
        elif rec.step is None:
            continue  # the events below carry their step (AuditRecord._complete refuses one without)
        elif event == "step_start":
            s.open_step = rec.step
            s.done.discard(rec.step)
        elif event == "step_end":
            s.open_step = None
            if rec.ok:
                s.done.add(rec.step)
                s.unknown.discard(rec.step)
            elif rec.outcome == "unknown":
                s.unknown.add(rec.step)
        elif event in ("step_skipped", "step_reverified"):
            s.done.add(rec.step)
            s.unknown.discard(rec.step)
    if s.open_step is not None:
        s.unknown.add(s.open_step)  # the console died (or the audit failed) during this step
    return s
