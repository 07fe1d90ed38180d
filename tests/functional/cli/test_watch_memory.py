"""The watch remembers every date it watches until that date is done, whatever the wall clock
says (issue 23, item 3): cron runs on an old game date, judged as of now, post once; what
stderr says was sent was accepted by the receiver, and what it says is queued was not.

The channel is a webhook configured through the environment (NBA_CONSOLE_NOTIFY), as the
README's production recipes do, against a real HTTP receiver on 127.0.0.1.
"""

from __future__ import annotations

import json

import orjson
import pytest

from console.cli import main
from console.services.watch_state import STATE_FILE_NAME

HOOK = "/hooks/ops"
OLD_DATE = "2026-02-03"  # months before the wall clock: the case the 14-day pruning forgot


@pytest.fixture
def env(demo_settings, tmp_path, monkeypatch, httpserver):
    """The demo data, a private state dir, one webhook channel `ops` from the environment,
    and one delivery attempt per message (a refused message waits for the next run)."""
    monkeypatch.setenv("NBA_CONSOLE_DATA_DIR", str(demo_settings.data_dir))
    monkeypatch.setenv("NBA_CONSOLE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("NBA_CONSOLE_NOTIFY", json.dumps([{"name": "ops", "kind": "webhook", "url_env": "OPS_HOOK"}]))
    monkeypatch.setenv("NBA_CONSOLE_WATCH__RETRY_ATTEMPTS", "1")
    monkeypatch.setenv("OPS_HOOK", httpserver.url_for(HOOK))
    return tmp_path / "state"


def once(capsys, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["watch", "--once", "--date", OLD_DATE, "--notify", "ops", *extra])
    return code, capsys.readouterr().err


def posted(httpserver) -> list[str]:
    return [json.loads(req.get_data())["event"] for req, _ in httpserver.log]


def test_two_cron_runs_on_an_old_date_post_once(env, httpserver, capsys):
    httpserver.expect_request(HOOK, method="POST").respond_with_data("", status=204)
    code, err = once(capsys)
    assert code == 0 and "Traceback" not in err
    assert posted(httpserver) == ["changes", "summary"]  # judged as of now: past 11:00, so the summary too
    assert err.rstrip().endswith("(2 sent; summary sent)")
    state = orjson.loads(state_path_for(env).read_bytes())
    day = state["dates"][OLD_DATE]
    assert day["checks"] and day["summary_sent_at"]  # remembered, not pruned by today's date
    assert day["last_notified_at"]

    httpserver.clear_log()
    code, err = once(capsys)
    assert code == 0 and httpserver.log == []  # nothing told twice
    assert err.rstrip().endswith("no change (0 sent)")


def test_a_summary_the_receiver_refused_is_said_queued_then_sent_on_the_next_run(env, httpserver, capsys):
    httpserver.expect_ordered_request(HOOK, method="POST").respond_with_data("down", status=503)
    code, err = once(capsys)
    assert code == 2  # a message could not be delivered: it waits in the outbox
    last = err.rstrip().splitlines()[-1]
    assert "(0 sent, 2 queued; 1 delivery failure; summary queued (not delivered yet))" in last
    assert "summary sent" not in err

    httpserver.expect_request(HOOK, method="POST").respond_with_data("", status=204)
    code, err = once(capsys)
    assert code == 0
    assert posted(httpserver)[1:] == ["changes", "summary"]  # the waiting messages, once each
    assert err.rstrip().endswith("no change (2 sent; summary sent)")
    httpserver.clear_log()
    code, err = once(capsys)
    assert code == 0 and httpserver.log == []


def test_another_date_watched_later_forgets_the_old_date_only_once_it_is_done(env, httpserver, capsys):
    httpserver.expect_request(HOOK, method="POST").respond_with_data("", status=204)
    assert once(capsys)[0] == 0
    capsys.readouterr()
    # Weeks of game dates later (the demo has none: every check says so), Feb 3 is done and
    # more than 14 days before: forgotten. The date being watched is kept.
    assert main(["watch", "--once", "--date", "2026-03-01", "--notify", "ops"]) == 0
    dates = orjson.loads(state_path_for(env).read_bytes())["dates"]
    assert OLD_DATE not in dates and "2026-03-01" in dates


def state_path_for(state_dir):
    return state_dir / STATE_FILE_NAME
