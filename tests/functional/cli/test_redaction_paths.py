"""Issue 24 item 4, every path output takes: a playbook step's output with the issue's forms
(JSON with a one-line env entry inside pretty JSON, YAML env, free text) reaches the screen
(the run's callbacks), the CLI (stdout/stderr), the audit (output_tail, messages) and
`audit show` without a secret; a secret in a log line quoted by a check reaches no
notification channel (stdout, Slack, webhook, command)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime

import orjson
import pytest

from console.backends import open_backend
from console.core.config import NotifyChannel, load_settings
from console.playbook.engine import Callbacks, Runner
from console.services.notify import Delivery
from console.services.watch import Watcher
from tests.helpers.playbook_cli import run_cli

SECRETS = {
    "bearer": "sk-live-Bearer4f9a8b7c6d5e4f3a",
    "token": "sk-proj-UsingTok3n9d8c7b6a5",
    "userinfo": "sk-user1nfo-7b6a5d4c3b2a",
    "dsn": "sk-dsnpw-1a2b3c4d5e6f7a8b",
    "inline": "sk-inl1ne-9f8e7d6c5b4a",
    "yaml": "hunter2-yaml-pw",
    "pretty": "pretty-pw-42-hunter",
}
FREE_TEXT = [
    f"Authorization: Bearer {SECRETS['bearer']}",
    f"using token {SECRETS['token']}",
    f"fetching https://deployer:{SECRETS['userinfo']}@git.example.com/nba/props.git",
    f"DB_URL=postgres://props:{SECRETS['dsn']}@10.0.0.5/props",
]


def json_describe(flag: str) -> str:
    """Pretty JSON as gcloud prints it, with one env entry written on one line (valid JSON:
    the verification still reads it) and the free-text forms in annotations."""
    annotations = {f"note-{i}": text for i, text in enumerate(FREE_TEXT)}
    head = json.dumps(
        {
            "apiVersion": "serving.knative.dev/v1",
            "kind": "Service",
            "metadata": {"name": "nba-phase3-analytics-processors", "annotations": annotations},
        },
        indent=2,
    )[:-2]
    return (
        head
        + f''',
  "spec": {{
    "template": {{
      "spec": {{
        "containers": [
          {{
            "env": [
              {{"name": "API_TOKEN", "value": "{SECRETS["inline"]}"}},
              {{
                "name": "DB_PASSWORD",
                "value": "{SECRETS["pretty"]}"
              }},
              {{"name": "SEQUENTIAL_EXECUTION_ENABLED", "value": "{flag}"}}
            ]
          }}
        ]
      }}
    }}
  }}
}}
'''
    )


def yaml_describe() -> str:
    return (
        "\n".join(
            [
                "apiVersion: serving.knative.dev/v1",
                "kind: Service",
                "spec:",
                "  template:",
                "    spec:",
                "      containers:",
                "      - env:",
                "        - name: API_TOKEN",
                f"          value: {SECRETS['yaml']}",
                "        - name: SEQUENTIAL_EXECUTION_ENABLED",
                "          value: 'false'",
                *[f"# {t}" for t in FREE_TEXT],
            ]
        )
        + "\n"
    )


def _leaked(text: str) -> list[str]:
    return [name for name, secret in SECRETS.items() if secret in text]


@pytest.mark.parametrize("layout", ["json", "yaml"])
def test_a_step_output_reaches_cli_audit_and_audit_show_without_a_secret(cli_env, layout):
    env, tmp = cli_env
    describe = tmp / "describe.txt"
    describe.write_text(json_describe("false") if layout == "json" else yaml_describe())
    env["FAKE_DESCRIBE_FILE"] = str(describe)
    env["FAKE_DESCRIBE_AFTER_UPDATE"] = "1"  # the pre-flight reads the service as JSON first
    res = run_cli(["playbook", "run", "disable-sequential-execution", "--yes"], env)
    # JSON: the verification reads the real document; YAML is not what it asked for.
    assert res.returncode == (0 if layout == "json" else 1), res.stdout + res.stderr
    assert not _leaked(res.stdout + res.stderr), res.stdout
    assert "SEQUENTIAL_EXECUTION_ENABLED" in res.stdout and "<redacted>" in res.stdout
    audit = (tmp / "state" / "audit.jsonl").read_text()
    assert "output_tail" in audit and not _leaked(audit)
    run_id = orjson.loads(audit.splitlines()[0])["run_id"]
    shown = run_cli(["audit", "show", run_id], env)
    assert shown.returncode == 0 and "SEQUENTIAL_EXECUTION_ENABLED" in shown.stdout
    assert not _leaked(shown.stdout + shown.stderr)


def test_the_screen_gets_masked_lines_and_events(cli_env, monkeypatch):
    """What the TUI's playbook screen is handed: every line, event and failure text."""
    env, tmp = cli_env
    describe = tmp / "describe.txt"
    describe.write_text(yaml_describe())
    for key, value in {**env, "FAKE_DESCRIBE_FILE": str(describe), "FAKE_DESCRIBE_AFTER_UPDATE": "1"}.items():
        monkeypatch.setenv(key, value)
    settings = load_settings(
        backend="gcp",
        state_dir=tmp / "state",
        data_dir=tmp / "data",
        gcp={"platform_checkout": env["NBA_CONSOLE_GCP__PLATFORM_CHECKOUT"]},
        playbooks={"firestore_lock": False},
    )
    seen: list[str] = []
    callbacks = Callbacks(
        confirm=lambda s: True,
        type_target=lambda s: s.target,
        on_line=lambda step, stream, line: seen.append(line),
        on_event=lambda kind, data: seen.append(repr(data)),
        on_failure=lambda step, result, why: seen.append(f"{why} {result.error} {result.tail}") or "abort",
    )
    outcome = Runner(settings, callbacks=callbacks).run("disable-sequential-execution")
    assert outcome.status == "failed" and seen
    assert not _leaked("\n".join(seen) + outcome.message)


# ------------------------------------------------------------------ notifications


def test_a_secret_quoted_by_a_check_reaches_no_channel(demo_settings, httpserver, monkeypatch, capsys, tmp_path):
    logs = demo_settings.data_dir / "current" / "logs" / "phase3.json"
    entries = orjson.loads(logs.read_bytes())
    secret = "sk-live-N0tif1cat10nLeak9z"
    entries.append(
        {
            "insertId": "leak-1",
            "timestamp": "2026-02-05T12:30:00Z",
            "severity": "ERROR",
            "resource": {"type": "cloud_run_revision", "labels": {"service_name": "nba-phase3-analytics-processors"}},
            "textPayload": f"DependencyFailureError: PlayerGameSummaryProcessor: "
            f"postgres://props:{secret}@10.0.0.5/props refused; Authorization: Bearer {secret}",
        }
    )
    logs.write_bytes(orjson.dumps(entries))
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    monkeypatch.setenv("NBA_CONSOLE_SLACK_WEBHOOK", httpserver.url_for("/hook"))
    monkeypatch.setenv("NBA_CONSOLE_WEBHOOK", httpserver.url_for("/hook"))
    sink = tmp_path / "cmd.json"
    channels = [
        NotifyChannel(name="slack", kind="slack", url_env="NBA_CONSOLE_SLACK_WEBHOOK"),
        NotifyChannel(name="hook", kind="webhook", url_env="NBA_CONSOLE_WEBHOOK"),
        NotifyChannel(
            name="cmd",
            kind="command",
            command=[
                sys.executable,
                "-c",
                f"import sys, pathlib; pathlib.Path({str(sink)!r}).write_bytes(sys.stdin.buffer.read())",
            ],
        ),
        NotifyChannel(name="out", kind="stdout"),
    ]
    watch = Watcher(
        demo_settings, channels, date(2026, 2, 4), open_backend, delivery=Delivery(demo_settings, sleep=lambda s: None)
    )
    outcome = watch.run(datetime(2026, 2, 5, 16, 0, tzinfo=UTC))
    assert outcome.delivered == len(channels), outcome
    sequential = next(c for c in outcome.report.checks if c.id == "sequential_execution")
    assert secret in sequential.summary  # the check itself quotes the log line as it is
    sent = [req.get_data(as_text=True) for req, _ in httpserver.log] + [sink.read_text(), capsys.readouterr().out]
    assert all("DependencyFailureError" in body for body in sent)
    assert not [body for body in sent if secret in body], sent
