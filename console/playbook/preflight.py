"""The pre-flight a run and its dry run share: every read-only check of a plan, and the one
refusal message made from the failed ones.

A dry run that printed a plan the real run then refuses (a commit not in the history)
misleads: `dry_run` renders the plan, runs the executor's read-only pre-flight (gcp: gcloud
account and project, the checkout, the commit in the platform history, the service and its
current flag values; local: the same against deploy.json) and refuses with exactly the
message the real run gives. It takes no lock and writes no audit record, so it works under
read-only too: nothing outside the console changes, nothing inside either.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.core.config import Settings
from console.playbook import model
from console.playbook.actions import RenderedStep
from console.playbook.executors import Check, make_executor


def run_preflight(executor, plan: list[RenderedStep]) -> list[Check]:
    """The executor's read-only checks of `plan`, each said once (several steps may check
    the same commit or service)."""
    return list({(c.name, c.detail): c for c in executor.preflight(plan)}.values())


def refusal(checks: list[Check]) -> str | None:
    """`pre-flight failed: commit 4f7e1d2a: not in the local history`, or None when all hold."""
    failed = [c for c in checks if not c.ok]
    return "pre-flight failed: " + "; ".join(f"{c.name}: {c.detail}" for c in failed) if failed else None


@dataclass
class DryRun:
    plan: list[RenderedStep]
    checks: list[Check]

    @property
    def refusal(self) -> str | None:
        return refusal(self.checks)


def dry_run(
    playbook: model.Playbook, settings: Settings, params: dict[str, str] | None = None, *, executor=None, backend=None
) -> DryRun:
    """The whole plan with its exact commands and the real run's pre-flight verdict. Raises
    PlaybookError for parameters the run would refuse; reads, never writes."""
    plan = playbook.render(settings, params or {})
    executor = executor if executor is not None else make_executor(settings, backend)
    return DryRun(plan=plan, checks=run_preflight(executor, plan))
