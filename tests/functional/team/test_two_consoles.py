"""Two consoles on one state directory see each other (issue 26, Done when): presence in the
header, an acknowledgement made with `a` as the other's ACK badge, a note made with `n` in the
other's drill-down, within one team refresh; read-only refuses `a` and `n` but shows itself.
Pilot, two apps in one event loop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.geometry import Region

from console.backends.team_local import LocalTeamStore
from console.core.team import Heartbeat
from console.tui.screens.detail_screen import DetailScreen
from console.tui.screens.team_modal import TeamModal
from tests.functional.conftest import FEB3, SIZE, settle, until

TTL_S = 6.0  # a team refresh every 2 s (a third of it)


def team_settings(settings, who: str, read_only: bool = False):
    return settings.model_copy(
        update={
            "read_only": read_only,
            "team": settings.team.model_copy(update={"who": who, "presence_ttl_s": TTL_S}),
        }
    )


def shown(widget) -> str:
    """The lines the widget draws on screen, as text."""
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, *widget.size)))


def header(app) -> str:
    return shown(app.screen.query_one("#header"))


def panel_text(app, check_id: str) -> str:
    return shown(app.screen.query_one(f"#panel-{check_id}"))


async def test_two_consoles_see_each_others_presence_acks_and_notes(make_app, demo_settings):
    ana = make_app(FEB3, settings=team_settings(demo_settings, "ana"))
    bob = make_app(FEB3, settings=team_settings(demo_settings, "bob", read_only=True))
    refresh = ana.team.period
    async with ana.run_test(size=SIZE) as pa, bob.run_test(size=SIZE) as pb:
        await settle(pa)
        await settle(pb)
        # Presence: each header names the other within a refresh; bob is read-only.
        await until(pa, lambda: "here: bob ro" in header(ana), timeout=5 * refresh)
        await until(pb, lambda: "here: ana " in header(bob), timeout=5 * refresh)

        # ana acknowledges the usage failure with `a` on its panel.
        ana.screen.query_one("#panel-usage_rate_coverage").focus()
        await pa.press("a")
        await until(pa, lambda: isinstance(ana.screen, TeamModal))
        await pa.press(*"PHX feed re-scraping")
        await pa.press("enter")
        await until(pa, lambda: "ACK ana" in panel_text(ana, "usage_rate_coverage"), timeout=5 * refresh)
        # bob's console shows it within one refresh, with the reason.
        await until(pb, lambda: "ACK ana" in panel_text(bob, "usage_rate_coverage"), timeout=2 * refresh + 5)
        assert "PHX feed re-scraping" in panel_text(bob, "usage_rate_coverage")

        # ana's note on the check shows in bob's drill-down of it.
        await pa.press("n")
        await until(pa, lambda: isinstance(ana.screen, TeamModal))
        await pa.press(*"re-scraped at 0840")
        await pa.press("enter")
        await until(
            pb, lambda: any(n.text == "re-scraped at 0840" for n in bob.team.snapshot.notes), timeout=2 * refresh + 5
        )
        bob.screen.query_one("#panel-usage_rate_coverage").focus()
        await pb.press("enter")  # through bob's own loop: two apps share this one
        await until(pb, lambda: isinstance(bob.screen, DetailScreen))
        head = shown(bob.screen.query_one("#detail-head"))
        assert "ana" in head and "re-scraped at 0840" in head and "ACK ana" in head

        # Read-only bob: `a` and `n` are refused before any modal, and nothing is written.
        await pb.press("escape")
        await until(pb, lambda: not isinstance(bob.screen, DetailScreen))
        await pb.press("a")
        await pb.press("n")
        await pb.pause()
        assert not isinstance(bob.screen, TeamModal)
        store = LocalTeamStore(demo_settings.state_dir)
        assert [(a.who, a.check) for a in store.acks()] == [("ana", "usage_rate_coverage")]
        assert [n.who for n in store.notes()] == ["ana"]
    # Both gone: their presence entries too.
    assert LocalTeamStore(demo_settings.state_dir).presence() == []


async def test_the_header_says_when_the_watch_went_silent(make_app, demo_settings):
    store = LocalTeamStore(demo_settings.state_dir)
    store.record_heartbeat(Heartbeat(at=datetime.now(UTC) - timedelta(hours=2), status="fail", every_s=300))
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: "WATCH SILENT 2h" in header(app))
        store.record_heartbeat(Heartbeat(at=datetime.now(UTC), status="fail", every_s=300))
        app.team.refresh()
        await until(pilot, lambda: "watch 0s ago" in header(app) or "watch 1s ago" in header(app))
