"""Deploy state on gcp: `gcloud run services describe` / `gcloud functions describe` per
service, each one's revisions (`gcloud run revisions list`: Cloud Run services and 2nd gen
functions, which run on Cloud Run), and the platform checkout's `git log`.

When a revision took the traffic: when it was created (a deploy routes to the new revision),
and, for the revision serving now, again when its routing state last changed to active
(`serving.knative.dev/routingStateModified`: a rollback by `update-traffic`). A 1st gen
function has no revisions: its one known deploy is its `updateTime`.

gcloud rather than the Run/Functions client libraries: it is what the playbooks already
use, it carries the user's own login, and its JSON is the documented resource shape.
Commands are argv lists (no shell) with a timeout; the services are described in parallel
since one `gcloud` call takes about a second.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from console.core.errors import ErrorKind, SourceError
from console.core.models import Commit, DeployState, Revision, ServiceState
from console.core.timestamps import parse_timestamp

COMMIT_LABELS = ("commit-sha", "commit_sha", "git-commit")
COMMIT_ENV = ("COMMIT_SHA", "GIT_COMMIT")
GCLOUD_TIMEOUT_S = 60.0
GIT_LOG_LIMIT = 500
REVISION_LIMIT = 100  # newest first; before the oldest listed, drift says "no deploy record"
ROUTING_STATE = "serving.knative.dev/routingState"
ROUTING_STATE_MODIFIED = "serving.knative.dev/routingStateModified"
_NEVER = datetime.min.replace(tzinfo=UTC)


def gcloud_argv(kind: str, name: str, region: str, project: str) -> list[str]:
    group = ["run", "services"] if kind == "run" else ["functions"]
    return ["gcloud", *group, "describe", name, f"--region={region}", f"--project={project}", "--format=json"]


def revisions_argv(service: str, region: str, project: str) -> list[str]:
    return [
        "gcloud",
        "run",
        "revisions",
        "list",
        f"--service={service}",
        f"--region={region}",
        f"--project={project}",
        "--format=json",
        f"--limit={REVISION_LIMIT}",
    ]


def _run(argv: list[str], timeout: float, cwd: Path | None = None) -> subprocess.CompletedProcess:
    exe = shutil.which(argv[0])
    if exe is None:
        raise SourceError(ErrorKind.UNAVAILABLE, f"`{argv[0]}` not found on PATH (needed for deploy state)")
    try:
        return subprocess.run(
            [exe, *argv[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            shell=False,
            check=False,
            env={**os.environ, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        raise SourceError(ErrorKind.TIMEOUT, f"`{' '.join(argv[:4])}` did not finish in {timeout:.0f} s") from exc
    except OSError as exc:
        raise SourceError(ErrorKind.UNAVAILABLE, f"cannot run {argv[0]}: {exc.strerror}") from exc


def _gcloud_error(stderr: str, kind: str, name: str) -> SourceError | None:
    """None for 'not found' (the service is simply not deployed); otherwise the error."""
    text = stderr.strip()
    last = next((line for line in reversed(text.splitlines()) if line.strip()), "gcloud failed")
    low = text.lower()
    if "not_found" in low or "could not be found" in low or "not found" in low:
        return None
    if (
        "no credentialed accounts" in low
        or "active account" in low
        or "reauthentication" in low
        or "gcloud auth login" in low
    ):
        return SourceError(ErrorKind.AUTH, "gcloud is not logged in: run `gcloud auth login`")
    if "permission_denied" in low or "permission denied" in low or "403" in low:
        role = (
            "Cloud Run Viewer (roles/run.viewer)"
            if kind == "run"
            else "Cloud Functions Viewer (roles/cloudfunctions.viewer)"
        )
        return SourceError(ErrorKind.PERMISSION, f"describing {name}: permission denied, your account needs {role}")
    if "quota" in low or "429" in low or ("rate" in low and "exceeded" in low):
        return SourceError(ErrorKind.QUOTA, f"describing {name}: quota exceeded ({last})")
    return SourceError(ErrorKind.UNAVAILABLE, f"describing {name}: {last}")


def _commit_from(labels: dict[str, Any], env: dict[str, str]) -> str | None:
    for key in COMMIT_LABELS:
        if labels.get(key):
            return str(labels[key])
    for key in COMMIT_ENV:
        if env.get(key):
            return env[key]
    return None


def _env_list(items: Any) -> dict[str, str]:
    """Knative's `[{"name": .., "value": ..}]` (valueFrom secrets have no value: shown as '(secret)')."""
    out = {}
    for item in items or []:
        if isinstance(item, dict) and item.get("name"):
            out[str(item["name"])] = str(item["value"]) if "value" in item else "(secret)"
    return out


def parse_run_service(doc: dict[str, Any], region: str) -> ServiceState:
    """A `gcloud run services describe --format=json` document (Knative Service)."""
    meta = doc.get("metadata") or {}
    spec = (doc.get("spec") or {}).get("template") or {}
    template_meta = spec.get("metadata") or {}
    containers = (spec.get("spec") or {}).get("containers") or [{}]
    env = _env_list(containers[0].get("env"))
    labels = {**(meta.get("labels") or {}), **(template_meta.get("labels") or {})}
    status = doc.get("status") or {}
    ready: dict[str, Any] = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
    deployed_at = parse_timestamp(ready.get("lastTransitionTime")) or parse_timestamp(meta.get("creationTimestamp"))
    traffic = status.get("traffic") or []
    latest = any(t.get("latestRevision") and t.get("percent", 0) == 100 for t in traffic) if traffic else True
    return ServiceState(
        name=meta.get("name") or "",
        kind="run",
        region=region,
        commit=_commit_from(labels, env),
        deployed_at=deployed_at,
        env=env,
        traffic_latest=latest,
    )


def parse_function(doc: dict[str, Any], name: str, region: str) -> ServiceState:
    """A `gcloud functions describe --format=json` document, 2nd gen (serviceConfig) or 1st gen."""
    service_config = doc.get("serviceConfig") or {}
    env = {
        str(k): str(v)
        for k, v in (service_config.get("environmentVariables") or doc.get("environmentVariables") or {}).items()
    }
    build_env = (doc.get("buildConfig") or {}).get("environmentVariables") or {}
    labels = doc.get("labels") or {}
    commit = _commit_from(labels, env) or _commit_from({}, {str(k): str(v) for k, v in build_env.items()})
    return ServiceState(
        name=name,
        kind="function",
        region=region,
        commit=commit,
        deployed_at=parse_timestamp(doc.get("updateTime")),
        env=env,
    )


def parse_revision(doc: dict[str, Any]) -> Revision | None:
    """One item of `gcloud run revisions list --format=json` (a Knative Revision); None when
    it has no creation time (it cannot be placed in time)."""
    meta = _obj(doc.get("metadata"))
    created = parse_timestamp(meta.get("creationTimestamp"))
    if created is None:
        return None
    containers = _obj(doc.get("spec")).get("containers")
    first = containers[0] if isinstance(containers, list) and containers else None
    env = _env_list(_obj(first).get("env")) if isinstance(_obj(first).get("env"), list) else {}
    labels, notes = _obj(meta.get("labels")), _obj(meta.get("annotations"))
    traffic = None  # from its creation
    routed = parse_timestamp(notes.get(ROUTING_STATE_MODIFIED))
    if labels.get(ROUTING_STATE) == "active" and routed is not None and routed > created:
        traffic = [created, routed]  # serving now, routed to (again) after it was created
    name = meta.get("name")
    return Revision(
        name=name if isinstance(name, str) else None,
        commit=_commit_from(labels, env),
        created_at=created,
        traffic_at=traffic,
        env=env,
    )


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object, or {} for anything else (a field of an unexpected shape reads as absent)."""
    return value if isinstance(value, dict) else {}


def _json(proc: subprocess.CompletedProcess, name: str, shape: type) -> Any:
    try:
        doc = orjson.loads(proc.stdout)
    except orjson.JSONDecodeError as exc:
        raise SourceError(ErrorKind.MALFORMED, f"describing {name}: gcloud printed no JSON ({exc})") from exc
    if not isinstance(doc, shape):
        raise SourceError(ErrorKind.MALFORMED, f"describing {name}: expected a JSON {shape.__name__}")
    return doc


def describe(kind: str, name: str, region: str, project: str, timeout: float = GCLOUD_TIMEOUT_S) -> ServiceState | None:
    found = _describe(kind, name, region, project, timeout)
    return None if found is None else found[0]


def _describe(
    kind: str, name: str, region: str, project: str, timeout: float
) -> tuple[ServiceState, str | None] | None:
    """The service as it is now, and the Cloud Run service whose revisions are its history
    (itself; a 2nd gen function's `serviceConfig.service`; None for a 1st gen function)."""
    proc = _run(gcloud_argv(kind, name, region, project), timeout)
    if proc.returncode != 0:
        error = _gcloud_error(proc.stderr, kind, name)
        if error is None:
            return None
        raise error
    doc = _json(proc, name, dict)
    state = parse_run_service(doc, region) if kind == "run" else parse_function(doc, name, region)
    state = state if state.name else state.model_copy(update={"name": name})
    if kind == "run":
        return state, state.name
    backing = str((doc.get("serviceConfig") or {}).get("service") or "").rsplit("/", 1)[-1]
    return state, backing or None


def with_history(kind: str, name: str, region: str, project: str, left: Callable[[], float]) -> ServiceState | None:
    """`describe`, then the revisions; each gcloud call bounded by what is `left()` of the
    read's deadline."""
    found = _describe(kind, name, region, project, left())
    if found is None:
        return None
    state, backing = found
    if backing is None:
        return state
    history = list_revisions(backing, region, project, left())
    if not history:
        return state
    if history[-1].commit is None and state.commit:
        # The service's template is its newest revision: a commit label set on the service
        # (not on the template, so on no revision) still names what that revision runs.
        history[-1] = history[-1].model_copy(update={"commit": state.commit})
    return state.model_copy(update={"revisions": history})


def list_revisions(service: str, region: str, project: str, timeout: float) -> list[Revision]:
    """The service's revisions, oldest first ([] when the service has none to list)."""
    proc = _run(revisions_argv(service, region, project), timeout)
    if proc.returncode != 0:
        error = _gcloud_error(proc.stderr, "run", service)
        if error is None:
            return []
        raise error
    found = [parse_revision(item) for item in _json(proc, service, list) if isinstance(item, dict)]
    # parse_revision drops a revision with no creation time: the fallback never sorts one
    return sorted((r for r in found if r is not None), key=lambda r: r.created_at or _NEVER)


def git_commits(checkout: Path | None, limit: int = GIT_LOG_LIMIT, timeout: float = 30.0) -> list[Commit]:
    """`git log --format=%H%x09%cI%x09%s -n LIMIT`, newest first; [] without a checkout."""
    if checkout is None:
        return []
    if not Path(checkout).is_dir():
        raise SourceError(
            ErrorKind.NOT_FOUND, f"platform checkout {checkout} does not exist (config key gcp.platform_checkout)"
        )
    proc = _run(["git", "-C", str(checkout), "log", "--format=%H%x09%cI%x09%s", "-n", str(limit)], timeout)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["git log failed"])[-1]
        raise SourceError(ErrorKind.UNAVAILABLE, f"git log in {checkout} (gcp.platform_checkout): {last}")
    commits = []
    for line in proc.stdout.splitlines():
        sha, _, rest = line.partition("\t")
        when, _, subject = rest.partition("\t")
        moment = parse_timestamp(when)
        if sha and moment is not None:
            commits.append(Commit(sha=sha, time=moment, subject=subject))
    return commits


def deploy_state(settings, workers: int | None = None) -> DeployState:
    """Every configured Cloud Run service and function with its revisions, and the platform
    repo's history.

    All described at once, each command bounded by what is left of the check's deadline
    (gcp.query_timeout_s), so the whole read ends by it."""
    from console.core.deadline import current_deadline

    targets = [("run", n) for n in settings.services.cloud_run] + [("function", n) for n in settings.services.functions]
    deadline = current_deadline(settings.gcp.query_timeout_s)

    def left() -> float:  # a service's second call (its revisions) gets what its first left
        return min(GCLOUD_TIMEOUT_S, deadline.remaining())

    with ThreadPoolExecutor(max_workers=workers or len(targets) + 1) as pool:
        futures = [
            pool.submit(with_history, kind, name, settings.region, settings.project, left) for kind, name in targets
        ]
        commits_future = pool.submit(git_commits, settings.gcp.platform_checkout, timeout=min(30.0, left()))
        services = [s for s in (f.result() for f in futures) if s is not None]
        commits = commits_future.result()
    return DeployState(services=services, commits=commits)
