"""The main screen's footer: its keys, essential ones first, drawn as one line by one widget.

Textual's Footer lists the focused widget's keys, then the screen's, then the app's: at 80
columns `?` `l` `P` `q` (app keys) fell off the right edge. This one puts the keys named in
ESSENTIAL first (in that order), then the rest in Textual's order.

It is one widget, not a container of one FooterKey widget per key: mounting, styling, laying
out and painting thirteen widgets (again whenever the keys change) was a tenth of the time the
console took to show its six panels (issue 13). It draws what FooterKey draws, with the same
theme variables: the key, then its description, the command palette's key on the right behind
a thin rule; a disabled key dim; the key under the mouse highlighted, with its tooltip. A click
presses the key, as on Textual's footer.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget

ESSENTIAL = ("help", "logs", "playbooks", "quit")  # binding ids


class FooterKeyItem(NamedTuple):
    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    palette: bool = False  # the command palette's key, drawn at the right


class ConsoleFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "console-footer--item",
        "console-footer--item-hover",
        "console-footer--key",
        "console-footer--description",
        "console-footer--rule",
    }
    # FooterKey's look (textual/widgets/_footer.py), one rule per part of a key.
    DEFAULT_CSS = """
    ConsoleFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .console-footer--item { background: $footer-item-background; }
        .console-footer--item-hover { color: $footer-key-foreground; background: $block-hover-background; }
        .console-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .console-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .console-footer--rule { color: $foreground 20%; }
    }
    """

    keys: reactive[tuple[FooterKeyItem, ...]] = reactive((), layout=False)
    _hover: reactive[int | None] = reactive(None)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._spans: list[tuple[int, int, int]] = []  # (first cell, end cell, index in keys) as last drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.keys = self._current_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.keys = self._current_keys()  # a reactive: redrawn only when the keys differ

    def _current_keys(self) -> tuple[FooterKeyItem, ...]:
        active = self.screen.active_bindings
        seen: set[str] = set()
        shown = []
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in seen:  # one key per action, as Footer does
                seen.add(binding.action)
                shown.append((binding, enabled, tooltip))

        def rank(item) -> int:
            binding_id = item[0].id
            return ESSENTIAL.index(binding_id) if binding_id in ESSENTIAL else len(ESSENTIAL)

        app = self.app
        keys = [
            FooterKeyItem(
                binding.key, app.get_key_display(binding), binding.description, binding.action, enabled, tooltip or ""
            )
            for binding, enabled, tooltip in sorted(shown, key=rank)
        ]  # stable: the rest keep their order
        palette = active.get(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
        if palette is not None:
            _, binding, enabled, _ = palette
            keys.append(
                FooterKeyItem(
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    enabled,
                    binding.tooltip or binding.description,
                    palette=True,
                )
            )
        return tuple(keys)

    # ------------------------------------------------------------------ drawing

    def _styles(self) -> dict[str, Style]:
        """The parts' styles, resolved once per draw (each lookup resolves CSS: ~0.2 ms)."""
        get = self.get_component_rich_style
        styles = {name: get(f"console-footer--{name}") for name in ("item", "item-hover", "key", "description", "rule")}
        styles["footer"] = self.rich_style  # walks the ancestors' backgrounds: once, not per key
        return styles

    def _key_text(self, index: int, item: FooterKeyItem, styles: dict[str, Style]) -> Text:
        key_style, description_style = styles["key"], styles["description"]
        if item.description and item.palette:  # compact, as Textual leaves the palette's key
            text = Text.assemble((item.display, key_style), (f" {item.description}", description_style))
        elif item.description:
            text = Text.assemble((f" {item.display} ", key_style), (f"{item.description} ", description_style))
        else:
            text = Text.assemble((item.display, key_style))
        hovered = index == self._hover
        base = styles["footer"] + styles["item-hover" if hovered else "item"]
        if not item.enabled:
            base += Style(dim=True)
        text.stylize_before(base)
        if hovered:
            # The key's and description's (transparent) backgrounds were resolved against the
            # footer's, so they hid the hover's: put it back over them, as FooterKey shows it.
            text.stylize(Style(bgcolor=styles["item-hover"].bgcolor))
        return text

    def render(self) -> Text:
        width = self.size.width
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, int]] = []
        right: Text | None = None
        right_index = -1
        styles = self._styles()
        for index, item in enumerate(self.keys):
            if item.palette:
                right, right_index = self._key_text(index, item, styles), index
                continue
            start = line.cell_len
            line.append_text(self._key_text(index, item, styles))
            spans.append((start, line.cell_len, index))
        if right is not None:
            rule = Text("▏", style=styles["footer"] + styles["rule"])
            right = Text.assemble(rule, right, (" ", styles["footer"]))
            room = max(0, width - right.cell_len)
            line.truncate(room, overflow="crop", pad=True)
            spans = [(a, min(b, room), i) for a, b, i in spans if a < room]
            spans.append((room + 1, room + right.cell_len - 1, right_index))
            line.append_text(right)
        self._spans = spans
        return line

    # ------------------------------------------------------------------ mouse

    def _index_at(self, x: int) -> int | None:
        return next((index for start, end, index in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._index_at(event.x)
        self._hover = index
        self.tooltip = (self.keys[index].tooltip or None) if index is not None else None

    def on_leave(self, event: events.Leave) -> None:
        self._hover = None
        self.tooltip = None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._index_at(event.x)
        if index is None:
            return
        item = self.keys[index]
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
