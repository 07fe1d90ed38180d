"""The team (issue 26) on the compact layout (issue 28): at 80x24 an acknowledgement made with
`a` shows ` ACK who ` in the check's two-line row and in the focused check's preview, and the
other console's presence stays in the three-line header beside the failing checks named."""

from __future__ import annotations

from console.tui.screens.team_modal import TeamModal
from tests.functional.conftest import FEB3, settle, until
from tests.functional.team.test_two_consoles import header, panel_text, shown, team_settings

SMALL = (80, 24)


async def test_ack_shows_in_the_compact_row_and_preview_and_presence_in_the_header(make_app, demo_settings):
    ana = make_app(FEB3, settings=team_settings(demo_settings, "ana"))
    bob = make_app(FEB3, settings=team_settings(demo_settings, "bob", read_only=True))
    refresh = ana.team.period
    async with ana.run_test(size=SMALL) as pa, bob.run_test(size=(100, 30)) as pb:
        await settle(pa)
        await settle(pb)
        assert ana.screen.has_class("-compact") and bob.screen.has_class("-compact")
        # The other console is named in a header that also names what fails (three lines at most).
        await until(pa, lambda: "here: bob ro" in header(ana), timeout=5 * refresh)
        await until(pb, lambda: "here: ana " in header(bob), timeout=5 * refresh)
        for app in (ana, bob):
            lines = header(app).splitlines()
            assert len(lines) <= 3 and any(line.strip().startswith("FAIL ") for line in lines), lines

        ana.screen.query_one("#panel-usage_rate_coverage").focus()
        await pa.press("a")
        await until(pa, lambda: isinstance(ana.screen, TeamModal))
        await pa.press(*"PHX feed re-scraping")
        await pa.press("enter")
        # The compact row: the badge on its first line (after the status), the reason on its second.
        await until(pa, lambda: "ACK ana" in panel_text(ana, "usage_rate_coverage"), timeout=5 * refresh)
        first, second = panel_text(ana, "usage_rate_coverage").splitlines()[:2]
        assert first.lstrip("▌ ").split()[:4] == ["✗", "FAIL", "ACK", "ana"], first  # ▌: the focus bar
        assert "PHX feed re-scraping" in second
        await until(pa, lambda: "ACK ana" in shown(ana.screen.query_one("#preview")))
        # bob, compact at 100x30, sees it in his row within a refresh.
        await until(pb, lambda: "ACK ana" in panel_text(bob, "usage_rate_coverage"), timeout=2 * refresh + 5)
