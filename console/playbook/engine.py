"""Runs a playbook step by step: pre-flight, show, confirm, run, verify, audit.

Pure and synchronous: the CLI calls it directly, the TUI from a worker thread. Everything
that needs a person (confirmations, what to do after a failure) is a callback, so the same
loop serves both and tests drive it with plain functions.

The promises it keeps (issue 10): nothing runs unless its "before" record is on disk and
the lock is still ours (checked after every confirmation and before every step; the lease
is refreshed by a thread meanwhile); a step's process group is in the lock and the audit
before its command starts; a cancel (`cancel()`, or `Cancelled` / KeyboardInterrupt raised
by a signal handler) terminates the group and is audited `interrupted`; a run the console
did not live to finish is closed by the next run as `unknown`, and a resume re-verifies
every step it would skip.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import orjson

from console.core import safety
from console.core.config import Settings
from console.core.redaction import mask_text
from console.playbook import model
from console.playbook.actions import RenderedStep
from console.playbook.audit import AuditLog, AuditWriteError, operator
from console.playbook.executors import Check, StepResult, make_executor
from console.playbook.lease import Lease
from console.playbook.lock import LockLost, RunLock
from console.playbook.preflight import dry_run, refusal, run_preflight  # dry_run re-exported
from console.playbook.redact import redacting
from console.playbook.run_lock import default_lock

CONFIRM_TRIES = 3


class Cancelled(BaseException):
    """The run was cancelled (quit, ctrl+c, SIGTERM, SIGHUP). A BaseException, so no
    `except Exception` on the way can swallow it."""


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
    # Dangerous steps: return what the operator typed; it must equal step.target (None: cancel).
    type_target: Callable[[RenderedStep], str | None] = lambda step: None
    on_failure: Callable[[RenderedStep, StepResult, str], Decision] = lambda step, result, why: Decision.ABORT
    on_line: Callable[[RenderedStep, str, str], None] = lambda step, stream, line: None
    # ("preflight", {"checks"}), ("step_show"|"step_start"|"step_end"|"step_reverified"|"step_rerun", {...}),
    # ("confirm_mismatch", {...}), ("notice", {"message"}), ("run_end", {"run_id", "status", "message"})
    on_event: Callable[[str, dict[str, Any]], None] = lambda event, data: None


@dataclass
class RunOutcome:
    run_id: str
    # completed, failed, declined, preflight_failed, interrupted, lock_lost, audit_failed
    status: str
    message: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "completed"

    @property
    def resumable(self) -> bool:
        return self.status not in ("completed", "preflight_failed")


def config_fingerprint(settings: Settings) -> str:
    """What a run depends on besides its parameters: a resume under another config is flagged."""
    data = settings.model_dump(mode="json", include={"backend", "project", "region", "services", "playbooks", "gcp"})
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Runner:
    def __init__(
        self,
        settings: Settings,
        *,
        executor=None,
        backend=None,
        callbacks: Callbacks | None = None,
        assume_yes: bool = False,
        lock: RunLock | None = None,
        audit: AuditLog | None = None,
        playbooks_dir=None,
    ):
        self.settings = settings
        self.executor = executor if executor is not None else make_executor(settings, backend)
        # Every text a run shows (lines, messages, verifications) passes the redaction.
        self.callbacks = redacting(callbacks or Callbacks())
        self.assume_yes = assume_yes
        self.audit = audit or AuditLog(settings.state_dir)
        self.lock = lock or default_lock(settings)
        self.playbooks_dir = playbooks_dir
        self.cancelled = threading.Event()
        self.lease: Lease | None = None

    def cancel(self) -> None:
        """From any thread: stop at the next chance, terminating a running step's group."""
        self.cancelled.set()

    def _check_cancel(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled("cancelled")

    # ---------------------------------------------------------------- entry points

    def run(self, name: str, params: dict[str, str] | None = None) -> RunOutcome:
        safety.check_writable(self.settings, f"run playbook {name}")
        book = model.get(name, self.playbooks_dir)
        plan = book.render(self.settings, params or {})  # refuses bad parameters before anything
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
        return self._run(book, plan, run_id, book.resolve_params(self.settings, params or {}), resumed=False)

    def resume(self, run_id: str) -> RunOutcome:
        safety.check_writable(self.settings, f"resume run {run_id}")
        read = self.audit.read(run_id)
        if read.error:
            raise model.PlaybookError(read.error)
        summary = self.audit.run(run_id)
        if summary is None:
            raise model.PlaybookError(f"no run {safety.clip(run_id)} in {self.audit.path}")
        if summary.status not in ("interrupted",) and not summary.resumable:
            raise model.PlaybookError(f"run {run_id} is {summary.status}; nothing to resume")
        if summary.backend and summary.backend != self.executor.name:
            raise model.PlaybookError(
                f"run {run_id} ran on backend {summary.backend}; refusing to resume it on "
                f"{self.executor.name} (start a new run there)"
            )
        if summary.project and summary.project != self.settings.project:
            raise model.PlaybookError(
                f"run {run_id} ran on project {summary.project}; refusing to resume it on {self.settings.project}"
            )
        book = model.get(summary.playbook, self.playbooks_dir)
        plan = book.render(self.settings, summary.params)
        if len(plan) != summary.total_steps or (summary.plan and summary.plan != [list(s.argv) for s in plan]):
            raise model.PlaybookError(
                f"playbook {book.name} changed since run {run_id} (steps differ); start a new run"
            )
        return self._run(book, plan, run_id, summary.params, resumed=True)

    # ---------------------------------------------------------------- the loop

    def _record(self, event: str, run_id: str, book: model.Playbook, **data) -> None:
        self.audit.append({"event": event, "run_id": run_id, "playbook": book.name, **data})

    def close_dead_runs(self, by: str) -> list[str]:
        """Runs without an end are dead once we hold the lock: record them `interrupted`, and
        a step they had started as `unknown` (never as not-run)."""
        closed = []
        for summary in self.audit.runs():
            if summary.ended is not None or summary.status != "interrupted":
                continue
            if summary.open_step is not None:
                self.audit.append(
                    {
                        "event": "step_end",
                        "run_id": summary.run_id,
                        "playbook": summary.playbook,
                        "step": summary.open_step,
                        "ok": False,
                        "outcome": "unknown",
                        "recorded_by": by,
                        "verification": "the console stopped during this step: outcome unknown",
                    }
                )
            where = f"during step {summary.open_step + 1}" if summary.open_step is not None else "between steps"
            self.audit.append(
                {
                    "event": "run_end",
                    "run_id": summary.run_id,
                    "playbook": summary.playbook,
                    "status": "interrupted",
                    "step": summary.open_step,
                    "recorded_by": by,
                    "message": f"the console stopped {where} (killed or crashed); outcome unknown",
                }
            )
            closed.append(summary.run_id)
        return closed

    def _run(self, book, plan, run_id, params, resumed) -> RunOutcome:
        who = operator()
        ttl = self.settings.playbooks.lock_ttl_s
        lease = self.lease = Lease(self.lock, {**who, "run_id": run_id, "playbook": book.name}, ttl)
        lease.acquire()  # LockHeld propagates: nothing has run
        current: list[RenderedStep | None] = [None]
        done: list[dict[str, Any]] = []
        try:
            lease.start()
            try:
                closed = self.close_dead_runs(run_id)
                if closed:
                    self.callbacks.on_event(
                        "notice", {"message": "closed as interrupted (outcome unknown): " + ", ".join(closed)}
                    )
                summary = self.audit.run(run_id) if resumed else None
                checks = run_preflight(self.executor, plan)  # the dry run's, to the letter
                who["gcloud_account"] = getattr(self.executor, "account", None)
                self.callbacks.on_event("preflight", {"checks": checks})
                fingerprint = config_fingerprint(self.settings)
                if summary is not None and summary.fingerprint and summary.fingerprint != fingerprint:
                    self.callbacks.on_event("notice", {"message": "the configuration changed since this run started"})
                self._record(
                    "run_resume" if resumed else "run_start",
                    run_id,
                    book,
                    params=params,
                    operator=who,
                    backend=self.executor.name,
                    project=self.settings.project,
                    config_fingerprint=fingerprint,
                    total_steps=len(plan),
                    plan=[list(s.argv) for s in plan],
                )
            except AuditWriteError as exc:
                return self._outcome(run_id, "audit_failed", f"{exc}; nothing was run", [])
            message = refusal(checks)
            if message is not None:  # refused before any step: the dry run says the same
                return self._end(book, run_id, "preflight_failed", message, [])
            earlier = (summary.done | summary.unknown) if summary is not None else set()
            for step in plan:
                current[0] = step
                self._check_cancel()
                lease.check()
                if step.index in earlier:
                    held, why = self.executor.recheck(step)
                    if held:
                        self._record("step_reverified", run_id, book, step=step.index, verification=why)
                        self.callbacks.on_event("step_reverified", {"step": step, "verification": why})
                        done.append({"step": step.index, "title": step.title, "status": "verified"})
                        continue
                    self.callbacks.on_event("step_rerun", {"step": step, "verification": why})
                status = self._step(book, run_id, step, params, who)
                done.append({"step": step.index, "title": step.title, "status": status})
                if status in ("aborted", "declined"):
                    return self._end(
                        book,
                        run_id,
                        "declined" if status == "declined" else "failed",
                        f"stopped at step {step.index + 1}: {step.title}",
                        done,
                    )
            return self._end(book, run_id, "completed", f"{len(plan)} step(s) done", done)
        except LockLost as exc:
            where = f" before step {current[0].index + 1}" if current[0] is not None else ""
            try:
                self._record("lock_lost", run_id, book, message=str(exc), step=current[0].index if current[0] else None)
                return self._end(book, run_id, "lock_lost", f"{exc}; stopped{where}", done)
            except AuditWriteError as audit_exc:
                return self._outcome(run_id, "audit_failed", f"{exc}; stopped{where}; and {audit_exc}", done)
        except (Cancelled, KeyboardInterrupt):
            step = current[0]
            where = f"at step {step.index + 1}: {step.title}" if step is not None else "before the first step"
            try:
                return self._end(
                    book,
                    run_id,
                    "interrupted",
                    f"cancelled {where}",
                    done,
                    step=step.index if step is not None else None,
                )
            except AuditWriteError as exc:
                return self._outcome(run_id, "audit_failed", f"cancelled {where}; and {exc}", done)
        except AuditWriteError as exc:
            # An "after" record (or the end) is not on disk: the step may have run. Say so
            # loudly; the next run finds the step open and treats it as unknown.
            return self._outcome(
                run_id,
                "audit_failed",
                f"{exc}. The audit does not show what the last step did: a resume re-verifies it",
                done,
            )
        finally:
            lease.release()

    def _outcome(self, run_id, status, message, steps) -> RunOutcome:
        message = mask_text(message)
        self.callbacks.on_event("run_end", {"run_id": run_id, "status": status, "message": message})
        return RunOutcome(run_id=run_id, status=status, message=message, steps=steps)

    def _end(self, book, run_id, status, message, steps, **extra) -> RunOutcome:
        self._record("run_end", run_id, book, status=status, message=message, **extra)
        return self._outcome(run_id, status, message, steps)

    def _confirmed(self, book, run_id, step: RenderedStep) -> bool:
        if self.assume_yes:
            return True
        if not self.callbacks.confirm(step):
            return False
        if not step.dangerous:
            return True
        for attempt in range(1, CONFIRM_TRIES + 1):
            self._check_cancel()
            typed = self.callbacks.type_target(step)
            if typed is None:
                return False
            if typed == step.target:
                return True
            self._record(
                "confirm_mismatch", run_id, book, step=step.index, attempt=attempt, typed=safety.clip(typed, 40)
            )
            self.callbacks.on_event(
                "confirm_mismatch",
                {"step": step, "attempt": attempt, "left": CONFIRM_TRIES - attempt, "typed": safety.clip(typed, 40)},
            )
        return False

    def _step(self, book, run_id, step: RenderedStep, params, who) -> str:
        """Returns ok, skipped, aborted or declined."""
        base = {
            "step": step.index,
            "step_title": step.title,
            "action": step.action,
            "argv": list(step.argv),
            "params": params,
            "operator": who,
        }
        self.callbacks.on_event("step_show", {"step": step})
        confirmed = self._confirmed(book, run_id, step)
        self._check_cancel()
        if not confirmed:
            self._record("step_declined", run_id, book, **base)
            return "declined"
        lease = self.lease
        assert lease is not None
        attempt = 0
        while True:
            attempt += 1
            self._check_cancel()
            lease.check()  # the confirmation is acted on only under our own lock
            start = _now()
            self._record("step_start", run_id, book, **base, attempt=attempt, start=start, host=socket.gethostname())
            self.callbacks.on_event("step_start", {"step": step, "attempt": attempt})
            try:
                result = self.executor.execute(
                    step,
                    lambda stream, line: self.callbacks.on_line(step, stream, line),
                    on_spawn=self._on_spawn(lease, book, run_id, step, attempt, start),
                    cancel=self.cancelled,
                )
            except (safety.ReadOnlyError, LockLost, AuditWriteError):
                raise
            except Exception as exc:  # noqa: BLE001 - an executor bug must not leave the audit without an end record
                result = StepResult(exit_code=None, error=f"{type(exc).__name__}: {exc}")
            except BaseException:
                self._interrupted_step(book, run_id, step, attempt, start)
                raise
            finally:
                self._clear_step(lease)
            if self.cancelled.is_set():
                self._interrupted_step(book, run_id, step, attempt, start, result)
                raise Cancelled("cancelled")
            verified, why = self.executor.verify(step, result)
            ok = result.ok and verified
            self._record(
                "step_end",
                run_id,
                book,
                **base,
                attempt=attempt,
                start=start,
                end=_now(),
                exit_code=result.exit_code,
                error=result.error,
                output_tail=result.tail,
                verified=verified,
                verification=why,
                ok=ok,
                outcome="ok" if ok else "failed",
            )
            self.callbacks.on_event(
                "step_end",
                {"step": step, "ok": ok, "verified": verified, "verification": why, "exit_code": result.exit_code},
            )
            if ok:
                return "ok"
            decision = Decision(self.callbacks.on_failure(step, result, why))
            self._check_cancel()
            self._record("step_decision", run_id, book, step=step.index, decision=decision.value)
            if decision is Decision.RETRY:
                continue
            if decision is Decision.SKIP:
                self._record("step_skipped", run_id, book, step=step.index, step_title=step.title)
                return "skipped"
            return "aborted"

    def _on_spawn(
        self, lease: Lease, book: model.Playbook, run_id: str, step: RenderedStep, attempt: int, start: str
    ) -> Callable[[int, int], None]:
        """The executor's on_spawn for one attempt: the step's process group into the lock (so
        a console that dies leaves a lock that names it) and into the audit."""

        def on_spawn(pid: int, pgid: int) -> None:
            proc = {
                "index": step.index,
                "pid": pid,
                "pgid": pgid,
                "host": socket.gethostname(),
                "command": safety.clip(step.display(), 300),
                "started_at": start,
            }
            lease.set_step(proc)  # raises LockLost: the gate stays shut
            self._record(
                "step_proc",
                run_id,
                book,
                step=step.index,
                attempt=attempt,
                pid=pid,
                pgid=pgid,
                host=proc["host"],
                started_at=start,
            )

        return on_spawn

    def _clear_step(self, lease: Lease) -> None:
        try:
            lease.set_step(None)
        except LockLost:
            pass  # the next check() stops the run

    def _interrupted_step(self, book, run_id, step, attempt, start, result: StepResult | None = None) -> None:
        """A cancelled step: its group was terminated mid-way, so what it did is unknown."""
        self._record(
            "step_end",
            run_id,
            book,
            step=step.index,
            step_title=step.title,
            attempt=attempt,
            start=start,
            end=_now(),
            ok=False,
            outcome="unknown",
            error="interrupted: the run was cancelled",
            exit_code=None,
            output_tail=result.tail if result else [],
        )


__all__ = ["Callbacks", "Cancelled", "Check", "Decision", "RunOutcome", "Runner", "dry_run"]
