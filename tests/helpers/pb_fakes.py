"""Real executables standing in for gcloud and ./bin/deploy-service.sh: each appends its argv
as one JSON line to $FAKE_LOG, so tests compare what really ran, list for list."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from console.playbook.executors import LocalExecutor, StepResult

FAKE_GCLOUD = r"""#!{python}
import json, os, sys, time
argv = ["gcloud"] + sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as fh:
    fh.write(json.dumps(argv) + "\n")
joined = " ".join(argv)
fail = os.environ.get("FAKE_FAIL")
if fail and fail in joined:
    print("ERROR: (gcloud) simulated failure", file=sys.stderr)
    sys.exit(3)
if argv[1:3] == ["auth", "list"]:
    print(os.environ.get("FAKE_ACCOUNT", "oncall@example.com"))
elif argv[1:3] == ["config", "get-value"]:
    print(os.environ.get("FAKE_PROJECT", "nba-props-platform"))
elif argv[1:3] == ["functions", "describe"]:
    print("ERROR: (gcloud.functions.describe) NOT_FOUND", file=sys.stderr)
    sys.exit(1)
elif argv[1:4] == ["run", "services", "describe"]:
    # FAKE_DESCRIBE_FILE: what describe prints; FAKE_DESCRIBE_AFTER_UPDATE=1: only once a
    # `run services update` ran (the pre-flight's describe before it gets the JSON below).
    updated = any('"services", "update"' in line for line in open(os.environ["FAKE_LOG"]))
    describe_file = os.environ.get("FAKE_DESCRIBE_FILE")
    if describe_file and (updated or not os.environ.get("FAKE_DESCRIBE_AFTER_UPDATE")):
        sys.stdout.write(open(describe_file).read())
        sys.exit(0)
    env = json.loads(os.environ.get("FAKE_ENV", "{{}}"))
    state_path = os.environ.get("FAKE_STATE", "/nonexistent")
    state = json.load(open(state_path)) if os.path.exists(state_path) else {{}}
    svc = state.get(argv[4], {{}})
    env_list = [{{"name": k, "value": v}} for k, v in env.items()]
    doc = {{"metadata": {{"labels": {{"commit-sha": svc["commit"]}} if svc.get("commit") else {{}}}},
           "spec": {{"template": {{"spec": {{"containers": [{{"env": env_list}}]}}}},
                    "traffic": [{{"latestRevision": True, "percent": 100}}] if svc.get("latest") else []}}}}
    print(json.dumps(doc, indent=2, sort_keys=True))
else:
    if argv[1:4] == ["run", "services", "update-traffic"] and os.environ.get("FAKE_STATE"):
        path = os.environ["FAKE_STATE"]
        state = json.load(open(path)) if os.path.exists(path) else {{}}
        state.setdefault(argv[4], {{}})["latest"] = True
        json.dump(state, open(path, "w"))
    print("Updating " + " ".join(argv[1:4]) + "...")
    print("Done.", file=sys.stderr)
"""

FAKE_DEPLOY = r"""#!{python}
import json, os, sys, time
argv = ["./bin/deploy-service.sh"] + sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as fh:
    fh.write(json.dumps(argv) + "\n")
events = os.environ.get("FAKE_EVENTS")
def event(what):
    if events:
        with open(events, "a") as fh:
            fh.write(json.dumps([what, sys.argv[1], time.time(), os.getpid()]) + "\n")
event("START")
print("Deploying " + sys.argv[1] + " at " + sys.argv[2], flush=True)
hang = os.environ.get("FAKE_HANG_FILE")
if hang and os.path.exists(hang) and os.environ.get("FAKE_HANG") in " ".join(argv):
    # Hangs FAKE_HANG_S, or until the test removes the hang file: a test that needs the step
    # to end says when, rather than betting on how long its own commands take.
    end = time.time() + float(os.environ.get("FAKE_HANG_S", "120"))
    while time.time() < end and os.path.exists(hang):
        time.sleep(0.05)
path = os.environ.get("FAKE_STATE")
if path:
    state = json.load(open(path)) if os.path.exists(path) else {{}}
    state[sys.argv[1]] = {{"commit": sys.argv[2].split("=", 1)[1], "latest": False}}
    json.dump(state, open(path, "w"))
event("END")
"""


def write_exe(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.format(python=sys.executable))
    path.chmod(0o755)
    return path


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def make_checkout(root: Path) -> Path:
    """A real git repository with the deploy script and the grading function's source."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write_exe(root / "bin" / "deploy-service.sh", FAKE_DEPLOY)
    (root / "orchestration" / "cloud_functions" / "grading").mkdir(parents=True)
    (root / "orchestration" / "cloud_functions" / "grading" / "main.py").write_text("def grade(): pass\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    # The handoff's commits the playbooks and tests name (the prediction-services rollback
    # target, the head the scrapers are redeployed to): pre-flight refuses a commit the
    # checkout cannot resolve, and a SHA prefix cannot be forged, so tags of those names stand in.
    for name in ("29130502", "06934c94"):
        git(root, "tag", name)
    return root


def fake_env(tmp: Path, monkeypatch=None, **extra: str) -> dict[str, str]:
    """PATH with the fake gcloud first; FAKE_LOG where argv lines go."""
    bindir = tmp / "fakebin"
    write_exe(bindir / "gcloud", FAKE_GCLOUD)
    env = {
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_LOG": str(tmp / "argv.jsonl"),
        "FAKE_STATE": str(tmp / "fake-state.json"),
        "FAKE_EVENTS": str(tmp / "deploy-events.jsonl"),
        **extra,
    }
    if monkeypatch is not None:
        for k, v in env.items():
            monkeypatch.setenv(k, v)
    return env


def ran(tmp: Path) -> list[list[str]]:
    path = tmp / "argv.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def deploy_events(tmp: Path) -> list[list]:
    """[event, service, unix time, pid] lines the fake deploy script wrote (START / END)."""
    path = tmp / "deploy-events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def never_overlapping(events: list[list]) -> bool:
    """No deploy STARTs while another one has not ENDed (a killed one never ends: it must
    have been the last)."""
    running: set[int] = set()
    for what, _service, _when, pid in events:
        if what == "START":
            if running:
                return False
            running.add(pid)
        else:
            running.discard(pid)
    return True


class FailingExecutor(LocalExecutor):
    def __init__(self, *a, fail_step=0, **kw):
        super().__init__(*a, **kw)
        self.fail_step, self.executed = fail_step, []

    def execute(self, step, on_line, **kw):
        self.executed.append(step.index)
        if step.index == self.fail_step:
            on_line("stderr", "ERROR: simulated")
            return StepResult(exit_code=1, tail=["stderr: ERROR: simulated"])
        return super().execute(step, on_line, **kw)
