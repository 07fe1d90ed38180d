"""Issue 13 (start): the footer keeps its keys while they stay the same (it recomposed on
every focus change and binding refresh) and is one widget that draws, hovers and clicks like
Textual's, and a panel carries exactly its status's class."""

from __future__ import annotations

from datetime import timedelta

from console.tui.screens.help_screen import HelpScreen
from console.tui.widgets.check_panel import CheckPanel
from console.tui.widgets.console_footer import ConsoleFooter
from tests.functional.conftest import FEB4, settle

STATUS_CLASSES = {"-ok", "-warn", "-fail", "-unknown", "-error", "-stale", "-loading"}


def _footer_keys(screen) -> list[str]:
    """The keys a screen's footer shows: ours on the main screen, Textual's elsewhere."""
    ours = list(screen.query(ConsoleFooter))
    return [k.key for k in ours[0].keys] if ours else [k.key for k in screen.query("FooterKey")]


async def test_footer_keeps_its_keys_while_focus_moves(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(ConsoleFooter)
        before = footer.keys
        assert not list(footer.children)  # one widget, no FooterKey children to mount
        focused = app.focused
        await pilot.press("right")
        await pilot.pause()
        assert app.focused is not focused and isinstance(app.focused, CheckPanel)
        assert footer.keys is before  # the same keys: nothing redrawn


async def test_footer_changes_when_its_keys_do(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        keys = _footer_keys(app.screen)
        assert keys[:4] == ["question_mark", "l", "P", "q"] and keys[-1] == "ctrl+p"
        await pilot.press("enter")  # the drill-down: another screen, other keys
        await pilot.pause()
        assert _footer_keys(app.screen) != keys
        await pilot.press("escape")
        await pilot.pause()
        assert _footer_keys(app.screen) == keys


async def test_footer_click_presses_the_key_and_hover_shows_its_tooltip(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(ConsoleFooter)
        line = footer.render_line(0).text
        assert line.rstrip().endswith("▏^p palette")  # the palette's key at the right edge
        x = line.index("l Logs")
        await pilot.hover(ConsoleFooter, offset=(x, 0))
        assert footer._hover == [k.key for k in footer.keys].index("l")
        assert footer.render_line(0).text == line  # the highlight changes colours, not the text
        palette = footer.keys[-1]
        await pilot.hover(ConsoleFooter, offset=(line.index("^p"), 0))
        assert palette.tooltip and footer.tooltip == palette.tooltip
        await pilot.hover(ConsoleFooter, offset=(line.index("? Keys"), 0))
        await pilot.click(ConsoleFooter, offset=(line.index("? Keys"), 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_each_panel_has_exactly_its_status_class(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        for panel in app.screen.query(CheckPanel):
            status = app.states[panel.check_id].display_status
            assert set(panel.classes) & STATUS_CLASSES == {f"-{status}"}


async def test_metrics_height_known_without_measuring_is_the_measured_one(make_app):
    """MetricsView answers layout's height question from its row count (no table render per
    layout pass); that count must be what rendering the table gives, at any width."""
    from rich.text import Text
    from textual.geometry import Size
    from textual.widget import Widget

    from console.tui.widgets.timeline_view import MetricsView

    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        metrics = app.screen.query_one(MetricsView)
        assert metrics._known_height == 7  # the header and six metrics
        for width in (8, 30, 60, 76, 150):
            size = Size(width, 50)
            assert metrics.get_content_height(size, size, width) == Widget.get_content_height(
                metrics, size, size, width
            )
        metrics.update(Text("cannot show this:\nsomething"))  # anything else is measured as before
        assert metrics.get_content_height(Size(76, 50), Size(76, 50), 76) == 2


async def test_redraw_leaves_an_unchanged_header_alone(make_app):
    from textual.widgets import Static

    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        header = app.screen.query_one("#header", Static)
        updates = []
        original = header.update
        header.update = lambda *a, **k: (updates.append(a), original(*a, **k))
        app.screen.redraw()  # a FixedClock: the same text as the last redraw
        assert updates == []
        app.clock.advance(timedelta(minutes=1))  # the header's clock moves: drawn again
        app.screen.redraw()
        assert len(updates) == 1


async def test_only_the_first_panel_takes_the_focus_at_start(make_app, monkeypatch):
    """The body container took the focus first (Textual's AUTO_FOCUS) and gave it to the
    panel only after on_mount: each move restyled the body and its ten descendants."""
    from textual.widget import Widget

    focused: list[Widget] = []
    watch = Widget.watch_has_focus
    monkeypatch.setattr(Widget, "watch_has_focus", lambda self, value: (focused.append(self), watch(self, value)))
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        first = app.screen.query(CheckPanel).first()
        assert app.focused is first and focused == [first]


async def test_a_box_drawn_before_its_first_layout_asks_no_second_layout_for_the_same_height(make_app):
    from console.tui.widgets.timeline_view import TimelineView

    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        timeline = app.screen.query_one(TimelineView)
        height = timeline.content_size.height
        timeline._laid_out = None  # as when its first content came before the first layout pass
        timeline._drawn = None  # the same results drawn again: the same height
        timeline.show(app.results, app.settings, app.game_date, app.clock.now())
        assert not timeline._layout_required and timeline._laid_out == (timeline.content_size.width, height)


async def test_the_summary_waits_for_the_round_but_never_more_than_a_second(make_app):
    from time import monotonic

    from console.tui.widgets.timeline_view import MetricsView, TimelineView

    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        app.paused = True  # no refresh of its own during the test
        screen = app.screen
        timeline, metrics = screen.query_one(TimelineView), screen.query_one(MetricsView)
        drawn = (timeline._drawn, metrics._drawn)
        states = list(app.states.values())
        states[0].running = True  # a round still landing
        result = states[1].result
        states[1].result = result.model_copy(update={"summary": "changed"})
        screen._summary_at = monotonic()
        app.redraw()
        assert (timeline._drawn, metrics._drawn) == drawn  # waits for the round
        screen._summary_at = monotonic() - screen.SUMMARY_LAG  # a second later: drawn anyway
        app.redraw()
        assert timeline._drawn != drawn[0] and metrics._drawn != drawn[1]
        drawn = (timeline._drawn, metrics._drawn)
        states[1].result = result
        states[0].running = False  # the round has landed: drawn at once
        app.redraw()
        assert timeline._drawn != drawn[0] and metrics._drawn != drawn[1]
        drawn = (timeline._drawn, metrics._drawn)
        states[0].running = True
        screen._summary_at = monotonic()
        app.game_date = app.game_date - timedelta(days=1)  # another date: drawn at once, running or not
        app.redraw()
        assert timeline._drawn != drawn[0] and metrics._drawn != drawn[1]
