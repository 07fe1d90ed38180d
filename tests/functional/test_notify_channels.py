"""watch's channels against a real HTTP server on 127.0.0.1 (pytest-httpserver): the Slack
payload, the webhook's JSON and signature, 429 with Retry-After, 500 then success, a timeout,
a dead endpoint, a command channel, and secrets that never reach output or logs."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import sys
import threading
import time
from datetime import UTC, date, datetime

import pytest
from werkzeug import Response

from console.backends import open_backend
from console.core.config import NotifyChannel
from console.services.notify import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    Delivery,
    DeliveryError,
    mask_url,
    parse_retry_after,
)
from console.services.watch import Watcher

FEB3 = date(2026, 2, 3)
AT_0700 = datetime(2026, 2, 4, 12, 0, tzinfo=UTC)  # 07:00 ET on the processing date
SECRET_PATH = "/services/T0000/B0000/s3cr3tT0ken"


class Sleeps(list):
    """Records the back-off instead of sleeping: a real server, a fast test."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def slack(name: str = "oncall", timeout_s: float = 2.0) -> NotifyChannel:
    return NotifyChannel(name=name, kind="slack", url_env="NBA_CONSOLE_SLACK_WEBHOOK", timeout_s=timeout_s)


@pytest.fixture
def hook(httpserver, monkeypatch):
    url = httpserver.url_for(SECRET_PATH)
    monkeypatch.setenv("NBA_CONSOLE_SLACK_WEBHOOK", url)
    return url


def watcher(settings, channels, sleeps=None) -> Watcher:
    return Watcher(
        settings,
        channels,
        FEB3,
        open_backend,
        delivery=Delivery(settings, sleep=sleeps if sleeps is not None else Sleeps()),
    )


def posted(httpserver) -> list[dict]:
    return [json.loads(req.get_data()) for req, _ in httpserver.log]


def test_slack_message_shape(httpserver, hook, demo_settings):
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    outcome = watcher(demo_settings, [slack()]).run(AT_0700)
    assert outcome.delivered == 1 and not outcome.failed
    ((request, _),) = httpserver.log
    assert request.headers["Content-Type"] == "application/json" and request.headers[DELIVERY_HEADER]
    message = json.loads(request.get_data())
    blocks = message["blocks"]
    assert blocks[0]["type"] == "header" and "games 2026-02-03" in blocks[0]["text"]["text"]
    assert blocks[1]["type"] == "context" and "07:00 EST" in blocks[1]["elements"][0]["text"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    # one block per changed check, with its status and summary, as the runner judged it
    for change in outcome.changes:
        block = next(s for s in sections if change["title"] in s)
        assert change["status"] in block and change["summary"][:40] in block
        for row in change["rows"]:
            assert row in block
    # suggested playbook commands, as code
    code = [s for s in sections if s.startswith("Suggested:")]
    assert code and all("```" in s and "nba-console playbook run" in s for s in code)
    assert message["text"].startswith(blocks[0]["text"]["text"])
    assert all(len(s) <= 3000 for s in sections)


def test_webhook_posts_the_check_json_with_changes_and_an_hmac_signature(httpserver, demo_settings, monkeypatch):
    monkeypatch.setenv("HOOK_URL", httpserver.url_for("/hook"))
    monkeypatch.setenv("HOOK_KEY", "k3y")
    httpserver.expect_request("/hook", method="POST").respond_with_data("", status=204)
    channel = NotifyChannel(name="ops", kind="webhook", url_env="HOOK_URL", secret_env="HOOK_KEY")
    outcome = watcher(demo_settings, [channel]).run(AT_0700)
    ((request, _),) = httpserver.log
    body = request.get_data()
    expected = "sha256=" + hmac.new(b"k3y", body, hashlib.sha256).hexdigest()
    assert request.headers[SIGNATURE_HEADER] == expected
    payload = json.loads(body)
    assert payload["game_date"] == "2026-02-03" and len(payload["checks"]) == 6
    assert payload["event"] == "changes" and payload["changes"] == outcome.changes
    assert payload["status"] == outcome.report.status.value


def test_429_waits_for_retry_after_then_delivers(httpserver, hook, demo_settings):
    httpserver.expect_ordered_request(SECRET_PATH).respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request(SECRET_PATH).respond_with_data("ok")
    sleeps = Sleeps()
    outcome = watcher(demo_settings, [slack()], sleeps).run(AT_0700)
    assert outcome.delivered == 1 and sleeps == [7.0] and len(httpserver.log) == 2


def test_retry_after_is_capped(httpserver, hook, demo_settings):
    httpserver.expect_ordered_request(SECRET_PATH).respond_with_data("", status=429, headers={"Retry-After": "86400"})
    httpserver.expect_ordered_request(SECRET_PATH).respond_with_data("ok")
    sleeps = Sleeps()
    watcher(demo_settings, [slack()], sleeps).run(AT_0700)
    assert sleeps == [demo_settings.watch.retry_max_wait_s]


def test_500_then_success_backs_off_exponentially(httpserver, hook, demo_settings):
    for _ in range(2):
        httpserver.expect_ordered_request(SECRET_PATH).respond_with_data("boom", status=500)
    httpserver.expect_ordered_request(SECRET_PATH).respond_with_data("ok")
    sleeps = Sleeps()
    outcome = watcher(demo_settings, [slack()], sleeps).run(AT_0700)
    assert outcome.delivered == 1 and not outcome.failed
    assert sleeps == [1.0, 2.0] and len(httpserver.log) == 3


def test_a_400_is_not_retried(httpserver, hook, demo_settings):
    httpserver.expect_request(SECRET_PATH).respond_with_data("invalid_payload", status=400)
    sleeps = Sleeps()
    outcome = watcher(demo_settings, [slack()], sleeps).run(AT_0700)
    assert len(httpserver.log) == 1 and sleeps == [] and "HTTP 400" in outcome.failed[0]


def test_a_timeout_is_bounded_and_retried(httpserver, hook, demo_settings):
    release = threading.Event()

    def slow(request):
        release.wait(5.0)
        return Response("late")

    httpserver.expect_request(SECRET_PATH).respond_with_handler(slow)
    settings = demo_settings.model_copy(update={"watch": demo_settings.watch.model_copy(update={"retry_attempts": 2})})
    started = time.monotonic()
    outcome = watcher(settings, [slack(timeout_s=0.2)]).run(AT_0700)
    assert time.monotonic() - started < 5
    assert outcome.delivered == 0 and "timed out after 0.2s" in outcome.failed[0]
    release.set()  # let the server's handlers finish before the next test uses it
    deadline = time.monotonic() + 5
    while len(httpserver.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_a_dead_endpoint_never_stops_the_watch_and_the_message_waits_in_the_outbox(
    httpserver, demo_settings, monkeypatch
):
    monkeypatch.setenv("NBA_CONSOLE_SLACK_WEBHOOK", f"http://127.0.0.1:{_dead_port()}{SECRET_PATH}")
    w = watcher(demo_settings, [slack()])
    first = w.run(AT_0700)
    assert first.changes and first.delivered == 0 and "ConnectError" in first.failed[0]
    assert len(first.report.checks) == 6  # the check ran in full regardless
    # The receiver comes back: the waiting message goes out once, and nothing new is decided.
    monkeypatch.setenv("NBA_CONSOLE_SLACK_WEBHOOK", httpserver.url_for(SECRET_PATH))
    httpserver.expect_request(SECRET_PATH).respond_with_data("ok")
    httpserver.clear_log()
    second = w.run(AT_0700.replace(minute=5))
    assert second.changes == [] and second.delivered == 1 and len(httpserver.log) == 1
    assert w.run(AT_0700.replace(minute=10)).delivered == 0 and len(httpserver.log) == 1


def test_a_message_that_keeps_failing_is_dropped_after_outbox_runs(demo_settings, monkeypatch, caplog):
    monkeypatch.setenv("NBA_CONSOLE_SLACK_WEBHOOK", f"http://127.0.0.1:{_dead_port()}/x")
    w = watcher(demo_settings, [slack()])
    runs = demo_settings.watch.outbox_runs
    with caplog.at_level(logging.WARNING, logger="nba_console.watch"):
        for i in range(runs):
            outcome = w.run(AT_0700.replace(minute=i))
    assert "dropped after" in outcome.failed[-1]
    with w.store:
        assert w.store.load().outbox == []


def test_secrets_never_reach_output_or_logs(httpserver, hook, demo_settings, capsys, caplog, tmp_path, monkeypatch):
    from console.cli import main

    monkeypatch.setenv("HOOK_KEY", "hmac-s3cr3t")
    config = tmp_path / "nba-console.toml"
    config.write_text(
        f'data_dir = "{demo_settings.data_dir}"\nstate_dir = "{tmp_path / "state"}"\n'
        "[watch]\nretry_initial_s = 0.01\n"
        '[[notify]]\nname = "oncall"\nkind = "slack"\nurl_env = "NBA_CONSOLE_SLACK_WEBHOOK"\n'
        '[[notify]]\nname = "ops"\nkind = "webhook"\nurl_env = "NBA_CONSOLE_SLACK_WEBHOOK"\nsecret_env = "HOOK_KEY"\n'
    )
    httpserver.expect_request(SECRET_PATH).respond_with_data("boom", status=500)
    with caplog.at_level(logging.DEBUG):
        code = main(["--config", str(config), "watch", "--once", "--date", "2026-02-03", "--at", "07:00"])
        main(["--config", str(config), "config"])
    out, err = capsys.readouterr()
    assert code == 2  # undelivered: the run says so in its exit code
    # The receiver's own request log (werkzeug) is the receiver's business, not ours.
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))
    everything = out + err + ours
    assert "http://local…/****" in err and "HTTP 500" in err
    for secret in ("s3cr3tT0ken", "hmac-s3cr3t", hook):
        assert secret not in everything


def test_a_command_channel_gets_the_json_on_stdin_and_is_bounded(demo_settings, tmp_path):
    sink = tmp_path / "got.json"
    script = f"import sys, pathlib; pathlib.Path({str(sink)!r}).write_bytes(sys.stdin.buffer.read())"
    ok = NotifyChannel(name="cmd", kind="command", command=[sys.executable, "-c", script])
    outcome = watcher(demo_settings, [ok]).run(AT_0700)
    assert outcome.delivered == 1 and json.loads(sink.read_bytes())["changes"] == outcome.changes
    slow = NotifyChannel(
        name="slow", kind="command", command=[sys.executable, "-c", "import time; time.sleep(5)"], timeout_s=0.3
    )
    with pytest.raises(DeliveryError, match=r"timed out after 0\.3s"):
        Delivery(demo_settings).send(
            slow, {"id": "x", "type": "changes", "report": outcome.report.to_json_dict(), "changes": []}
        )
    failing = NotifyChannel(name="bad", kind="command", command=[sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(DeliveryError, match="exited 3"):
        Delivery(demo_settings).send(
            failing, {"id": "x", "type": "changes", "report": outcome.report.to_json_dict(), "changes": []}
        )


def test_mask_url_and_retry_after():
    assert mask_url("https://hooks.slack.com/services/T0/B0/xyz") == "https://hooks…/****"
    assert mask_url(None) == "(unset)"
    assert parse_retry_after("3") == 3.0 and parse_retry_after("nonsense") is None and parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: no wait


def test_a_dead_channel_costs_one_bounded_attempt_per_run_and_others_still_get_theirs(
    httpserver, hook, demo_settings, monkeypatch
):
    monkeypatch.setenv("DEAD_URL", f"http://127.0.0.1:{_dead_port()}/x")
    httpserver.expect_request(SECRET_PATH).respond_with_data("ok")
    dead = NotifyChannel(name="dead", kind="webhook", url_env="DEAD_URL")
    sleeps = Sleeps()
    w = watcher(demo_settings, [dead, slack()], sleeps)
    w.run(AT_0700)
    second = w.run(AT_0700.replace(hour=13))  # an hour later: reminders queue a second message
    assert second.changes and len(second.failed) == 1  # two messages wait for `dead`, one attempt made
    assert len(sleeps) == 2 * (demo_settings.watch.retry_attempts - 1)
    assert len(httpserver.log) == 2  # the live channel got both runs' messages


def test_summary_payloads_carry_the_digest_and_long_text_is_cut_for_slack(demo_settings):
    from console.services.notify import slack_payload, webhook_payload

    report = watcher(demo_settings, []).judge(AT_0700).to_json_dict()
    digest = {
        "status": report["status"],
        "counts": {"fail": 4},
        "messages": 3,
        "report_file": "/r/morning-2026-02-03.md",
    }
    event = {"id": "2026-02-03/x/summary", "type": "summary", "report": report, "digest": digest}
    body = webhook_payload(event)
    assert body["event"] == "summary" and body["digest"] == digest and body["changes"] == []
    slack_msg = slack_payload(event, demo_settings)
    assert "Morning summary · games 2026-02-03" in slack_msg["blocks"][0]["text"]["text"]
    assert "3 alert messages" in json.dumps(slack_msg, ensure_ascii=False) and "/r/morning-2026-02-03.md" in json.dumps(
        slack_msg
    )
    huge = {
        "check": "grading_coverage",
        "title": "Grading coverage",
        "kind": "new",
        "status": "fail",
        "previous": None,
        "summary": "x" * 5000,
        "rows": [],
        "commands": [],
    }
    cut = slack_payload({"id": "i", "type": "changes", "report": report, "changes": [huge]}, demo_settings)
    assert all(len(b["text"]["text"]) <= 3000 for b in cut["blocks"] if b["type"] == "section")
