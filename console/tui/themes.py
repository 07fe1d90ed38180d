"""The console's own theme: `colorblind`, blue for good and orange for bad (issue 28).

Red and green are the pair most people with a colour-vision deficiency cannot tell apart; the
Okabe-Ito palette's sky blue, orange and yellow stay apart for all three common kinds. The
statuses already read as words and glyphs (`✗ FAIL`); this theme is for those who still want
the colour to help.

Two halves, because the console draws in two ways: widgets' borders and badges use the
theme's variables ($success, $error, $warning), and the panels' rich text uses ANSI colour
names (`bold green`, `bold red`, `bold blue`: panels/status_style.py), which Textual maps to
true colour through the app's ANSI theme (`App.ansi_theme_dark`/`_light`, public reactives).
So the theme comes with an ANSI theme in which green is blue, red is orange and blue (the
`unknown` status) is purple; any other theme gets Textual's defaults back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.terminal_theme import TerminalTheme
from textual.theme import Theme

if TYPE_CHECKING:
    from textual.app import App

COLORBLIND = "colorblind"

# Okabe & Ito (2002), "Color Universal Design".
SKY_BLUE = "#56B4E9"
BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
YELLOW = "#F0E442"
PURPLE = "#CC79A7"

COLORBLIND_THEME = Theme(
    name=COLORBLIND,
    primary=BLUE,
    secondary=SKY_BLUE,
    accent=YELLOW,
    foreground="#E6E6E6",
    background="#111418",
    surface="#1B2026",
    panel="#252C34",
    success=SKY_BLUE,
    warning=YELLOW,
    error=ORANGE,
    dark=True,
)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = int(hex_colour.lstrip("#"), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


# black, red, green, yellow, blue, magenta, cyan, white; then the bright eight.
_NORMAL = ["#1A1A1A", ORANGE, SKY_BLUE, YELLOW, PURPLE, VERMILLION, BLUE, "#C8C8C8"]
_BRIGHT = ["#626262", VERMILLION, SKY_BLUE, YELLOW, PURPLE, VERMILLION, SKY_BLUE, "#F6F6F6"]
COLORBLIND_ANSI = TerminalTheme(
    _rgb("#111418"), _rgb("#E6E6E6"), [_rgb(c) for c in _NORMAL], [_rgb(c) for c in _BRIGHT]
)


def register(app: App) -> None:
    """Offer the theme (palette, `tui.theme`) and follow theme changes with the ANSI map."""
    app.register_theme(COLORBLIND_THEME)
    defaults = (app.ansi_theme_dark, app.ansi_theme_light)

    def follow(theme: Theme) -> None:
        if theme.name == COLORBLIND:
            app.ansi_theme_dark = app.ansi_theme_light = COLORBLIND_ANSI
        else:
            app.ansi_theme_dark, app.ansi_theme_light = defaults

    app.theme_changed_signal.subscribe(app, follow)
