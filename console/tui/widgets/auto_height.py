"""A box of `height: auto` (the timeline, the metrics) that asks for a layout pass only when
its height changes: a layout pass measures and repaints the whole screen, so a redraw of the
same height repaints the box alone."""

from __future__ import annotations

from textual.widgets import Static

from console.tui.prerendered import Prerendered


class AutoHeight(Static):
    """A box of `height: auto` whose new content asks for a layout pass (which measures and
    repaints the whole screen) only when its height changes; otherwise only it is repainted."""

    _laid_out: tuple[int, int] | None = None  # (content width, content height) of the last draw
    # The content's height when known without rendering it (see metrics_view.py); layout asks for
    # it on every pass, and measuring meant rendering the whole table each time.
    _known_height: int | None = None

    def update(self, content="", *, layout: bool = True) -> None:
        # Anything else (an error line) is measured and laid out as usual.
        self._known_height = self._laid_out = None
        super().update(content, layout=layout)

    def get_content_height(self, container, viewport, width: int) -> int:
        if self._known_height is not None and width > 0:
            return self._known_height
        return super().get_content_height(container, viewport, width)

    def _update_sized(self, content, known_height: int | None = None) -> None:
        before = self._laid_out
        self.update(Prerendered(content), layout=False)  # measured and painted from one rendering
        self._known_height = known_height
        width = self.content_size.width
        if width <= 0:  # not laid out yet
            self.refresh(layout=True)
            return
        if before is None:  # drawn before its first layout: that layout measured what it shows now
            before = (width, self.content_size.height)
        size = self.app.size  # Textual's own measure (cached for a layout pass that follows)
        laid_out = (width, self.get_content_height(size, size, width))
        if laid_out != before:
            self.refresh(layout=True)
        self._laid_out = laid_out
