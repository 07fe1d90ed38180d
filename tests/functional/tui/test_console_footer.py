"""The main screen's footer (console/tui/widgets/console_footer.py): one widget that keeps its
keys while they stay the same (it recomposed on every focus change and binding refresh), and
draws, hovers and clicks like Textual's."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding

from console.tui.screens.help_screen import HelpScreen
from console.tui.widgets.check_panel import CheckPanel
from console.tui.widgets.console_footer import ConsoleFooter
from tests.functional.conftest import FEB4, settle


def _footer_keys(screen) -> list[str]:
    """The keys a screen's footer shows: ours on the main screen, Textual's elsewhere."""
    ours = list(screen.query(ConsoleFooter))
    return [k.key for k in ours[0].keys] if ours else [k.key for k in screen.query("FooterKey")]


def _style_at(footer: ConsoleFooter, x: int):
    """The style the footer paints cell `x` of its line with."""
    cell = 0
    for segment in footer.render_line(0):
        if cell <= x < cell + segment.cell_length:
            return segment.style
        cell += segment.cell_length
    raise AssertionError(f"no cell {x}")


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
        assert keys[:4] == ["question_mark", "q", "l", "P"] and keys[-1] == "ctrl+p"
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
        x, other = line.index("l Logs") + 2, line.index("q Quit") + 2  # on the descriptions
        plain, plain_other = _style_at(footer, x), _style_at(footer, other)
        await pilot.hover(ConsoleFooter, offset=(x, 0))
        await pilot.pause()
        assert _style_at(footer, x) != plain and _style_at(footer, other) == plain_other  # only it lights up
        assert footer.render_line(0).text == line  # the highlight changes colours, not the text
        palette = footer.keys[-1]
        await pilot.hover(ConsoleFooter, offset=(line.index("^p"), 0))
        assert palette.tooltip and footer.tooltip == palette.tooltip
        await pilot.pause()
        assert _style_at(footer, x) == plain  # the mouse left it
        await pilot.hover(ConsoleFooter, offset=(line.index("? Keys"), 0))
        await pilot.click(ConsoleFooter, offset=(line.index("? Keys"), 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


class _DisabledKey(App[None]):
    """A key Textual shows disabled (check_action answers None), in the console's footer."""

    BINDINGS = [Binding("x", "later", "Not yet"), Binding("y", "now", "Now")]

    def compose(self) -> ComposeResult:
        yield ConsoleFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "later" else True

    def action_later(self) -> None:
        raise AssertionError("a disabled key ran")

    def action_now(self) -> None:
        pass


async def test_a_disabled_key_is_drawn_dim_and_a_click_on_it_rings_the_bell(monkeypatch):
    app = _DisabledKey()
    rings: list[int] = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    async with app.run_test(size=(60, 3)) as pilot:
        footer = app.query_one(ConsoleFooter)
        await pilot.pause()
        line = footer.render_line(0).text
        assert "x Not yet" in line and "y Now" in line
        disabled, enabled = _style_at(footer, line.index("Not yet")), _style_at(footer, line.index("Now"))
        assert disabled.dim and not enabled.dim
        await pilot.click(ConsoleFooter, offset=(line.index("Not yet"), 0))
        assert rings == [1]
