"""No secrets kept (issue 10): realistic `gcloud run services describe --format=json` output
goes through the one redaction function before the screen and the audit; no environment
value but the watched flag's survives, nor any value under a KEY/TOKEN/SECRET/PASSWORD/
CREDENTIAL key, while verification still reads the real document."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.core.config import load_settings
from console.playbook.audit import AuditLog
from console.playbook.engine import Callbacks, Runner
from console.playbook.redact import MASK, Redactor, redact_text
from tests.helpers.examples import examples
from tests.helpers.pb_fakes import fake_env, make_checkout
from tests.helpers.redaction_documents import HIDDEN, describe_document


def test_pretty_and_compact_describe_output_keeps_no_value():
    doc = describe_document()
    for text in (json.dumps(doc, indent=2, sort_keys=True), json.dumps(doc, indent=4), json.dumps(doc)):
        shown = redact_text(text, {"SEQUENTIAL_EXECUTION_ENABLED"})
        assert not [v for v in HIDDEN if v in shown], shown
        assert "SEQUENTIAL_EXECUTION_ENABLED" in shown and MASK in shown
        assert '"value": "false"' in shown or '"value":"false"' in shown  # the watched flag stays readable
        assert "analytics:ef8193b1" in shown  # what is not a secret stays


def test_plain_text_pairs_are_masked():
    r = Redactor()
    assert "sk-live" not in r.line("Updating env: ODDS_API_KEY=sk-live-123,LOG_LEVEL=info")
    assert "hunter2" not in r.line("db_password: hunter2")
    assert "LOG_LEVEL=info" in r.line("LOG_LEVEL=info")


@hsettings(max_examples=examples(200), deadline=None)
@given(
    name=st.from_regex(r"[A-Z][A-Z_]{0,20}", fullmatch=True),
    value=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=6, max_size=40),
    indent=st.sampled_from([None, 1, 2, 4]),
)
def test_no_env_value_survives_any_layout(name, value, indent):
    doc = {"spec": {"containers": [{"env": [{"name": name, "value": value}]}]}}
    shown = redact_text(json.dumps(doc, indent=indent, sort_keys=True), {"SEQUENTIAL_EXECUTION_ENABLED"})
    escaped = json.dumps(value)[1:-1]
    assert escaped not in shown.replace(f'"{name}"', "")


def test_end_to_end_nothing_secret_reaches_the_screen_or_the_audit(tmp_path, monkeypatch):
    checkout = make_checkout(tmp_path / "platform")
    describe = tmp_path / "describe.json"
    describe.write_text(json.dumps(describe_document("false"), indent=2, sort_keys=True) + "\n")
    fake_env(tmp_path, monkeypatch, FAKE_DESCRIBE_FILE=str(describe))
    settings = load_settings(
        backend="gcp",
        state_dir=tmp_path / "state",
        data_dir=tmp_path / "data",
        gcp={"platform_checkout": checkout},
        playbooks={"firestore_lock": False},
    )
    screen: list[str] = []
    outcome = Runner(
        settings,
        callbacks=Callbacks(
            confirm=lambda s: True,
            type_target=lambda s: s.target,
            on_line=lambda step, stream, line: screen.append(line),
        ),
    ).run("disable-sequential-execution")
    assert outcome.ok, outcome.message  # verification read the real document
    shown = "\n".join(screen)
    assert "SEQUENTIAL_EXECUTION_ENABLED" in shown and not [v for v in HIDDEN if v in shown]
    audit = (tmp_path / "state" / "audit.jsonl").read_text()
    assert "output_tail" in audit and not [v for v in HIDDEN if v in audit]
    env = {"NBA_CONSOLE_STATE_DIR": str(tmp_path / "state"), "PATH": "/usr/bin:/bin"}
    res = subprocess.run(
        [sys.executable, "-m", "console", "audit", "show", outcome.run_id],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0 and "SEQUENTIAL_EXECUTION_ENABLED" in res.stdout
    assert not [v for v in HIDDEN if v in res.stdout + res.stderr]
    assert AuditLog(tmp_path / "state").run(outcome.run_id).status == "completed"
