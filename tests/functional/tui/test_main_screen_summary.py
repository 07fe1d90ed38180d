"""The main screen's summary (the timeline and the metrics sum up every panel): drawn once a
round of checks has landed, at least once a second while one still runs, and at once for
another game date."""

from __future__ import annotations

from console.tui.screens import main_screen
from console.tui.widgets.metrics_view import MetricsView
from console.tui.widgets.timeline_view import TimelineView
from tests.functional.conftest import FEB4, settle


async def test_the_summary_waits_for_the_round_but_never_more_than_a_second(make_app, monkeypatch):
    seconds = [1000.0]  # the monotonic clock the summary's lag is measured with
    monkeypatch.setattr(main_screen, "monotonic", lambda: seconds[0])
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        app.paused = True  # no refresh of its own during the test
        drawn: list[tuple[str, bool]] = []  # (which, was a check running)
        for cls in (TimelineView, MetricsView):
            original = cls.update
            monkeypatch.setattr(
                cls,
                "update",
                lambda self, *a, _o=original, **k: (
                    drawn.append((type(self).__name__, app.scheduler.running)),
                    _o(self, *a, **k),
                )[1],
            )
        states = list(app.states.values())
        states[0].running = True  # a round still landing
        result = states[1].result
        states[1].result = result.model_copy(update={"summary": "changed"})
        app.redraw()
        assert drawn == []  # waits for the round
        seconds[0] += main_screen.MainScreen.SUMMARY_LAG  # a second later: drawn anyway
        app.redraw()
        assert {name for name, _ in drawn} == {"TimelineView", "MetricsView"}
        drawn.clear()
        states[1].result = result
        states[0].running = False  # the round has landed: drawn at once
        app.redraw()
        assert {name for name, _ in drawn} == {"TimelineView", "MetricsView"}
        drawn.clear()
        await pilot.press("left_square_bracket")  # another date: drawn at once, its checks all running
        assert ("TimelineView", True) in drawn and ("MetricsView", True) in drawn
        await settle(pilot)
