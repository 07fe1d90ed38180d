"""`playbook show`: a playbook as a person reads it (steps, exact argv, parameters with what
they accept) and as a machine reads it (`--json`). One dict is built, the text is written
from it, so both say the same thing."""

from __future__ import annotations

from typing import Any

from console.core import safety
from console.core.config import Settings
from console.playbook.model import ParamSpec, Playbook


def accepts(spec: ParamSpec, settings: Settings) -> dict[str, Any]:
    """What a parameter accepts: a pattern or the names the config knows (the same rules
    ParamSpec.validate_value applies)."""
    if spec.type == "commit":
        return {"rule": "7 to 40 lowercase hex digits", "pattern": safety.COMMIT_RE.pattern}
    if spec.type == "region":
        return {"rule": "a GCP region like us-west2", "pattern": safety.REGION_RE.pattern}
    names = {
        "service": settings.services.cloud_run + settings.services.functions,
        "run_service": settings.services.cloud_run,
        "function": settings.services.functions,
    }[spec.type]
    label = {
        "service": "a Cloud Run service or function",
        "run_service": "a Cloud Run service",
        "function": "a Cloud Function",
    }[spec.type]
    return {"rule": f"{label} the config knows", "one_of": list(names)}


def describe(book: Playbook, settings: Settings, given: dict[str, str] | None = None) -> dict[str, Any]:
    """The playbook with its plan: each step's exact argv when every parameter has a value
    (given or default), else the step's action and parameter templates (argv is None).
    Raises PlaybookError for given values the playbook refuses."""
    rendered = None
    missing = [n for n, s in book.params.items() if s.default is None and n not in (given or {})]
    if not missing or given:
        rendered = book.render(settings, given or {})  # refuses unknown/missing/bad values
    steps = []
    for i, step in enumerate(book.steps):
        plan = rendered[i] if rendered else None
        steps.append(
            {
                "index": i + 1,
                "title": plan.title if plan else step.title,
                "why": plan.why if plan else step.why,
                "action": step.action,
                "dangerous": step.dangerous,
                "mutating": plan.mutating if plan else None,
                "argv": list(plan.argv) if plan else None,
                "params": plan.params if plan else step.params,
                "verification": plan.verification if plan else None,
                "confirm_by_typing": plan.target if plan and step.dangerous else None,
            }
        )
    return {
        "name": book.name,
        "title": book.title,
        "why": book.why,
        "dangerous": book.dangerous,
        "params": {
            name: {
                "type": spec.type,
                "description": spec.description,
                "default": spec.default,
                "value": (given or {}).get(name, spec.default),
                **accepts(spec, settings),
            }
            for name, spec in book.params.items()
        },
        "rendered": rendered is not None,
        "steps": steps,
    }


def describe_text(d: dict[str, Any]) -> list[str]:
    lines = [f"{d['name']}: {d['title']}" + ("  [dangerous]" if d["dangerous"] else "")]
    lines += [f"  {line}" for line in d["why"].strip().splitlines()]
    if d["params"]:
        lines += ["", "parameters:"]
        for name, p in d["params"].items():
            value = f" = {p['value']}" if p["value"] is not None else ""
            lines.append(f"  {name}{value}  ({p['type']}) {p['description']}".rstrip())
            accepted = f"one of: {', '.join(p['one_of'])}" if "one_of" in p else p["rule"]
            lines.append(f"      accepts {accepted}" + (f"; default {p['default']}" if p["default"] else ""))
    lines += ["", "steps:"]
    for s in d["steps"]:
        flag = "  [dangerous]" if s["dangerous"] else ""
        lines.append(f"  {s['index']}. {s['title']}{flag}")
        if s["argv"] is not None:
            import shlex

            lines.append(f"     $ {shlex.join(s['argv'])}")
            lines.append(f"     verify: {s['verification']}")
            if s["confirm_by_typing"]:
                lines.append(f"     asks you to type: {s['confirm_by_typing']}")
        else:
            params = ", ".join(f"{k}={v}" for k, v in s["params"].items())
            lines.append(f"     action {s['action']}({params})")
        if s["why"]:
            lines.append(f"     why: {s['why']}")
    if not d["rendered"]:
        example = " ".join(f"--param {n}=..." for n in d["params"])
        lines += ["", f"the exact commands: nba-console playbook show {d['name']} {example}"]
    return lines
