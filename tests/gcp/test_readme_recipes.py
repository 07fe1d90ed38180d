"""The production recipes ("Running it for real", docs/operations.md) run as written and alert (issue 23).

Each recipe's text is parsed out of docs/operations.md, never copied here: the env file, the cron
lines, the systemd unit and the Cloud Run job (with the repository's Dockerfile). They run on
the gcp backend against the emulators with the demo loaded (tests/gcp/conftest.py), a local
HTTP receiver standing for Slack. Substituted is only what cannot exist here, each said where
it happens: the Google endpoints and project (the emulators'), `gcloud` (tests/gcp/fake_gcloud.py),
paths under $HOME and the Cloud Storage mount (a temporary home and folder), the webhook URL
(the receiver's), and the wall clock: each process runs under libfaketime (LD_PRELOAD, from the
`libfaketime` wheel) on the demo's morning, 2026-02-05 ET, ticking from the moment the recipe's
schedule names, as on a host whose clock reads that morning.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time as real_time
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.emulators.fixtures import TEST_PROJECT
from tests.helpers.readme_blocks import OPERATIONS, ROOT, blocks, file_blocks

ET = ZoneInfo("America/New_York")
FEB5 = date(2026, 2, 5)  # the demo's last morning (games of Feb 4: nba-scrapers 13.4 d behind)
FEB4 = date(2026, 2, 4)  # the morning after Feb 3 (the race, usage rates, DNP rows)
HOOK_PATH = "/services/T0000/B0000/receiver"
SLACK_URL = re.compile(r"https://hooks\.slack\.com/services/\S*")
EXAMPLE_HOME = "/home/oncall"  # docs/operations.md's example home directory
RUN_TIMEOUT_S = 180

# ------------------------------------------------------------------ the world the recipes run in


@pytest.fixture
def world(tmp_path, bq_demo, fs_demo, logs_demo, deploy_demo, httpserver):
    """A home directory laid out as the recipes expect, the receiver, and the environment a
    process gets from this machine in place of Google's (endpoints, project, gcloud, clock)."""
    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_data("ok")
    home = tmp_path / "home"
    (home / "nba-console").mkdir(parents=True)
    (home / "nba-console" / ".venv").symlink_to(sys.prefix)  # the checkout's venv (`make install`)
    (home / "nba-props-platform").symlink_to(deploy_demo)  # gcp.platform_checkout
    substitutes = {
        "BIGQUERY_EMULATOR_HOST": f"127.0.0.1:{bq_demo.port}",
        "FIRESTORE_EMULATOR_HOST": os.environ["FIRESTORE_EMULATOR_HOST"],
        "NBA_CONSOLE_LOGGING_ENDPOINT": logs_demo.http_endpoint,
        "NBA_CONSOLE_PROJECT": TEST_PROJECT,  # the emulators hold the demo under their project
        "FAKE_GCLOUD_DATA": os.environ["FAKE_GCLOUD_DATA"],
        "FAKE_GCLOUD_LOG": os.environ["FAKE_GCLOUD_LOG"],
    }
    return {
        "home": home,
        "tmp": tmp_path,
        "hook": httpserver.url_for(HOOK_PATH),
        "server": httpserver,
        "bin": Path(os.environ["FAKE_GCLOUD_DATA"]).parent / "bin",
        "env": substitutes,
    }


def at(hhmm: str, seconds: int = 0, morning=FEB5) -> dict[str, str]:
    """The environment that puts a process tree's wall clock at HH:MM:SS ET on the demo's
    morning, ticking from there (libfaketime; the monotonic clock stays real)."""
    import libfaketime

    moment = datetime.combine(morning, time.fromisoformat(hhmm), tzinfo=ET).replace(second=seconds)
    _, env = libfaketime.get_reload_information()
    return {**env, "FAKETIME": f"{int(moment.timestamp() - real_time.time()):+d}"}


def localize(text: str, world: dict) -> str:
    """The recipes' example home and webhook URL, made to exist here."""
    return SLACK_URL.sub(world["hook"], text.replace(EXAMPLE_HOME, str(world["home"])))


def posted(world: dict) -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in world["server"].log]


def install_env_file(world: dict) -> Path:
    """The env file the recipes source, written where its first line says."""
    files = file_blocks(path=OPERATIONS)
    path = next(p for p in files if p.endswith("/watch.env"))
    target = Path(path.replace("~", str(world["home"]), 1))
    assert target.parent.is_dir(), f"{path}: its folder is made by the recipes' setup step"
    target.write_text(localize(files[path].body, world))
    target.chmod(0o600)
    return target


def run_setup(world: dict) -> None:
    """The one-time setup commands of "Running it for real" (the bash block before the env file)."""
    setup = [
        b
        for b in blocks(path=OPERATIONS)
        if b.section == "Running it for real"
        and b.lang == "bash"
        and not b.body.startswith("# ~/")
        and "mkdir" in b.body
    ]
    assert len(setup) == 1, "docs/operations.md: Running it for real has one setup block (mkdir ...)"
    subprocess.run(
        ["bash", "-e", "-c", setup[0].body],
        env={"HOME": str(world["home"]), "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=30,
    )


def check_alerted(
    world: dict, runs: list[tuple[str, subprocess.CompletedProcess]], games: str = "2026-02-04"
) -> list[dict]:
    """Every run exited 0 without a traceback; the receiver got an alert of the morning's
    changes first and exactly one summary, at the end."""
    for when, proc in runs:
        assert proc.returncode == 0, (when, proc.stdout[-2000:], proc.stderr[-2000:])
        assert "Traceback" not in proc.stdout + proc.stderr
    texts = [m["text"] for m in posted(world)]
    assert texts and f"Morning check · games {games}" in texts[0], texts
    assert [f"Morning summary · games {games}" in t for t in texts].count(True) == 1, texts
    assert f"Morning summary · games {games}" in texts[-1], texts
    return posted(world)


# ------------------------------------------------------------------ cron


def cron_jobs() -> tuple[dict[str, str], list[tuple[list[str], str]]]:
    """(variables, [(five schedule fields, command)]) of the recipes' crontab."""
    (block,) = [b for b in blocks(path=OPERATIONS) if b.lang == "cron"]
    variables, jobs = {}, []
    for line in block.body.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            name, value = line.split("=", 1)
            variables[name] = value.strip()
        else:
            fields = line.split(None, 5)
            assert "%" not in fields[5], "cron turns % into a newline"
            jobs.append((fields[:5], fields[5]))
    return variables, jobs


def fires(field: str, value: int) -> bool:
    """One cron field (`*`, `*/5`, `6-10`, `0`, lists of those) against a minute or an hour."""
    for part in field.split(","):
        rng, _, step = part.partition("/")
        lo, hi = (0, 59) if rng == "*" else (int(rng.split("-")[0]), int(rng.split("-")[-1]))
        if lo <= value <= hi and (value - lo) % int(step or 1) == 0:
            return True
    return False


def test_cron_recipe_alerts_and_sends_the_summary(world):
    run_setup(world)
    install_env_file(world)
    variables, jobs = cron_jobs()
    assert variables.get("CRON_TZ") == "America/New_York" and len(jobs) == 2
    home = world["home"]
    runs = []
    # Two runs of the every-5-minutes line, then the 11:00 line, each when its schedule fires.
    for hhmm, (schedule, command) in (("07:00", jobs[0]), ("07:05", jobs[0]), ("11:00", jobs[1])):
        hour, minute = map(int, hhmm.split(":"))
        assert fires(schedule[0], minute) and fires(schedule[1], hour), (hhmm, schedule)
        env = {  # what cronie gives a job: its variables, HOME, LOGNAME, SHELL and a short PATH
            **variables,
            "HOME": str(home),
            "LOGNAME": "oncall",
            "SHELL": "/bin/sh",
            "PATH": f"{world['bin']}:/usr/bin:/bin",  # gcloud's stand-in first
            **world["env"],
            **at(hhmm),
        }
        runs.append(
            (
                hhmm,
                subprocess.run(
                    ["/bin/sh", "-c", command], env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S
                ),
            )
        )
    check_alerted(world, runs)
    log = (home / ".local/state/nba-console/watch.log").read_text()
    assert "deployment_drift" in log and "Traceback" not in log, log
    assert (home / "nba-console-reports" / "morning-2026-02-04.md").exists()


# ------------------------------------------------------------------ systemd


def environment_file(text: str) -> dict[str, str]:
    """systemd.exec(5) EnvironmentFile=: KEY=VALUE lines, `#` and `;` comments, blank lines; a
    value in single or double quotes loses them (backslash escapes in double quotes), no
    variable expansion and no `export`."""
    out = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()), f"not an assignment: {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        elif len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r'\\(["\\$`])', r"\1", value[1:-1])
        out[key.strip()] = value
    return out


def unit_file(text: str) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, _, value = line.partition("=")
            current[key.strip()] = value.strip()
    return sections


def test_systemd_unit_alerts_and_exits_0_after_the_summary(world):
    run_setup(world)
    install_env_file(world)
    files = file_blocks(path=OPERATIONS)
    unit = unit_file(files["~/.config/systemd/user/nba-console-watch.service"].body)
    timer = unit_file(files["~/.config/systemd/user/nba-console-watch.timer"].body)
    assert timer["Timer"]["OnCalendar"] == "*-*-* 06:00:00 America/New_York"
    home = str(world["home"])
    service = unit["Service"]
    assert service["Type"] == "exec" and service["Restart"] == "on-failure"  # exit 0 is not restarted

    def specifiers(text: str) -> str:
        return text.replace("%h", home).replace("%%", "%")

    env_path = specifiers(service["EnvironmentFile"])
    assert not env_path.startswith("-"), "the env file is required"
    argv = shlex.split(specifiers(service["ExecStart"]))
    assert Path(argv[0]).is_absolute(), "systemd runs ExecStart without a shell or a PATH search"
    env = {  # the user manager's environment, then the unit's EnvironmentFile
        "HOME": home,
        "USER": "oncall",
        "LOGNAME": "oncall",
        "PATH": f"{world['bin']}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        **environment_file(Path(env_path).read_text()),
        **world["env"],
        # The timer starts it at 06:00; the test starts it 15 s before the end of the morning,
        # so one run tells what is wrong and the 11:00 run sends the summary.
        **at("10:59", 45),
    }
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd="/")
    check_alerted(world, [("systemd", proc)])
    assert (Path(home) / "nba-console-reports" / "morning-2026-02-04.md").exists()


# ------------------------------------------------------------------ Cloud Run job


RECORDING_GCLOUD = """#!{python}
# Records each call (and what `--data-file=-` reads) instead of calling Google.
import json, os, sys
args = sys.argv[1:]
stdin = sys.stdin.read() if "--data-file=-" in args else None
with open(os.environ["GCLOUD_RECORD"], "a") as out:
    out.write(json.dumps({{"argv": args, "stdin": stdin}}) + "\\n")
"""


def gcloud_calls(world: dict, block_text: str) -> list[tuple[list[str], str | None]]:
    """Run the docs' block in bash with a recording gcloud; every call's argv and its stdin."""
    rec_bin = world["tmp"] / "recording-bin"
    rec_bin.mkdir()
    exe = rec_bin / "gcloud"
    exe.write_text(RECORDING_GCLOUD.format(python=sys.executable))
    exe.chmod(0o755)
    record = world["tmp"] / "gcloud.record"
    env = {
        "PATH": f"{rec_bin}:/usr/bin:/bin",
        "HOME": str(world["home"]),
        "GCLOUD_RECORD": str(record),
        "SLACK_WEBHOOK_URL": world["hook"],
    }
    subprocess.run(["bash", "-e", "-c", block_text], env=env, cwd=world["tmp"], check=True, timeout=60)
    return [(c["argv"], c["stdin"]) for c in map(json.loads, record.read_text().splitlines())]


def flag(argv: list[str], name: str) -> list[str]:
    return [a.split("=", 1)[1] for a in argv if a.startswith(f"--{name}=")]


def gcloud_dict(value: str) -> list[str]:
    """gcloud's list/dict flag syntax: comma-separated, or `^D^` to use D as the separator."""
    m = re.match(r"\^(.+?)\^", value)
    return value[m.end() :].split(m.group(1)) if m else value.split(",")


def dockerfile() -> tuple[dict[str, str], list[str]]:
    """ENV and ENTRYPOINT of the repository's Dockerfile (the job's image)."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    env, entrypoint = {}, None
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                key, _, value = pair.partition("=")
                env[key] = value
        elif line.startswith("ENTRYPOINT "):
            entrypoint = json.loads(line[len("ENTRYPOINT ") :])
    assert entrypoint, "the Dockerfile has an exec-form ENTRYPOINT"
    return env, entrypoint


def test_cloud_run_job_alerts_and_sends_the_summary(world):
    (block,) = [
        b for b in blocks(path=OPERATIONS) if b.section == "Running it for real" and "gcloud run jobs deploy" in b.body
    ]
    calls = gcloud_calls(world, block.body)
    (deploy,) = [argv for argv, _ in calls if argv[:3] == ["run", "jobs", "deploy"]]
    secrets = {argv[2]: stdin for argv, stdin in calls if argv[:2] == ["secrets", "create"]}
    schedules = [
        (flag(argv, "schedule")[0], flag(argv, "time-zone")[0])
        for argv, _ in calls
        if argv[:4] == ["scheduler", "jobs", "create", "http"]
    ]
    assert schedules == [("*/5 6-10 * * *", "America/New_York"), ("0 11 * * *", "America/New_York")]

    # The container: the image's ENV, then the job's --set-env-vars and --set-secrets.
    image_env, entrypoint = dockerfile()
    (args,) = flag(deploy, "args")
    env_vars = dict(pair.split("=", 1) for spec in flag(deploy, "set-env-vars") for pair in gcloud_dict(spec))
    for spec in flag(deploy, "set-secrets"):
        for pair in gcloud_dict(spec):
            name, ref = pair.split("=", 1)
            secret, _, version = ref.partition(":")
            assert version == "latest" and secret in secrets, pair
            env_vars[name] = secrets[secret]
    (mount,) = [dict(kv.split("=", 1) for kv in spec.split(",")) for spec in flag(deploy, "add-volume-mount")]
    bucket = world["tmp"] / "bucket"  # the Cloud Storage volume, kept between executions
    bucket.mkdir()

    def in_container(text: str) -> str:
        return text.replace(mount["mount-path"], str(bucket)).replace("/venv/", f"{sys.prefix}/")

    base_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    runs = []
    # When the two Scheduler jobs fire, on the morning after the demo's Feb 3 (something to tell
    # without drift: the image has no platform checkout, so drift has nothing to compare).
    for hhmm in ("07:00", "07:05", "11:00"):
        env = {"HOME": "/root", "PATH": base_path}
        for key, value in image_env.items():
            env[key] = in_container(value.replace("$PATH", env.get("PATH", "")))
        env.update({k: in_container(v) for k, v in env_vars.items()})
        env["PATH"] = f"{world['bin']}:{env['PATH']}"  # gcloud (in the image) is the fake one
        env.update(world["env"], **at(hhmm, morning=FEB4))
        argv = entrypoint + [in_container(a) for a in gcloud_dict(args)]
        runs.append(
            (hhmm, subprocess.run(argv, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd="/"))
        )
    messages = check_alerted(world, runs, games="2026-02-03")
    assert "Sequential execution" in messages[0]["text"], messages[0]["text"]
    # No platform checkout in the image: drift has nothing to compare (unknown, as docs/operations.md says)
    summary = json.dumps(messages[-1], ensure_ascii=False)
    assert "*Deployment drift*: unknown · no commit history to compare against" in summary, summary
    assert (bucket / "reports" / "morning-2026-02-03.md").exists()
    assert (bucket / "watch-state.json").exists()


# ------------------------------------------------------------------ the env file's two readers


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="'"), max_size=60))
@hsettings(max_examples=60, deadline=None)
def test_a_single_quoted_value_reads_the_same_to_sh_and_to_systemd(value):
    """The recipes' claim about watch.env: a value in single quotes (JSON included) is the same
    string whether `sh` sources the file (cron) or systemd reads it (EnvironmentFile=)."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".env", delete=False) as fh:
        fh.write(f"# comment\nNBA_VALUE='{value}'\n")
    try:
        by_sh = subprocess.run(
            ["/bin/sh", "-c", f'set -a; . {fh.name}; printf %s "$NBA_VALUE"'],
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": "/usr/bin:/bin"},
        ).stdout
        assert environment_file(Path(fh.name).read_text())["NBA_VALUE"] == by_sh == value
    finally:
        os.unlink(fh.name)
