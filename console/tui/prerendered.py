"""A renderable drawn once per width, however often Textual asks for it.

A panel's body (rich Tables in a Group) was rendered up to three times per result at the same
width: by Textual to measure an auto-height box, by the panel to count the lines its box hides
(the `↓ N more` hint), and by the paint itself; and again on every later repaint of the widget
(a new border subtitle invalidates the whole widget). Rendering those tables was most of what
the screen spent between its first paint and the last result (issue 13).

`Prerendered` keeps the segments of the last few widths and replays them. The replay is exact:
the same segments in the same order, from `Console.render` with the same options. Only the
height is left out of the key (and rendered as None): the bodies this wraps (Text, Table, Group)
never look at it (rich's Table renders its cells with height None itself), and Textual crops
the lines to the box.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.measure import Measurement
    from rich.segment import Segment

WIDTHS_KEPT = 4  # a resize goes through a few widths; older ones are dropped


class Prerendered:
    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable
        self._segments: OrderedDict[tuple, list[Segment]] = OrderedDict()

    @staticmethod
    def _key(console: Console, options: ConsoleOptions) -> tuple:
        return (
            id(console),
            options.size,
            options.legacy_windows,
            options.min_width,
            options.max_width,
            options.is_terminal,
            options.encoding,
            options.max_height,
            options.justify,
            options.overflow,
            options.no_wrap,
            options.highlight,
            options.markup,
        )

    def segments(self, console: Console, options: ConsoleOptions) -> list[Segment]:
        key = self._key(console, options)
        segments = self._segments.get(key)
        if segments is None:
            segments = list(console.render(self.renderable, options.update(height=None)))
            self._segments[key] = segments
            if len(self._segments) > WIDTHS_KEPT:
                self._segments.popitem(last=False)
        else:
            self._segments.move_to_end(key)
        return segments

    def line_count(self, console: Console, options: ConsoleOptions) -> int:
        """Lines at these options, counted as Textual counts a body's height."""
        return sum(text.count("\n") for text, _, _ in self.segments(console, options))

    def __rich_console__(self, console: Console, options: ConsoleOptions):
        return self.segments(console, options)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        return Measurement.get(console, options, self.renderable)
