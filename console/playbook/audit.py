"""Append-only JSONL audit log of playbook runs, and what a run's records say about it.

Each record is one line written with O_APPEND and fsync'd before the call returns, so a
record written before a step survives a kill during that step. A torn last line (a kill
mid-write) is skipped when reading.
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

AUDIT_FILE = "audit.jsonl"


def operator(gcloud_account: str | None = None) -> dict[str, Any]:
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry in some containers
        user = str(os.getuid())
    return {"user": user, "host": socket.gethostname(), "pid": os.getpid(), "gcloud_account": gcloud_account}


class AuditLog:
    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / AUDIT_FILE

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        record = {"ts": datetime.now(timezone.utc).isoformat(), **record}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = orjson.dumps(record, default=str) + b"\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        return record

    def records(self, run_id: str | None = None) -> list[dict[str, Any]]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        out = []
        for line in data.splitlines():
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # a torn line from a killed writer
            if isinstance(rec, dict) and (run_id is None or rec.get("run_id") == run_id):
                out.append(rec)
        return out

    def runs(self) -> list["RunSummary"]:
        by_id: dict[str, list[dict[str, Any]]] = {}
        for rec in self.records():
            if rec.get("run_id"):
                by_id.setdefault(rec["run_id"], []).append(rec)
        return sorted((summarize(rid, recs) for rid, recs in by_id.items()), key=lambda r: r.started or "")

    def run(self, run_id: str) -> "RunSummary | None":
        recs = self.records(run_id)
        return summarize(run_id, recs) if recs else None


@dataclass
class RunSummary:
    run_id: str
    playbook: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    operator: dict[str, Any] = field(default_factory=dict)
    backend: str = ""
    started: str | None = None
    ended: str | None = None
    status: str = "interrupted"  # no run_end record: killed or crashed mid-run
    total_steps: int = 0
    done: set[int] = field(default_factory=set)  # steps that finished ok or were skipped
    dry_run: bool = False

    @property
    def next_step(self) -> int | None:
        """The first unfinished step: where a resume starts."""
        return next((i for i in range(self.total_steps) if i not in self.done), None)

    @property
    def resumable(self) -> bool:
        return self.status in ("interrupted", "failed", "aborted", "declined") and self.next_step is not None


def summarize(run_id: str, records: list[dict[str, Any]]) -> RunSummary:
    s = RunSummary(run_id=run_id)
    for rec in records:
        event = rec.get("event")
        if event in ("run_start", "run_resume"):
            s.playbook = rec.get("playbook", s.playbook)
            s.params = rec.get("params", s.params)
            s.operator = rec.get("operator", s.operator)
            s.backend = rec.get("backend", s.backend)
            s.total_steps = rec.get("total_steps", s.total_steps)
            s.dry_run = bool(rec.get("dry_run", False))
            s.started = s.started or rec.get("ts")
            s.status, s.ended = "interrupted", None
        elif event == "step_end" and rec.get("ok"):
            s.done.add(rec["step"])
        elif event == "step_skipped":
            s.done.add(rec["step"])
        elif event == "run_end":
            s.status, s.ended = rec.get("status", "unknown"), rec.get("ts")
    return s
