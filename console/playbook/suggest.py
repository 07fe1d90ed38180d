"""Which playbook a check's state calls for, its parameters prefilled from that state, and the
current value of the flags a playbook flips.

Pure (no Textual): the drill-down, the app's `P` and the playbooks screen ask here, so a
healthy check never suggests undoing the thing that made it healthy (97.9 % grading must
not suggest rolling grading back).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.models import CheckResult, DeployState, Status
from .model import Playbook

_ACTIONABLE = (Status.FAIL, Status.WARN)


def _said(status: Status) -> str:
    return {Status.OK: "the check is ok", Status.WARN: "the check warns", Status.FAIL: "the check fails",
            Status.UNKNOWN: "the check cannot tell yet"}.get(status, f"the check is {status.value}")


@dataclass(frozen=True)
class Suggestion:
    playbooks: tuple[str, ...]  # best first; empty when the state calls for none
    why: str


def suggest(check_id: str, result: CheckResult | None, offered: tuple[str, ...]) -> Suggestion:
    """The playbooks among `offered` (the check's own) that its current `result` calls for."""
    if not offered:
        return Suggestion((), "no playbook belongs to this check")
    if result is None:
        return Suggestion((), "no result yet")
    status = result.status
    if status not in _ACTIONABLE:
        return Suggestion((), _said(status))
    value: dict[str, Any] = result.value or {}
    picked: tuple[str, ...]
    if check_id == "sequential_execution":
        if value.get("dependency_failures"):
            picked, why = ("disable-sequential-execution",), "Level 2 blocked by DependencyFailureError: the handoff's instant rollback"
        elif value.get("violations"):
            picked, why = ("enable-sequential-execution",), "a Level 2 processor started before Level 1 completed: sequential execution prevents that"
        else:
            picked, why = offered, _said(status)
    elif check_id == "grading_coverage":
        if status is not Status.FAIL:
            return Suggestion((), f"{_said(status)} but has not failed: the handoff rolls grading back only when the grading test fails")
        picked, why = ("rollback-grading-orchestration",), "the grading test failed (handoff: Rollback Procedures, option 1)"
    elif check_id == "deployment_drift":
        behind = worst_behind(value)
        if behind is None:
            return Suggestion((), f"{_said(status)} but no service is behind a known commit")
        picked, why = ("redeploy-service",), f"{behind['service']} is {behind['commits_behind']} commits behind head"
    else:
        picked, why = offered, _said(status)
    return Suggestion(tuple(p for p in picked if p in offered), why)


def worst_behind(drift_value: dict[str, Any]) -> dict[str, Any] | None:
    """The deployment-drift row furthest behind head (warn or fail), or None."""
    rows = [r for r in drift_value.get("services", []) if isinstance(r, dict)
            and isinstance(r.get("commits_behind"), int) and r.get("status") in ("warn", "fail")]
    return max(rows, key=lambda r: r["commits_behind"], default=None)


def prefill(check_id: str, result: CheckResult | None) -> dict[str, str]:
    """Parameter values the check's state gives (drift: the worst service and the head commit)."""
    if result is None or not result.value:
        return {}
    if check_id == "deployment_drift":
        behind = worst_behind(result.value)
        head = result.value.get("head")
        out = {}
        if behind is not None:
            out["service"] = str(behind["service"])
        if isinstance(head, str) and head:
            out["commit"] = head
        return out
    return {}


def flag_targets(book: Playbook) -> list[tuple[str, str, str]]:
    """(service, variable, value the playbook sets) for each environment flag it changes."""
    out = []
    for step in book.steps:
        if step.action != "update_env_vars":
            continue
        service, env = step.params.get("service"), step.params.get("env")
        if isinstance(service, str) and isinstance(env, dict):
            out += [(service, str(k), str(v)) for k, v in env.items()]
    return out


def current_flags(book: Playbook, state: DeployState) -> list[str]:
    """`SEQUENTIAL_EXECUTION_ENABLED on nba-phase3-analytics-processors: now true, sets false`."""
    lines = []
    for service, name, wanted in flag_targets(book):
        found = next((s for s in state.services if s.name == service), None)
        if found is None:
            now = "service not in the deploy state"
        else:
            now = found.env.get(name, "not set")
        same = " (already so)" if now == wanted else ""
        lines.append(f"{name} on {service}: now {now}, sets {wanted}{same}")
    return lines
