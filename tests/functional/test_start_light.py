"""Issue 13 (start): the footer keeps its keys while they stay the same (it recomposed on
every focus change and binding refresh), and a panel carries exactly its status's class."""

from __future__ import annotations

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
