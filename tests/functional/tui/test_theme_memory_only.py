"""Issue 24 item 5: a theme picked in the palette of a read-only or served console is kept in
memory only: the operator's saved theme (console-state.json) is not changed. A console that
may write keeps saving it."""

from __future__ import annotations

import pytest

from console.services import ui_state
from console.tui.app import NbaConsoleApp
from tests.functional.conftest import FEB4, settle, until
from tests.helpers.notices import record_notices

pytestmark = pytest.mark.slow  # every test here takes about 3 s or more (pytest --durations)


async def _pick_theme_in_the_palette(pilot, name: str) -> None:
    """ctrl+p, the system command "Theme" (change the current theme), then the theme by name."""
    from textual.command import CommandList, CommandPalette

    def hits() -> int:
        screen = pilot.app.screen
        return screen.query_one(CommandList).option_count if isinstance(screen, CommandPalette) else 0

    await pilot.press("ctrl+p")
    await pilot.press(*"theme")
    await until(pilot, lambda: hits() > 0)
    await pilot.press("enter")
    await until(pilot, lambda: hits() > 0)  # the theme picker, every theme listed
    await pilot.press(*name)
    await until(pilot, lambda: hits() == 1)
    await pilot.press("enter")


@pytest.mark.parametrize("how", ["read-only", "served"])
async def test_a_theme_picked_in_memory_only(make_app, demo_settings, monkeypatch, how):
    assert ui_state.save_theme(demo_settings, "nord") is None  # the operator's own choice
    saved = ui_state.state_path(demo_settings).read_bytes()
    settings = demo_settings.model_copy(update={"read_only": how == "read-only"})
    if how == "served":  # what textual-serve's driver says of itself
        monkeypatch.setattr(NbaConsoleApp, "is_web", property(lambda self: True))
    app = make_app(FEB4, settings=settings)
    told = record_notices(monkeypatch, app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"  # the saved theme is read
        await _pick_theme_in_the_palette(pilot, "dracula")
        await until(pilot, lambda: app.theme == "dracula")
        await until(pilot, lambda: any("for this session only" in n.message for n in told))
        await pilot.pause(0.3)
    assert ui_state.state_path(demo_settings).read_bytes() == saved


async def test_a_console_that_may_write_saves_the_theme_picked_in_the_palette(make_app, demo_settings):
    app = make_app(FEB4)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _pick_theme_in_the_palette(pilot, "dracula")
        await until(pilot, lambda: ui_state.load(demo_settings).theme == "dracula")
