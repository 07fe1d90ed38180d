"""Which playbook a check's state calls for, its parameters prefilled from that state, and the
current value of the flags a playbook flips.

Pure (no Textual). The per-check rules live with each panel (`CheckSpec.suggest` and
`CheckSpec.prefill` in panels/<id>.py); this module applies them the same way for the
drill-down, the app's `P` and the playbooks screen: a healthy check never suggests undoing
the thing that made it healthy (97.9 % grading must not suggest rolling grading back).
"""

from __future__ import annotations

from dataclasses import dataclass

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


def suggest(spec, result: CheckResult | None) -> Suggestion:
    """The playbooks among the check's own (`spec.playbooks`) that its `result` calls for."""
    offered = tuple(spec.playbooks)
    if not offered:
        return Suggestion((), "no playbook belongs to this check")
    if result is None:
        return Suggestion((), "no result yet")
    if result.status not in _ACTIONABLE:
        return Suggestion((), _said(result.status))
    rule = getattr(spec, "suggest", None)
    picked = rule(result) if rule is not None else None
    if picked is None:
        return Suggestion(offered, _said(result.status))
    names, why = picked
    return Suggestion(tuple(n for n in names if n in offered), why)


def prefill(spec, result: CheckResult | None) -> dict[str, str]:
    """Parameter values the check's state gives (drift: the worst service and the head commit)."""
    rule = getattr(spec, "prefill", None)
    if result is None or rule is None or result.status not in _ACTIONABLE:
        return {}
    return rule(result)


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
        now = "service not in the deploy state" if found is None else found.env.get(name, "not set")
        same = " (already so)" if now == wanted else ""
        lines.append(f"{name} on {service}: now {now}, sets {wanted}{same}")
    return lines
