"""What the console tells of the watch: a status change raises one notice (and the bell when
configured), a recovery says so; the header shows the watch's last alert about the game date on
screen only."""

from __future__ import annotations

from console.core.models import Status
from tests.functional.conftest import FEB3, FEB4, SIZE, settle, until
from tests.helpers.notices import record_notices


async def test_a_status_change_raises_one_notice_and_rings_the_bell(make_app, demo_settings, monkeypatch):
    settings = demo_settings.model_copy(update={"tui": demo_settings.tui.model_copy(update={"bell": True})})
    app = make_app(FEB4, settings=settings)
    rings = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    told = record_notices(monkeypatch, app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not any(n.title == "Status change" for n in told)  # first results are not changes
        app.notices.gather_s, app.notices.shown_s = 0.1, 0.3  # the test's own pace
        before = app.states["grading_coverage"].result
        failing = before.model_copy(update={"status": Status.FAIL, "summary": "10/759 graded"})
        app.update_result("grading_coverage", failing, FEB4)
        app.update_result("grading_coverage", failing, FEB4)  # the same status again: no second notice
        await until(pilot, lambda: any(n.title == "Status change" for n in told))
        notes = [n for n in told if n.title == "Status change"]
        assert [n.message for n in notes] == ["Grading coverage: ok → fail"] and rings == [1]
        app.update_result("grading_coverage", before, FEB4)
        await until(pilot, lambda: len([n for n in told if n.title == "Status change"]) == 2)
        assert [n.message for n in told if n.title == "Status change"][-1] == "Grading coverage: fail → ok (recovered)"


async def test_many_changes_at_once_are_one_notice_and_never_two_on_screen(make_app, monkeypatch):
    """Issue 28: `e` at the demo's replay changed six panels and raised six toasts at once."""
    app = make_app(FEB4)
    told = record_notices(monkeypatch, app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.notices.gather_s, app.notices.shown_s = 0.2, 1.0
        changed = {}
        for check_id in ("phase3_completion", "grading_coverage", "dnp_pollution", "usage_rate_coverage"):
            result = app.states[check_id].result
            changed[check_id] = result.model_copy(update={"status": Status.FAIL, "summary": "x"})
            app.update_result(check_id, changed[check_id], FEB4)
        await until(pilot, lambda: any(n.title == "Status change" for n in told))
        [note] = [n for n in told if n.title == "Status change"]
        assert note.message.startswith("4 checks changed: Phase 3 completion ok → fail, Grading coverage ok → fail")
        assert note.severity == "error"
        # One more change while that toast is shown: told after it has gone, never beside it.
        drift = app.states["deployment_drift"].result
        app.update_result("deployment_drift", drift.model_copy(update={"status": Status.OK, "summary": "x"}), FEB4)
        await pilot.pause(0.4)
        assert len([n for n in told if n.title == "Status change"]) == 1
        await until(pilot, lambda: len([n for n in told if n.title == "Status change"]) == 2)
        assert [n for n in told if n.title == "Status change"][-1].message == "Deployment drift: fail → ok (recovered)"


async def test_the_header_shows_the_watch_alert_about_its_own_game_date_only(make_app, demo_settings):
    from console.services.watch_state import state_path

    path = state_path(demo_settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '{"version": 1, "last_notified_at": "2026-02-05T16:00:00+00:00", "outbox": [], "dates": {'
        '"2026-02-03": {"checks": {}, "last_notified_at": "2026-02-04T12:35:00+00:00"}, '
        '"2026-02-04": {"checks": {}}}}'
    )
    app = make_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = str(app.screen.query_one("#header").render())
        assert "watch alerted Feb 4 07:35 EST (games Feb 3)" in header
        await pilot.press("right_square_bracket")  # Feb 4: the watch told nothing about it
        await until(pilot, lambda: app.game_date == FEB4)
        await settle(pilot)
        assert "watch alerted" not in str(app.screen.query_one("#header").render())
