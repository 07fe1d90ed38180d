"""History on the gcp backend, through the official clients against the emulators: the same
per-date verdicts as `check` on gcp, and the dry-run bytes of each range query are known."""

from __future__ import annotations

from datetime import UTC, date, datetime

from console.services.history import HISTORY_QUERIES, HistoryRange, bytes_labels, contexts, run_history
from console.services.runner import CheckContext, run_all

AS_OF = datetime(2026, 2, 5, 16, 0, tzinfo=UTC)


def test_history_on_gcp_agrees_with_check_on_gcp(gcp_backend, fake_gcloud):
    settings = gcp_backend.settings
    reports = run_history(gcp_backend, contexts(settings, HistoryRange(date(2026, 2, 4), 3), AS_OF))
    for report in reports:
        assert all(c.status.value != "error" for c in report.checks), report.to_json_dict()
        want = run_all(gcp_backend, CheckContext(settings=settings, game_date=report.game_date, as_of=AS_OF))
        got = report.to_json_dict()
        drift = next(c for c in got["checks"] if c["id"] == "deployment_drift")
        # Drift is judged as of the date's morning (11:00 ET on its processing date): as `check --at` then.
        moment = datetime.fromisoformat(drift["value"].pop("deploys_as_of"))
        at_moment = run_all(
            gcp_backend, CheckContext(settings=settings, game_date=report.game_date, as_of=moment), ["deployment_drift"]
        )
        assert drift == at_moment.to_json_dict()["checks"][0], report.game_date

        def others(doc):
            return [c for c in doc["checks"] if c["id"] != "deployment_drift"]

        assert others(got) == others(want.to_json_dict()), report.game_date
    feb3 = reports[1]
    assert feb3.check("dnp_pollution").value.pollution_pct == 22.0
    assert feb3.check("usage_rate_coverage").value.coverage_pct == 87.1
    # Every range query went through a dry run (the emulator reports 0 bytes: it has no cost model).
    labels = bytes_labels(gcp_backend)
    assert set(labels) == {q for qs in HISTORY_QUERIES.values() for q in qs}
    assert all(label == "0 B" for label in labels.values())


async def test_history_screen_on_gcp_shows_the_dry_run_bytes(gcp_backend, fake_gcloud):
    import asyncio

    from textual.widgets import Static

    from console.core.clock import FixedClock
    from console.tui.app import NbaConsoleApp
    from console.tui.screens.history_screen import HistoryScreen

    class Silent:
        error = None

        def poll(self):
            return []

        def close(self):
            pass

        def describe(self):
            return "silent"

    app = NbaConsoleApp(
        gcp_backend.settings,
        backend_factory=lambda _s: gcp_backend,
        clock=FixedClock(AS_OF),
        game_date=date(2026, 2, 4),
        log_source_factory=lambda *a, **k: Silent(),
    )
    async with app.run_test(size=(200, 50)) as pilot:
        screen = HistoryScreen(date(2026, 2, 4), 3)
        app.push_screen(screen)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while not screen.loaded:
            assert loop.time() < deadline, "the history screen did not load on gcp"
            await pilot.pause(0.05)
        await pilot.pause()
        assert screen.scanned == {
            "history_grading": "0 B",
            "dnp_by_day": "0 B",
            "history_dnp_examples": "0 B",
            "history_usage": "0 B",
        }
        assert "dry run: " in str(screen.query_one("#history-head", Static).content)
        assert screen.results["dnp_pollution"][date(2026, 2, 3)].value.pollution_pct == 22.0
