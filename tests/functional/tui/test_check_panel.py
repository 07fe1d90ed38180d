"""A check's panel (console/tui/widgets/check_panel.py) on the main screen: it carries exactly
its status's class, and the first panel has the focus from the start."""

from __future__ import annotations

from console.tui.widgets.check_panel import CheckPanel
from tests.functional.conftest import FEB4, settle

STATUS_CLASSES = {"-ok", "-warn", "-fail", "-unknown", "-error", "-stale", "-loading"}


async def test_each_panel_has_exactly_its_status_class(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        for panel in app.screen.query(CheckPanel):
            status = app.states[panel.check_id].display_status
            assert set(panel.classes) & STATUS_CLASSES == {f"-{status}"}


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
