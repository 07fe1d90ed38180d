"""The checks' thread workers: one per run, tagged with the round (game date) it belongs to.

Each run opens the shared backend if need be and runs the check under its deadline
(console/services/runner.py); `ended` turns a finished worker into (check id, round, result),
so the app applies it and tells the scheduler. A worker that failed (a bug: run_check never
raises) still gives an error result for its panel, and is reported once through `on_error`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.models import CheckResult, Status
from console.services.runner import CheckSpec, run_check

ENDED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


@dataclass(frozen=True)
class Ended:
    check_id: str
    generation: int
    result: CheckResult


class CheckWorkers:
    def __init__(
        self,
        owner: DOMNode,
        settings: Settings,
        backend: Callable[[], Backend],
        on_error: Callable[[Worker[Any]], None],
    ) -> None:
        self.owner, self.settings, self.backend, self.on_error = owner, settings, backend, on_error
        self._runs: dict[Worker[CheckResult], tuple[CheckSpec, int]] = {}

    def start(self, spec: CheckSpec, ctx: CheckContext, generation: int) -> None:
        worker = self.owner.run_worker(
            partial(self._run, spec, ctx), thread=True, name=f"check:{spec.id}", group="checks", exit_on_error=False
        )
        self._runs[worker] = (spec, generation)

    def _run(self, spec: CheckSpec, ctx: CheckContext) -> CheckResult:
        try:
            backend = self.backend()
        except Exception as exc:  # noqa: BLE001 - cannot even open the source: an error result
            message = f"cannot open the {self.settings.backend} backend: {exc}"
            return CheckResult(id=spec.id, title=spec.title, status=Status.ERROR, summary=message, error=message)
        with backend.holding():  # the checks running at once share one DuckDB connection
            return run_check(spec, backend, ctx)

    def ended(self, event: Worker.StateChanged) -> Ended | None:
        """The run `event` ended, with its result; None for another worker or a state on the way."""
        worker = event.worker
        if worker not in self._runs or event.state not in ENDED:
            return None
        spec, generation = self._runs.pop(worker)
        result = worker.result
        if event.state is WorkerState.SUCCESS and isinstance(result, CheckResult):
            return Ended(spec.id, generation, result)
        # run_check never raises, so this is a bug in the app itself; keep it on the panel.
        message = f"{type(worker.error).__name__}: {worker.error}" if worker.error else "cancelled"
        if event.state is WorkerState.ERROR:
            self.on_error(worker)
        failed = CheckResult(id=spec.id, title=spec.title, status=Status.ERROR, summary=message, error=message)
        return Ended(spec.id, generation, failed)
