"""One suggestion per evidence, the same in the watch's messages, the drill-down and the
playbooks screen (`P`), issue 23 item 7: the demo's Feb 3 race suggests enabling sequential
execution only; a DependencyFailureError disabling it only; the DNP failure no redeploy with
`<service>` / `<commit>` placeholders (and says why); drift the redeploy, prefilled."""

from __future__ import annotations

import json
from datetime import date, datetime, time

import orjson
import pytest
from textual.widgets import Input, Static

from console.backends import open_backend
from console.core.config import NotifyChannel
from console.services.notify import Delivery, text_lines
from console.services.watch import Watcher
from console.tui.screens.detail_screen import DetailScreen
from console.tui.screens.playbooks_screen import PlaybooksScreen
from console.tui.widgets.check_panel import CheckPanel
from tests.functional.conftest import FEB3, FEB4, SIZE, settle, settle_detail, until

BLOCKED = "DependencyFailureError: TeamOffenseGameSummaryProcessor failed; blocking Level 2"


def blocked_morning(settings) -> None:
    """Feb 4's games (processed Feb 5): Level 1 reports a DependencyFailureError, no race."""
    path = settings.data_dir / "current" / "logs" / "phase3.json"
    entries = orjson.loads(path.read_bytes())
    done = next(e for e in entries if e["timestamp"] == "2026-02-05T12:19:30Z")
    entries.append(
        {
            **done,
            "insertId": "dependency-failure-1",
            "textPayload": BLOCKED,
            "timestamp": "2026-02-05T12:19:20Z",
            "receiveTimestamp": "2026-02-05T12:19:20.350000Z",
            "severity": "ERROR",
        }
    )
    path.write_bytes(orjson.dumps(sorted(entries, key=lambda e: e["timestamp"])))


class Collect:
    """A stdout channel's stream: the lines an on-call engineer reads."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def told(settings, game_date: date) -> tuple[dict, str]:
    """One watch run at 10:00 on the processing date to a stdout channel: the changes by
    check id, and the text printed."""
    out = Collect()
    at = datetime.combine(game_date + settings.processing_offset, time(10, 0), tzinfo=settings.tz)
    watcher = Watcher(
        settings,
        [NotifyChannel(name="stdout", kind="stdout")],
        game_date,
        open_backend,
        delivery=Delivery(settings, out=out),
    )
    outcome = watcher.run(at)
    return {c["check"]: c for c in outcome.changes}, out.text


# ------------------------------------------------------------------ the watch


def test_the_feb3_race_is_told_with_enable_only_and_dnp_without_placeholders(demo_settings):
    changes, text = told(demo_settings, FEB3)
    assert changes["sequential_execution"]["commands"] == [
        "nba-console playbook run enable-sequential-execution --dry-run"
    ]
    dnp = changes["dnp_pollution"]
    assert dnp["status"] == "fail" and dnp["commands"] == [] and "Deployment drift" in dnp["suggestion"]
    assert "disable-sequential-execution" not in text and "<" not in text  # no placeholder anywhere
    assert "    no playbook suggested: the DNP rows name no service or commit" in text
    drift = changes["deployment_drift"]["commands"]
    assert len(drift) == 1 and drift[0].startswith(
        "nba-console playbook run redeploy-service --param service=nba-scrapers --param commit="
    )


def test_a_dependency_failure_is_told_with_disable_only(demo_settings):
    blocked_morning(demo_settings)
    changes, text = told(demo_settings, FEB4)
    seq = changes["sequential_execution"]
    assert seq["status"] == "fail" and seq["summary"].startswith("DependencyFailureError")
    assert seq["commands"] == ["nba-console playbook run disable-sequential-execution --dry-run"]
    assert "enable-sequential-execution" not in text


def test_the_slack_message_says_why_a_check_has_no_suggestion(demo_settings):
    from console.services.notify import slack_payload

    changes, _ = told(demo_settings, FEB3)
    event = {
        "type": "changes",
        "id": "x",
        "changes": list(changes.values()),
        "report": {
            "game_date": "2026-02-03",
            "as_of": "2026-02-04T15:00:00Z",
            "backend": "local",
            "project": "p",
            "status": "fail",
            "checks": [],
        },
    }
    blocks = json.dumps(slack_payload(event, demo_settings))
    assert "No playbook suggested: the DNP rows name no service" in blocks
    assert "enable-sequential-execution" in blocks and "disable-sequential-execution" not in blocks
    assert "<service>" not in blocks and "<commit>" not in blocks
    assert text_lines(event, demo_settings)  # the stdout rendering of the same event


# ------------------------------------------------------------------ the drill-down and P


async def _detail_line(pilot, check_id: str) -> str:
    app = pilot.app
    app.open_detail(check_id)
    await settle_detail(pilot)
    assert isinstance(app.screen, DetailScreen)
    return str(app.screen.query_one("#detail-playbooks", Static).render())


async def _playbooks_from(pilot, check_id: str) -> PlaybooksScreen:
    app = pilot.app
    app.screen.query_one(f"#panel-{check_id}", CheckPanel).focus()
    await pilot.press("P")
    await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
    await pilot.pause()
    return app.screen


@pytest.mark.parametrize(
    ("check_id", "game_date", "blocked", "playbook", "why"),
    [
        ("sequential_execution", FEB3, False, "enable-sequential-execution", "started before Level 1 completed"),
        ("sequential_execution", FEB4, True, "disable-sequential-execution", "DependencyFailureError"),
        ("dnp_pollution", FEB3, False, None, "name no service or commit"),
        ("deployment_drift", FEB4, False, "redeploy-service", "nba-scrapers is 49 commits behind head"),
    ],
    ids=["race", "dependency-failure", "dnp", "drift"],
)
async def test_drill_down_and_P_follow_the_same_rule(  # noqa: N802 - P is the key (shift+p), not p
    make_app, demo_settings, check_id, game_date, blocked, playbook, why
):
    if blocked:
        blocked_morning(demo_settings)
    app = make_app(game_date)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = await _detail_line(pilot, check_id)
        if playbook is None:
            assert line.startswith("no playbook suggested (") and why in line and "<" not in line
        else:
            assert line.startswith(f"suggested playbook: {playbook}") and why in line
            other = {"enable-sequential-execution": "disable", "disable-sequential-execution": "enable"}
            assert other.get(playbook, "none") + "-sequential" not in line  # never both
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DetailScreen))
        screen = await _playbooks_from(pilot, check_id)
        shown = str(screen.query_one("#why", Static).render())
        assert why in shown
        if playbook is None:
            assert "no playbook suggested" in shown
        else:
            assert shown.startswith(f"{app.states[check_id].result.title}: suggests {playbook} (")
            assert screen.current == playbook
        if playbook == "redeploy-service":  # prefilled from the evidence: the worst service, head
            head = app.states[check_id].result.value.head
            assert screen.query_one("#param-service", Input).value == "nba-scrapers"
            assert screen.query_one("#param-commit", Input).value == head
