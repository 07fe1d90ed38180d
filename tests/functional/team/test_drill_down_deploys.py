"""The drill-down lists the date's deploys among its notes (issue 26 item 4): the demo's Feb 4
evening (PT) release falls on Feb 3's processing day, so a drill-down on Feb 3 shows the
revisions that took traffic, in time order with the notes (the latest three one line each, the
earlier ones folded into one); a deploy state that cannot be read
is one line there, and the console carries on."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.geometry import Region

from console.backends.local_backend import LocalBackend
from console.backends.team_local import LocalTeamStore
from console.core.team import Note
from console.tui.screens.detail_screen import DetailScreen
from tests.functional.conftest import FEB3, SIZE, settle, until


def head(app) -> str:
    widget = app.screen.query_one("#detail-head")
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, *widget.size)))


def note(n: str, hour: int, minute: int, text: str) -> Note:
    # Feb 5 UTC: the evening of Feb 4 in New York, the processing day of Feb 3's games.
    return Note(id=n, game_date=FEB3, who="ana", at=datetime(2026, 2, 5, hour, minute, tzinfo=UTC), text=text)


async def open_drill_down(app, pilot, check_id: str) -> None:
    await settle(pilot)
    await until(pilot, lambda: app.team.snapshot.deploys or app.team.snapshot.deploys_error)
    app.screen.query_one(f"#panel-{check_id}").focus()
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, DetailScreen))


async def test_the_dates_deploys_sit_between_its_notes(make_app, demo_settings):
    store = LocalTeamStore(demo_settings.state_dir)
    store.add_note(note("n1", 2, 20, "grading release starting"))  # 21:20 EST
    store.add_note(note("n2", 3, 30, "analytics next, sequential on"))  # 22:30 EST
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await open_drill_down(app, pilot, "usage_rate_coverage")
        lines = [line.strip() for line in head(app).splitlines() if line.strip()[:1] in "✎⇪"]
        # Seven deploys: the latest three one line each, the four before them folded into one.
        assert lines[0] == "⇪ 2026-02-04 21:15 EST: 4 deploys to 21:31 EST: phase3-to-grading, grading +2"
        assert lines[1].startswith("✎ ana 2026-02-04 21:20 EST: grading release starting")
        assert lines[2:4] == [
            "⇪ 2026-02-04 21:44 EST: nba-phase4-precompute → 5b51ed16 (deployed)",
            "⇪ 2026-02-04 22:02 EST: prediction-worker → ef8193b1 (deployed)",
        ]
        assert lines[4].startswith("✎ ana 2026-02-04 22:30 EST: analytics next")
        assert lines[5:] == ["⇪ 2026-02-04 23:22 EST: nba-phase3-analytics-processors → 06934c94 (deployed)"]
        assert "nba-scrapers" not in head(app)  # never deployed again after Jan 22


async def test_an_unreadable_deploy_state_is_one_line_in_the_drill_down(make_app, demo_settings):
    deploy_json = LocalBackend(demo_settings).root() / "deploy.json"
    deploy_json.write_text("{not json")
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await open_drill_down(app, pilot, "usage_rate_coverage")
        shown = head(app)
        assert "⇪ deploys unreadable: " in shown and "deploy.json" in shown
        assert "→" not in shown
