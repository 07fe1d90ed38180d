"""Typed playbook actions. Each renders an argv list from validated parameters; no action
ever produces a shell string. The executors (gcp, local) apply the same RenderedStep."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from console.core import safety
from console.core.config import Settings


@dataclass(frozen=True)
class RenderedStep:
    index: int
    action: str
    title: str
    why: str
    dangerous: bool
    argv: tuple[str, ...]
    params: dict[str, Any]
    target: str  # what a dangerous step asks the operator to type
    mutating: bool = True
    in_checkout: bool = False  # runs in the platform checkout (git, ./bin scripts, --source)
    verification: str = ""

    def display(self) -> str:
        import shlex

        return shlex.join(self.argv)  # for display only: the argv is what runs


@dataclass(frozen=True)
class ActionSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    mutating: bool = True
    in_checkout: bool = False
    # settings, raw params -> (validated params, argv, target, verification text); keyword-only,
    # so it needs no default after the defaulted fields
    render: Callable[[Settings, dict[str, Any]], tuple[dict[str, Any], list[str], str, str]] = field(
        repr=False, kw_only=True
    )


def _region(settings: Settings, params: dict[str, Any]) -> str:
    return safety.validate_region(params.get("region", settings.region))


def _delete_function(settings, p):
    fn = safety.validate_service(settings, p["function"], "function")
    region = _region(settings, p)
    argv = ["gcloud", "functions", "delete", fn, f"--region={region}", "--quiet"]
    return {"function": fn, "region": region}, argv, fn, f"{fn} no longer exists"


def _deploy_function(settings, p):
    fn = safety.validate_service(settings, p["function"], "function")
    region = _region(settings, p)
    source = safety.validate_source(p["source"])
    argv = ["gcloud", "functions", "deploy", fn, f"--region={region}", f"--source={source}"]
    return {"function": fn, "region": region, "source": source}, argv, fn, f"{fn} is deployed"


def _update_env_vars(settings, p):
    svc = safety.validate_service(settings, p["service"], "run")
    region = _region(settings, p)
    env = safety.validate_env(p["env"])
    pairs = ",".join(f"{k}={v}" for k, v in env.items())
    argv = ["gcloud", "run", "services", "update", svc, f"--region={region}", f"--update-env-vars={pairs}"]
    return {"service": svc, "region": region, "env": env}, argv, svc, f"{svc} has {pairs}"


def _update_traffic(settings, p):
    svc = safety.validate_service(settings, p["service"], "run")
    region = _region(settings, p)
    argv = ["gcloud", "run", "services", "update-traffic", svc, f"--region={region}", "--to-latest"]
    return {"service": svc, "region": region}, argv, svc, f"{svc} sends all traffic to its latest revision"


def _deploy_service(settings, p):
    svc = safety.validate_service(settings, p["service"], "run")
    commit = safety.validate_commit(p["commit"])
    argv = ["./bin/deploy-service.sh", svc, f"--commit={commit}"]
    return {"service": svc, "commit": commit}, argv, svc, f"{svc} runs commit {commit}"


def _git_revert(settings, p):
    commit = safety.validate_commit(p["commit"])
    argv = ["git", "revert", "--no-edit", commit]
    return {"commit": commit}, argv, commit, f"the platform checkout's HEAD reverts {commit}"


def _verify_env(settings, p):
    svc = safety.validate_service(settings, p["service"], "run")
    region = _region(settings, p)
    env = safety.validate_env(p["env"])
    argv = ["gcloud", "run", "services", "describe", svc, f"--region={region}", "--format=json"]
    pairs = ",".join(f"{k}={v}" for k, v in env.items())
    return {"service": svc, "region": region, "env": env}, argv, svc, f"{svc} reads back {pairs}"


ACTIONS: dict[str, ActionSpec] = {
    a.name: a
    for a in (
        ActionSpec("delete_function", ("function",), ("region",), render=_delete_function),
        ActionSpec("deploy_function", ("function", "source"), ("region",), in_checkout=True, render=_deploy_function),
        ActionSpec("update_env_vars", ("service", "env"), ("region",), render=_update_env_vars),
        ActionSpec("update_traffic", ("service",), ("region",), render=_update_traffic),
        ActionSpec("deploy_service", ("service", "commit"), (), in_checkout=True, render=_deploy_service),
        ActionSpec("git_revert", ("commit",), (), in_checkout=True, render=_git_revert),
        ActionSpec("verify_env", ("service", "env"), ("region",), mutating=False, render=_verify_env),
    )
}
