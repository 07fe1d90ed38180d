"""Textual's private names the console uses, and only here.

Each one is here because the public way was measured and falls short:

- `set_border_subtitle_quietly`: `widget.border_subtitle = text` refreshes the whole widget, so
  a panel's body is painted again on every 1 s tick of its "refreshed 3s ago". With the public
  setter the idle console took 1.21 and 1.41 % of a core (`benchmarks/run.py --only idle`; the
  goal is < 1 %), against 0.45-0.52 % storing the subtitle here and repainting its row through
  the public `refresh(region)`.
- `update_scrollbars`: a log list that grows by a batch of entries sets its virtual size without
  the reactive and updates its own scrollbars at once. The public `virtual_size = size` (as
  Textual's Log does) updates the scroll range only at the next layout of the screen: a list
  that follows its tail is scrolled to a cursor its old range cannot reach, so it shows the head
  of the list until the next batch (the log screen's snapshots at 80x24 and 100x30 showed the
  first lines, not the last), and following 5,000 entries/s took 25-26 % of a core against
  20-22 % (same p95 key latency, ~36 ms).
- `key_name_of`: the name Textual gives a typed character (`?` is `question_mark`), which is
  what a `[keys]` binding must be written as. Textual has no public function for it; the
  config's own key check (console/core/config_checks.py, Textual-free for `check`'s start) is
  held to it by tests/unit/core/test_config_names.py.

pyproject.toml bounds textual below its next major; tests/unit/adapters/test_private_api_adapters.py
checks every name below against the installed Textual.
"""

from __future__ import annotations

from textual.geometry import Region, Size
from textual.widget import Widget

from console.adapters import PrivateName

DISTRIBUTION = "textual"

PRIVATE_NAMES = (
    PrivateName(
        "textual.widget:Widget",
        "_border_subtitle",
        "attribute",
        "the border subtitle, stored as Content, that the border row is drawn with",
    ),
    PrivateName(
        "textual.widget:Widget",
        "_scroll_update",
        "method",
        "updates the scrollbars (visibility, sizes) for a new virtual size",
        ("self", "virtual_size"),
    ),
    PrivateName(
        "textual.keys",
        "_character_to_key",
        "function",
        "the key name of a typed character (`?` -> `question_mark`)",
        ("character",),
    ),
)


def set_border_subtitle_quietly(widget: Widget, text: str) -> None:
    """`widget.border_subtitle = text`, repainting only the bottom border row (not the body)."""
    if not hasattr(widget, "_border_subtitle"):  # a Textual without it: the public setter, slower but right
        widget.border_subtitle = text
        return
    # what Widget.border_subtitle's setter stores (textual.widget._BorderTitle.__set__), without
    # the refresh of the whole widget that setter does
    widget._border_subtitle = widget.render_str(text).expand_tabs(4).split()[0]
    # The public refresh of one region: its regions are relative to the content, the border
    # row lies below it. (Until issue 25 this marked the row dirty in Textual's styles cache
    # only: the row was drawn again in an export or a full repaint, but never sent to the
    # terminal, so a panel's "refreshed 3s ago" stood still on screen.)
    offset = widget.content_offset
    width, height = widget.outer_size
    widget.refresh(Region(-offset.x, height - 1 - offset.y, width, 1))


def update_scrollbars(widget: Widget, virtual_size: Size) -> None:
    """After `widget.set_reactive(Widget.virtual_size, virtual_size)`: scrollbars shown or hidden
    and sized for it, scroll offsets kept in range, without a layout of the screen."""
    widget._scroll_update(virtual_size)


def key_name_of(character: str) -> str:
    """The key name Textual gives `character` when it is typed (`?` -> `question_mark`)."""
    from textual.keys import _character_to_key

    return _character_to_key(character)
