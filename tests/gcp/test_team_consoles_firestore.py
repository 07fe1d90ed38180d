"""Two consoles on two machines (two state directories) see each other through Firestore
(issue 26, on gcp): presence, an acknowledgement made with `a`, a note made with `n`, within
one team refresh, against the Firestore emulator. The checks judge the local demo (the team
is what is tested here; the gcp checks have their own tests)."""

from __future__ import annotations

import pytest
from textual.geometry import Region

from console.backends.local_backend import LocalBackend
from console.backends.team_firestore import FirestoreTeamStore
from console.core.clock import FixedClock
from console.core.config import load_settings
from console.tui.app import NbaConsoleApp
from console.tui.screens.team_modal import TeamModal
from tests.conftest import DEMO_END
from tests.emulators.fixtures import TEST_PROJECT
from tests.functional.conftest import FEB3, SIZE, settle, until
from tests.gcp.conftest import STARTED_GROUPS
from tests.helpers.snapshots import SilentLogs


@pytest.fixture
def fs(firestore_client, firestore_emulator):
    STARTED_GROUPS["firestore"] = firestore_emulator.pgid
    return firestore_client


def console(demo_settings, tmp_path, who: str, read_only: bool = False) -> NbaConsoleApp:
    settings = load_settings(
        backend="gcp",
        project=TEST_PROJECT,
        data_dir=demo_settings.data_dir,
        state_dir=tmp_path / f"state-{who}",  # another machine: nothing shared on disk
        read_only=read_only,
        team={"who": who, "presence_ttl_s": 6.0},
        playbooks={"firestore_lock": True},
    )
    return NbaConsoleApp(
        settings,
        backend_factory=LocalBackend,
        clock=FixedClock(DEMO_END),
        game_date=FEB3,
        log_source_factory=lambda *a, **k: SilentLogs(),
    )


def shown(widget) -> str:
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, *widget.size)))


async def test_two_consoles_on_two_machines_see_each_other_through_firestore(fs, demo_settings, tmp_path):
    ana, bob = console(demo_settings, tmp_path, "ana"), console(demo_settings, tmp_path, "bob", read_only=True)
    refresh = ana.team.period
    async with ana.run_test(size=SIZE) as pa, bob.run_test(size=SIZE) as pb:
        await settle(pa)
        await settle(pb)
        await until(pa, lambda: "here: bob ro" in shown(ana.screen.query_one("#header")), timeout=5 * refresh)
        await until(pb, lambda: "here: ana " in shown(bob.screen.query_one("#header")), timeout=5 * refresh)

        ana.screen.query_one("#panel-usage_rate_coverage").focus()
        await pa.press("a")
        await until(pa, lambda: isinstance(ana.screen, TeamModal))
        await pa.press(*"PHX feed re-scraping")
        await pa.press("enter")
        usage = bob.screen.query_one("#panel-usage_rate_coverage")
        await until(pb, lambda: "ACK ana" in shown(usage), timeout=2 * refresh + 10)
        assert "PHX feed re-scraping" in shown(usage)

        await pa.press("n")
        await until(pa, lambda: isinstance(ana.screen, TeamModal))
        await pa.press(*"re-scraped at 0840")
        await pa.press("enter")
        await until(
            pb, lambda: any(n.text == "re-scraped at 0840" for n in bob.team.snapshot.notes), timeout=2 * refresh + 10
        )

        await pb.press("a")  # read-only: refused, nothing written
        await pb.pause()
        assert not isinstance(bob.screen, TeamModal)
    store = FirestoreTeamStore(fs, ana.settings)
    assert [(a.who, a.check) for a in store.acks()] == [("ana", "usage_rate_coverage")]
    assert [(n.who, n.check) for n in store.notes(FEB3)] == [("ana", "usage_rate_coverage")]
    assert store.presence() == []  # both left on exit
    assert not (tmp_path / "state-bob" / "team-acks.json").exists()  # on gcp, nothing of it on disk
