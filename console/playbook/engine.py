"""Runs a playbook step by step: pre-flight, show, confirm, run, verify, audit.

Pure and synchronous: the CLI calls it directly, the TUI from a worker thread. Everything
that needs a person (confirmations, what to do after a failure) is a callback, so the same
loop serves both and tests drive it with plain functions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable

from .. import safety
from ..config import Settings
from . import model
from .actions import RenderedStep
from .audit import AuditLog, operator
from .executors import Check, StepResult, make_executor
from .lock import RunLock, default_lock, make_owner


class Decision(str, Enum):
    RETRY = "retry"
    SKIP = "skip"
    ABORT = "abort"


def _never(step: RenderedStep) -> bool:
    return False


@dataclass
class Callbacks:
    """What the engine asks a person. Defaults refuse everything, so a forgotten callback
    cannot run a command."""

    confirm: Callable[[RenderedStep], bool] = _never
    # Dangerous steps: return what the operator typed; it must equal step.target.
    type_target: Callable[[RenderedStep], str | None] = lambda step: None
    on_failure: Callable[[RenderedStep, StepResult, str], Decision] = lambda step, result, why: Decision.ABORT
    on_line: Callable[[RenderedStep, str, str], None] = lambda step, stream, line: None
    # ("preflight", {"checks": [...]}), ("step_start", {...}), ("step_end", {...}), ("run_end", {...})
    on_event: Callable[[str, dict[str, Any]], None] = lambda event, data: None


@dataclass
class RunOutcome:
    run_id: str
    status: str  # completed, failed, aborted, declined, preflight_failed
    message: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "completed"


def dry_run(playbook: model.Playbook, settings: Settings, params: dict[str, str] | None = None) -> list[RenderedStep]:
    """The whole plan with its exact commands. Touches nothing: no lock, no audit, no executor."""
    return playbook.render(settings, params)


class Runner:
    def __init__(self, settings: Settings, *, executor=None, backend=None, callbacks: Callbacks | None = None,
                 assume_yes: bool = False, lock: RunLock | None = None, audit: AuditLog | None = None,
                 playbooks_dir=None):
        self.settings = settings
        self.executor = executor if executor is not None else make_executor(settings, backend)
        self.callbacks = callbacks or Callbacks()
        self.assume_yes = assume_yes
        self.audit = audit or AuditLog(settings.state_dir)
        self.lock = lock or default_lock(settings)
        self.playbooks_dir = playbooks_dir

    # ---------------------------------------------------------------- entry points

    def run(self, name: str, params: dict[str, str] | None = None) -> RunOutcome:
        safety.check_writable(self.settings, f"run playbook {name}")
        book = model.get(name, self.playbooks_dir)
        plan = book.render(self.settings, params or {})  # refuses bad parameters before anything
        run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
        return self._run(book, plan, run_id, book.resolve_params(self.settings, params or {}), 0, resumed=False)

    def resume(self, run_id: str) -> RunOutcome:
        safety.check_writable(self.settings, f"resume run {run_id}")
        summary = self.audit.run(run_id)
        if summary is None:
            raise model.PlaybookError(f"no run {run_id} in {self.audit.path}")
        if not summary.resumable:
            raise model.PlaybookError(f"run {run_id} is {summary.status}; nothing to resume")
        book = model.get(summary.playbook, self.playbooks_dir)
        plan = book.render(self.settings, summary.params)
        if len(plan) != summary.total_steps:
            raise model.PlaybookError(f"playbook {book.name} changed since run {run_id} (steps differ); start a new run")
        return self._run(book, plan, run_id, summary.params, summary.next_step or 0, resumed=True)

    # ---------------------------------------------------------------- the loop

    def _record(self, event: str, run_id: str, book: model.Playbook, **data) -> None:
        self.audit.append({"event": event, "run_id": run_id, "playbook": book.name, **data})

    def _run(self, book, plan, run_id, params, start, resumed) -> RunOutcome:
        who = operator()
        owner = make_owner({**who, "run_id": run_id, "playbook": book.name}, self.settings.playbooks.lock_ttl_s)
        self.lock.acquire(owner)  # LockHeld propagates: nothing has run
        try:
            checks = list({(c.name, c.detail): c for c in self.executor.preflight(plan[start:])}.values())
            who["gcloud_account"] = getattr(self.executor, "account", None)
            self.callbacks.on_event("preflight", {"checks": checks})
            self._record("run_resume" if resumed else "run_start", run_id, book, params=params, operator=who,
                         backend=self.executor.name, total_steps=len(plan), start_step=start,
                         plan=[list(s.argv) for s in plan])
            failed = [c for c in checks if not c.ok]
            if failed:
                message = "pre-flight failed: " + "; ".join(f"{c.name}: {c.detail}" for c in failed)
                return self._end(book, run_id, "preflight_failed", message, [])
            done: list[dict[str, Any]] = []
            for step in plan[start:]:
                owner = make_owner({**who, "run_id": run_id, "playbook": book.name}, self.settings.playbooks.lock_ttl_s)
                self.lock.refresh(owner)
                status = self._step(book, run_id, step, params, who)
                done.append({"step": step.index, "title": step.title, "status": status})
                if status in ("aborted", "declined"):
                    return self._end(book, run_id, "declined" if status == "declined" else "failed",
                                     f"stopped at step {step.index + 1}: {step.title}", done)
            return self._end(book, run_id, "completed", f"{len(plan) - start} step(s) done", done)
        finally:
            self.lock.release(owner)

    def _end(self, book, run_id, status, message, steps) -> RunOutcome:
        self._record("run_end", run_id, book, status=status, message=message)
        self.callbacks.on_event("run_end", {"status": status, "message": message})
        return RunOutcome(run_id=run_id, status=status, message=message, steps=steps)

    def _confirmed(self, step: RenderedStep) -> bool:
        if self.assume_yes:
            return True
        if not self.callbacks.confirm(step):
            return False
        if step.dangerous:
            return self.callbacks.type_target(step) == step.target
        return True

    def _step(self, book, run_id, step: RenderedStep, params, who) -> str:
        """Returns ok, skipped, aborted or declined."""
        base = dict(step=step.index, step_title=step.title, action=step.action, argv=list(step.argv),
                    params=params, operator=who)
        self.callbacks.on_event("step_show", {"step": step})
        if not self._confirmed(step):
            self._record("step_declined", run_id, book, **base)
            return "declined"
        attempt = 0
        while True:
            attempt += 1
            start = datetime.now(timezone.utc).isoformat()
            self._record("step_start", run_id, book, **base, attempt=attempt, start=start)
            self.callbacks.on_event("step_start", {"step": step, "attempt": attempt})
            try:
                result = self.executor.execute(step, lambda stream, line: self.callbacks.on_line(step, stream, line))
            except safety.ReadOnlyError:
                raise
            except Exception as exc:  # an executor bug must not leave the audit without an end record
                result = StepResult(exit_code=None, error=f"{type(exc).__name__}: {exc}")
            verified, why = self.executor.verify(step, result)
            ok = result.ok and verified
            self._record("step_end", run_id, book, **base, attempt=attempt, start=start,
                         end=datetime.now(timezone.utc).isoformat(), exit_code=result.exit_code, error=result.error,
                         output_tail=result.tail, verified=verified, verification=why, ok=ok)
            self.callbacks.on_event("step_end", {"step": step, "ok": ok, "verified": verified, "verification": why,
                                                 "exit_code": result.exit_code})
            if ok:
                return "ok"
            decision = Decision(self.callbacks.on_failure(step, result, why))
            self._record("step_decision", run_id, book, step=step.index, decision=decision.value)
            if decision is Decision.RETRY:
                continue
            if decision is Decision.SKIP:
                self._record("step_skipped", run_id, book, step=step.index, step_title=step.title)
                return "skipped"
            return "aborted"


__all__ = ["Callbacks", "Check", "Decision", "RunOutcome", "Runner", "dry_run"]
