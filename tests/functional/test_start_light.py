"""Issue 13 (start): the footer keeps its keys while they stay the same (it recomposed on
every focus change and binding refresh), and a panel carries exactly its status's class."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets._footer import FooterKey

from panels.widget import CheckPanel

from .conftest import FEB4, settle

STATUS_CLASSES = {"-ok", "-warn", "-fail", "-unknown", "-error", "-stale", "-loading"}


async def test_footer_keeps_its_keys_while_focus_moves(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        before = list(app.screen.query(FooterKey))
        focused = app.focused
        await pilot.press("right")
        await pilot.pause()
        assert app.focused is not focused and isinstance(app.focused, CheckPanel)
        after = list(app.screen.query(FooterKey))
        assert [k.key for k in after] == [k.key for k in before]
        assert all(a is b for a, b in zip(after, before))  # the same widgets, not a remount
        # Bound to the footer (not compact), as Textual's own footer leaves them; the palette key is not bound.
        assert not any(k.has_class("-compact") for k in after if not k.has_class("-command-palette"))


async def test_footer_changes_when_its_keys_do(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        keys = [k.key for k in app.screen.query(FooterKey)]
        await pilot.press("enter")  # the drill-down: another screen, other keys
        await pilot.pause()
        assert [k.key for k in app.screen.query(FooterKey)] != keys
        await pilot.press("escape")
        await pilot.pause()
        assert [k.key for k in app.screen.query(FooterKey)] == keys


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

    from panels.timeline import MetricsView

    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        metrics = app.screen.query_one(MetricsView)
        assert metrics._known_height == 7  # the header and six metrics
        for width in (8, 30, 60, 76, 150):
            size = Size(width, 50)
            assert metrics.get_content_height(size, size, width) == Widget.get_content_height(metrics, size, size, width)
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
