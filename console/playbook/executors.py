"""Where a step runs. `GcpExecutor` runs the argv through subprocess (never a shell) in the
platform checkout; `LocalExecutor` applies the same action to the local backend's deploy
state, so the drift and env panels show the result. Both go through the safety gate."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from console.core import safety
from console.core.config import Settings
from console.core.deploys import add_revision, move_traffic_to_latest
from console.core.models import Commit, DeployState, ServiceState
from console.playbook.actions import RenderedStep
from console.playbook.procs import LineSink, SpawnHook, StepResult, run_argv  # StepResult is re-exported
from console.playbook.redact import Redactor


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


class GcpExecutor:
    name = "gcp"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.checkout = settings.gcp.platform_checkout
        self.account: str | None = None

    def _quiet(self, argv: list[str], cwd: Path | None = None) -> StepResult:
        return run_argv(argv, cwd, 60.0, lambda *_: None)

    def preflight(self, plan: list[RenderedStep]) -> list[Check]:
        checks: list[Check] = []
        gcloud = shutil.which("gcloud")
        checks.append(Check("gcloud", gcloud is not None, gcloud or "gcloud is not on PATH"))
        if gcloud:
            auth = self._quiet(["gcloud", "auth", "list", "--filter=status:ACTIVE", "--format=value(account)"])
            self.account = auth.stdout.strip().splitlines()[0] if auth.ok and auth.stdout.strip() else None
            checks.append(
                Check(
                    "gcloud login",
                    self.account is not None,
                    self.account or "no active gcloud account: run `gcloud auth login`",
                )
            )
            proj = self._quiet(["gcloud", "config", "get-value", "project"])
            active = proj.stdout.strip() if proj.ok else ""
            checks.append(
                Check(
                    "project",
                    active == self.settings.project,
                    f"active project {active or '(none)'}, configured {self.settings.project}",
                )
            )
        if any(s.in_checkout for s in plan):
            checkout = self.checkout
            ok = checkout is not None and checkout.is_dir()
            checks.append(
                Check(
                    "platform checkout",
                    ok,
                    str(checkout) if ok else "set gcp.platform_checkout to the nba-props-platform checkout",
                )
            )
            if ok and checkout is not None:
                checks.extend(self._checkout_checks(plan, checkout))
        if gcloud:
            checks.extend(self._service_checks(plan))
        return checks

    def _service_checks(self, plan: list[RenderedStep]) -> list[Check]:
        """The service a step changes exists, and the flags it sets, as they are now (read-only:
        one `gcloud run services describe` per service)."""
        checks: list[Check] = []
        env_of: dict[str, dict[str, str | None] | None] = {}
        for step in plan:
            if step.action not in ("update_env_vars", "update_traffic", "verify_env"):
                continue
            service = step.params["service"]
            if service not in env_of:
                res = self._quiet(
                    [
                        "gcloud",
                        "run",
                        "services",
                        "describe",
                        service,
                        f"--region={step.params.get('region', self.settings.region)}",
                        "--format=json",
                    ]
                )
                env_of[service] = _env_of(res.stdout) if res.ok else None
                why = res.error or next(
                    (line.removeprefix("stderr: ") for line in reversed(res.tail) if line.startswith("stderr: ")),
                    f"exit code {res.exit_code}",
                )
                if res.ok:
                    why = "its description is not the JSON of a service"
                checks.append(
                    Check(
                        f"service {service}",
                        env_of[service] is not None,
                        "deployed" if env_of[service] is not None else f"cannot be described: {why[:200]}",
                    )
                )
            env = env_of[service]
            if step.action == "update_env_vars" and env is not None:
                checks.extend(flag_checks(service, env, step.params["env"]))
        return checks

    def _checkout_checks(self, plan: list[RenderedStep], checkout: Path) -> list[Check]:
        checks = []
        for step in plan:
            if step.action == "git_revert":
                status = self._quiet(["git", "status", "--porcelain"], checkout)
                clean = status.ok and not status.stdout.strip()
                checks.append(
                    Check(
                        "checkout clean",
                        clean,
                        "clean" if clean else (status.stdout or status.error or "not a git checkout")[:200],
                    )
                )
                known = self._quiet(["git", "cat-file", "-e", f"{step.params['commit']}^{{commit}}"], checkout)
                checks.append(
                    Check(f"commit {step.params['commit']}", known.ok, "found" if known.ok else "not in the checkout")
                )
            elif step.action == "deploy_service":
                script = checkout / step.argv[0]
                checks.append(Check("deploy script", script.is_file(), str(script)))
                # A commit the platform history does not contain cannot be what anyone meant.
                known = self._quiet(["git", "cat-file", "-e", f"{step.params['commit']}^{{commit}}"], checkout)
                checks.append(
                    Check(
                        f"commit {step.params['commit']}",
                        known.ok,
                        "in the platform history" if known.ok else "not in the platform history",
                    )
                )
            elif step.action == "deploy_function":
                src = checkout / step.params["source"]
                checks.append(Check(f"source {step.params['source']}", src.is_dir(), str(src)))
        return checks

    def execute(
        self,
        step: RenderedStep,
        on_line: LineSink,
        *,
        on_spawn: SpawnHook | None = None,
        cancel: threading.Event | None = None,
    ) -> StepResult:
        if step.mutating:
            safety.check_writable(self.settings, f"run `{step.display()}`")
        pb = self.settings.playbooks
        return run_argv(
            step.argv,
            self.checkout,
            pb.step_timeout_s,
            on_line,
            pb.output_tail_lines,
            on_spawn=on_spawn,
            cancel=cancel,
            grace_s=pb.kill_grace_s,
            redactor=Redactor(watched_names(self.settings, step)),
        )

    def _describe_service(self, step: RenderedStep) -> dict | None:
        res = self._quiet(
            [
                "gcloud",
                "run",
                "services",
                "describe",
                step.params["service"],
                f"--region={step.params.get('region', self.settings.region)}",
                "--format=json",
            ]
        )
        try:
            doc = orjson.loads(res.stdout) if res.ok else None
        except orjson.JSONDecodeError:
            return None
        return doc if isinstance(doc, dict) else None

    def recheck(self, step: RenderedStep) -> tuple[bool, str]:
        """Does the step's effect still hold? Read-only; anything unreadable is 'no'."""
        if step.action in ("verify_env", "update_env_vars"):
            doc = self._describe_service(step)
            if doc is None:
                return False, "cannot read the service description"
            return self.verify(
                dataclasses.replace(step, action="verify_env"),
                StepResult(exit_code=0, stdout=orjson.dumps(doc).decode()),
            )
        if step.action == "deploy_service":
            doc = self._describe_service(step) or {}
            labels = ((doc.get("metadata") or {}).get("labels") or {}) if isinstance(doc, dict) else {}
            try:
                containers = doc["spec"]["template"]["spec"]["containers"]
                env = {e["name"]: e.get("value") for c in containers for e in c.get("env", [])}
            except (KeyError, TypeError):
                env = {}
            commit = next(
                (str(labels[k]) for k in ("commit-sha", "commit_sha", "git-commit") if labels.get(k)),
                env.get("COMMIT_SHA") or env.get("GIT_COMMIT"),
            )
            want = step.params["commit"]
            ok = bool(commit and (commit.startswith(want) or want.startswith(commit)))
            return ok, f"{step.params['service']} runs {commit or 'an unknown commit'}"
        if step.action == "update_traffic":
            doc = self._describe_service(step) or {}
            traffic = ((doc.get("spec") or {}).get("traffic") or []) if isinstance(doc, dict) else []
            ok = any(isinstance(t, dict) and t.get("latestRevision") and t.get("percent") == 100 for t in traffic)
            return ok, "traffic on latest" if ok else "traffic not (known to be) on the latest revision"
        if step.action == "deploy_function":
            res = self._quiet(
                [
                    "gcloud",
                    "functions",
                    "describe",
                    step.params["function"],
                    f"--region={step.params['region']}",
                    "--format=value(name)",
                ],
                self.checkout,
            )
            return (True, "function is deployed") if res.ok else (False, "function is missing")
        return self.verify(step, StepResult(exit_code=0))

    def verify(self, step: RenderedStep, result: StepResult) -> tuple[bool, str]:
        if not result.ok:
            return False, result.error or f"exit code {result.exit_code}"
        if step.action == "verify_env":
            try:
                doc = orjson.loads(result.stdout)
                containers = doc["spec"]["template"]["spec"]["containers"]
                env = {e["name"]: e.get("value") for c in containers for e in c.get("env", [])}
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                return False, f"cannot read the service description: {exc}"
            return _compare_env(env, step.params["env"])
        if step.action == "delete_function":
            gone = self._quiet(
                [
                    "gcloud",
                    "functions",
                    "describe",
                    step.params["function"],
                    f"--region={step.params['region']}",
                    "--format=value(name)",
                ],
                self.checkout,
            )
            return (True, "function is gone") if not gone.ok else (False, "function still exists")
        if step.action == "git_revert":
            body = self._quiet(["git", "log", "-1", "--format=%B"], self.checkout).stdout
            ok = f"This reverts commit {step.params['commit']}" in body
            return ok, "HEAD is the revert" if ok else "HEAD is not a revert of the commit"
        return True, "exit code 0"


def _env_of(describe_json: str) -> dict[str, str | None] | None:
    """The containers' env of a `gcloud run services describe --format=json`, or None."""
    try:
        doc = orjson.loads(describe_json)
        return {
            e["name"]: e.get("value") for c in doc["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])
        }
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None


def flag_checks(service: str, env: dict[str, str | None], sets: dict[str, str]) -> list[Check]:
    """`SEQUENTIAL_EXECUTION_ENABLED on SERVICE: now true, sets false`: what a flag step will
    change, as pre-flight lines that never refuse (setting a flag to its value is harmless)."""
    out = []
    for name, wanted in sets.items():
        now = env.get(name)
        same = " (already so)" if now == wanted else ""
        out.append(Check(f"{name} on {service}", True, f"now {'not set' if now is None else now}, sets {wanted}{same}"))
    return out


def _compare_env(env: Mapping[str, str | None], want: dict[str, str]) -> tuple[bool, str]:
    wrong = {k: env.get(k) for k, v in want.items() if env.get(k) != v}
    if wrong:
        return False, "reads back " + ", ".join(f"{k}={v}" for k, v in wrong.items())
    return True, "reads back " + ",".join(f"{k}={v}" for k, v in want.items())


class LocalExecutor:
    """The same actions on the local deploy state (deploy.json of the local backend)."""

    name = "local"

    def __init__(self, settings: Settings, backend=None, now: Callable[[], datetime] | None = None):
        from console.backends.local_backend import LocalBackend

        self.settings = settings
        self.backend = backend if backend is not None else LocalBackend(settings)
        self.now = now or (lambda: datetime.now(UTC))
        self.account = None

    def preflight(self, plan: list[RenderedStep]) -> list[Check]:
        try:
            state = self.backend.deploy_state()
            root = self.backend.root()
        except Exception as exc:  # noqa: BLE001 - SourceError and friends (a bug too): a failed check, never a crash
            return [Check("local data", False, str(exc))]
        checks = [Check("local data", True, str(root))]
        shas = [c.sha for c in state.commits]
        for step in plan:
            if step.action in ("git_revert", "deploy_service"):
                c = step.params["commit"]
                found = any(s.startswith(c) for s in shas)
                checks.append(Check(f"commit {c}", found, "in the history" if found else "not in the local history"))
            elif step.action in ("update_env_vars", "update_traffic", "verify_env"):
                s = step.params["service"]
                svc = state.service(s)
                checks.append(Check(f"service {s}", svc is not None, "deployed" if svc else "not deployed"))
                if step.action == "update_env_vars" and svc is not None:
                    checks.extend(flag_checks(s, dict(svc.env), step.params["env"]))
        return checks

    def execute(
        self,
        step: RenderedStep,
        on_line: LineSink,
        *,
        on_spawn: SpawnHook | None = None,
        cancel: threading.Event | None = None,
    ) -> StepResult:
        """In-process (no command, no process group): the console's own pid is the step's."""
        if step.mutating:
            safety.check_writable(self.settings, f"run `{step.display()}`")
        try:
            state = self.backend.deploy_state()
            message = getattr(self, f"_{step.action}")(state, step.params)
            if step.mutating:
                self.backend.write_deploy_state(state)
        except LocalStepError as exc:
            on_line("stderr", str(exc))
            return StepResult(exit_code=1, tail=[f"stderr: {exc}"])
        on_line("stdout", message)
        return StepResult(exit_code=0, tail=[message], stdout=message)

    # Each returns the line shown as the step's output; LocalStepError is a failed step.
    def _service(self, state: DeployState, name: str) -> ServiceState:
        svc = state.service(name)
        if svc is None:
            raise LocalStepError(f"{name} is not deployed")
        return svc

    def _head(self, state: DeployState) -> str | None:
        return state.commits[0].sha[:8] if state.commits else None

    def _delete_function(self, state, p):
        self._service(state, p["function"])
        state.services = [s for s in state.services if s.name != p["function"]]
        return f"local: deleted function {p['function']} in {p['region']}"

    # A deploy, an env update and a traffic move each leave a revision (or a traffic time) in
    # the service's history, as Cloud Run does: past moments keep the deploys they had.
    def _deploy_function(self, state, p):
        svc = state.service(p["function"])
        if svc is None:
            svc = ServiceState(name=p["function"], kind="function", region=p["region"])
            state.services.append(svc)
        svc.region = p["region"]
        add_revision(svc, self._head(state), svc.env, self.now())
        return f"local: deployed function {p['function']} from {p['source']} at {svc.commit}"

    def _update_env_vars(self, state, p):
        svc = self._service(state, p["service"])
        add_revision(svc, svc.commit, {**svc.env, **p["env"]}, self.now())
        return f"local: {p['service']} env " + ",".join(f"{k}={v}" for k, v in p["env"].items())

    def _update_traffic(self, state, p):
        move_traffic_to_latest(self._service(state, p["service"]), self.now())
        return f"local: {p['service']} sends 100% of traffic to its latest revision"

    def _deploy_service(self, state, p):
        svc = state.service(p["service"])
        if svc is None:
            svc = ServiceState(name=p["service"], kind="run", region=self.settings.region)
            state.services.append(svc)
        # A deploy creates a new revision; a pinned split would keep it from serving (see update_traffic).
        add_revision(svc, p["commit"], svc.env, self.now())
        return f"local: deployed {p['service']} at {p['commit']}"

    def _git_revert(self, state, p):
        target = next((c for c in state.commits if c.sha.startswith(p["commit"])), None)
        if target is None:
            raise LocalStepError(f"commit {p['commit']} is not in the local history")
        head_time = state.commits[0].time
        # Just after head, so the demo's timeline (and the drift figures) stay coherent.
        when = head_time + timedelta(minutes=1)
        sha = hashlib.sha1(f"revert {target.sha} {when.isoformat()}".encode()).hexdigest()
        state.commits.insert(0, Commit(sha=sha, time=when, subject=f'Revert "{target.subject}"'))
        return f'local: [{sha[:8]}] Revert "{target.subject}" (This reverts commit {target.sha}.)'

    def _verify_env(self, state, p):
        env = self._service(state, p["service"]).env
        shown = set(self.settings.services.watched_env) | set(p["env"])  # never the other values
        return orjson.dumps({k: v for k, v in env.items() if k in shown}).decode()

    def recheck(self, step: RenderedStep) -> tuple[bool, str]:
        try:
            return self.verify(step, StepResult(exit_code=0))
        except Exception as exc:  # noqa: BLE001 - unreadable state: it does not hold
            return False, f"cannot read the local deploy state: {exc}"

    def verify(self, step: RenderedStep, result: StepResult) -> tuple[bool, str]:
        if not result.ok:
            return False, result.error or f"exit code {result.exit_code}"
        state = self.backend.deploy_state()
        p = step.params
        if step.action == "delete_function":
            gone = state.service(p["function"]) is None
            return gone, "function is gone" if gone else "function still exists"
        if step.action in ("update_env_vars", "verify_env"):
            svc = state.service(p["service"])
            return _compare_env(svc.env if svc else {}, p["env"])
        if step.action == "deploy_service":
            svc = state.service(p["service"])
            ok = svc is not None and svc.commit == p["commit"]
            return ok, f"{p['service']} at {svc.commit if svc else None}"
        if step.action == "deploy_function":
            ok = state.service(p["function"]) is not None
            return ok, "function is deployed" if ok else "function is missing"
        if step.action == "update_traffic":
            svc = state.service(p["service"])
            ok = svc is not None and svc.traffic_latest
            return ok, "traffic on latest" if ok else "traffic pinned"
        if step.action == "git_revert":
            ok = bool(state.commits) and state.commits[0].subject.startswith("Revert")
            return ok, "head is the revert" if ok else "head is not a revert"
        return True, "done"


def watched_names(settings: Settings, step: RenderedStep) -> set[str]:
    """Env names whose values may be shown: the watched flags and what the step sets."""
    env = step.params.get("env")
    return set(settings.services.watched_env) | (set(env) if isinstance(env, dict) else set())


class LocalStepError(Exception):
    pass


def make_executor(settings: Settings, backend=None, now: Callable[[], datetime] | None = None):
    """`now`: when a local step happens (the demo's replay clock in the console; else the wall clock)."""
    if settings.backend == "gcp":
        return GcpExecutor(settings)
    return LocalExecutor(settings, backend, now)
