"""Issue 13: the 1 s clock tick redraws what shows time (the clock, the ages), not whole panels;
and what is on screen still shows the new age (the partial repaint reached the screen)."""

from __future__ import annotations

from datetime import timedelta

from console.tui.widgets.check_panel import CheckPanel
from console.tui.widgets.metrics_view import MetricsView
from console.tui.widgets.timeline_view import TimelineView
from tests.functional.conftest import FEB4, SIZE, settle


def screen_text(app) -> str:
    """What the terminal shows (the screenshot's text, as the compositor drew it)."""
    return app.export_screenshot().replace("&#160;", " ")


async def test_a_tick_updates_ages_without_rebuilding_panels(make_app, clock, monkeypatch):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rebuilt: list[str] = []
        for cls in (CheckPanel, TimelineView, MetricsView):
            original = cls.update
            monkeypatch.setattr(
                cls, "update", lambda self, *a, _o=original, **k: (rebuilt.append(self.id), _o(self, *a, **k))[1]
            )
        clock.advance(timedelta(seconds=42))
        app.clock_tick()
        await pilot.pause()
        assert rebuilt == []  # same results, same minute: no body rebuilt
        panel = app.screen.query_one("#panel-grading_coverage", CheckPanel)
        assert "refreshed 42s ago" in str(panel.border_subtitle)
        assert "refreshed 42s ago" in screen_text(app)  # and it reached the screen

        clock.advance(timedelta(minutes=2))  # a new minute: the timeline's "now HH:MM" moves
        app.clock_tick()
        await pilot.pause()
        # The timeline's "now", and the panels whose body says how old their data is (issue 14:
        # "data 07:50, 3h 10m old", whole minutes): once a minute, never per tick.
        with_data_age = {f"panel-{c}" for c, s in app.states.items() if getattr(s.result, "data_at", None)}
        assert "timeline" in rebuilt and with_data_age and set(rebuilt) <= {"timeline"} | with_data_age
        assert "refreshed 2m 42s ago" in screen_text(app)


async def test_a_new_result_still_rebuilds_its_panel(make_app, clock, monkeypatch):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rebuilt: list[str] = []
        original = CheckPanel.update
        monkeypatch.setattr(
            CheckPanel, "update", lambda self, *a, _o=original, **k: (rebuilt.append(self.id), _o(self, *a, **k))[1]
        )
        clock.advance(timedelta(minutes=1))
        await pilot.press("r")
        await settle(pilot)
        assert "panel-grading_coverage" in rebuilt  # a new result: its body drawn again
        assert "refreshed 0s ago" in screen_text(app)
