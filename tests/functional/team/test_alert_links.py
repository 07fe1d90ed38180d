"""Every alert carries the way back into the console (issue 26): the exact command, and with
`serve.public_url` a link to the served console at that date and check; never the token."""

from __future__ import annotations

import json
from datetime import date, datetime, time

from console.backends import open_backend
from console.core.config import NotifyChannel
from console.services.watch import Watcher

FEB3 = date(2026, 2, 3)


def test_a_slack_alert_links_to_the_check_and_its_drill_down(demo_settings, httpserver, monkeypatch):
    monkeypatch.setenv("NBA_CONSOLE_SERVE_TOKEN", "tok-0123456789abcdef-secret")
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    monkeypatch.setenv("SLACK_URL", httpserver.url_for("/hook"))
    settings = demo_settings.model_copy(
        update={"serve": demo_settings.serve.model_copy(update={"public_url": "https://console.example.com/"})}
    )
    channel = NotifyChannel(name="team", kind="slack", url_env="SLACK_URL")
    at = datetime.combine(FEB3 + settings.processing_offset, time(9, 30), tzinfo=settings.tz)
    outcome = Watcher(settings, [channel], FEB3, open_backend).run(at)
    assert outcome.delivered == 1
    body = httpserver.log[0][0].get_data(as_text=True)
    payload = json.loads(body)
    contexts = [e["text"] for b in payload["blocks"] if b["type"] == "context" for e in b["elements"]]
    usage = [t for t in contexts if "check=usage_rate_coverage" in t]
    assert usage == [
        "<https://console.example.com/?date=2026-02-03&check=usage_rate_coverage&drill=1|open in the console> · "
        "`nba-console --date 2026-02-03 --check usage_rate_coverage --drill`"
    ]
    # One link per told check, and the token nowhere in what left.
    assert len([t for t in contexts if "open in the console" in t]) == len(outcome.changes)
    assert "tok-0123456789abcdef" not in body


def test_without_a_public_url_the_alert_carries_the_command(demo_settings):
    at = datetime.combine(FEB3 + demo_settings.processing_offset, time(9, 30), tzinfo=demo_settings.tz)
    outcome = Watcher(demo_settings, [], FEB3, open_backend).run(at)
    usage = next(c for c in outcome.changes if c["check"] == "usage_rate_coverage")
    assert usage["open_command"] == "nba-console --date 2026-02-03 --check usage_rate_coverage --drill"
    assert usage["open_url"] is None
