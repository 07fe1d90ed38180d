"""Which playbook a check's state calls for, its parameters prefilled from that state, and the
current value of the flags a playbook flips.

Pure (no Textual). The per-check rules live with each panel (`CheckSpec.suggest` and
`CheckSpec.prefill` in panels/<id>.py); `suggestion` applies them the same way for the
watch's messages, the drill-down, the app's `P` and the playbooks screen:

- a healthy check never suggests undoing the thing that made it healthy (97.9 % grading must
  not suggest rolling grading back);
- one suggestion per evidence: a check with several playbooks and no rule picking one
  suggests none (never both of two opposite playbooks);
- a playbook with parameters is suggested only with every parameter filled in from the
  evidence and accepted by the engine's own validators; otherwise it is not made, and the
  why says which parameter the evidence does not give (never a `<commit>` placeholder).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from console.core.config import Settings
from console.core.models import CheckResult, DeployState, Status
from console.playbook import model
from console.playbook.model import Playbook

_ACTIONABLE = (Status.FAIL, Status.WARN)


def _said(status: Status) -> str:
    return {
        Status.OK: "the check is ok",
        Status.WARN: "the check warns",
        Status.FAIL: "the check fails",
        Status.UNKNOWN: "the check cannot tell yet",
    }.get(status, f"the check is {status.value}")


@dataclass(frozen=True)
class Suggestion:
    playbooks: tuple[str, ...]  # best first; empty when the state calls for none
    why: str
    params: dict[str, str] = field(default_factory=dict)  # the first playbook's, all from the evidence

    @property
    def playbook(self) -> str | None:
        return self.playbooks[0] if self.playbooks else None

    def command(self) -> str | None:
        """`nba-console playbook run NAME --param k=v … --dry-run`, ready to paste."""
        if self.playbook is None:
            return None
        params = "".join(f" --param {shlex.quote(f'{k}={v}')}" for k, v in self.params.items())
        return f"nba-console playbook run {self.playbook}{params} --dry-run"


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
    if picked is None:  # no rule: the check's only playbook, never a choice between several
        if len(offered) > 1:
            return Suggestion(
                (), f"{_said(result.status)}, but nothing in its evidence says which of {', '.join(offered)}"
            )
        return Suggestion(offered, _said(result.status))
    names, why = picked
    return Suggestion(tuple(n for n in names if n in offered), why)


def suggestion(spec, result: CheckResult | None, settings: Settings, playbooks_dir=None) -> Suggestion:
    """The one playbook the evidence calls for, with its parameters filled in from it; or
    none, and why. The rule the watch, the drill-down, `P` and the playbooks screen share."""
    hint = suggest(spec, result) if spec is not None else Suggestion((), "no check")
    if len(hint.playbooks) > 1:  # a panel rule naming several: still one suggestion per evidence
        return Suggestion((), f"{hint.why}; the evidence does not say which of {', '.join(hint.playbooks)}")
    if not hint.playbooks:
        return hint
    name = hint.playbooks[0]
    try:
        book = model.get(name, playbooks_dir)
    except model.PlaybookError as exc:
        return Suggestion((), f"{name} cannot be read: {exc}")
    given = prefill(spec, result)
    values = {k: v for k, v in given.items() if k in book.params}
    missing = [k for k, p in book.params.items() if p.default is None and k not in values]
    if missing:
        return Suggestion(
            (), f"{hint.why}; but the evidence does not give {name}'s {', '.join(missing)}, so it is not suggested"
        )
    try:
        book.render(settings, values)  # the engine's own validators: a value it would refuse is no suggestion
    except model.PlaybookError as exc:
        return Suggestion((), f"{hint.why}; but {name} would refuse what the evidence gives ({exc})")
    return Suggestion((name,), hint.why, values)


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
