"""Every screen's footer: its keys, the one that matters now first, drawn as one line by one widget.

Textual's Footer lists the focused widget's keys, then the screen's, then the app's: at 80
columns `?` `l` `P` `q` (app keys) fell off the right edge. This one puts first the keys of
the moment (issue 28: `e` while the demo replays, `r` when a panel is stale or refresh is
paused, as the app's `moment_keys` says; escape on any screen but the main one), then `?`
and `q`, then on another screen its own keys (Run, Dry run), then those named in ESSENTIAL
(in that order), then the rest in Textual's order. When they do not fit
whole, each key keeps one short word (`g Date`), so at 80 columns more of them show.

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
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget

FIRST_ANYWHERE = ("help", "quit")  # binding ids
ESSENTIAL = ("logs", "playbooks", "history", "goto_date", "refresh")
# One word per key when the footer is narrow (by binding id; others keep their first word).
SHORT = {"goto_date": "Date", "default_date": "Default", "replay_end": "End replay", "open_detail": "Rows"}


class FooterKeyItem(NamedTuple):
    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    palette: bool = False  # the command palette's key, drawn at the right
    short: str = ""  # the one word shown when the keys do not fit whole


def moment_keys(app: object) -> tuple[str, ...]:
    """The binding ids that matter now, by the app's own account (none outside the console)."""
    moment = getattr(app, "moment_keys", None)
    return tuple(moment()) if callable(moment) else ()


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

    def refresh_keys(self) -> None:
        """The moment changed (a panel went stale, refresh paused): rank the keys again."""
        if self.is_attached:
            self.keys = self._current_keys()  # a reactive: redrawn only when the keys differ

    def _current_keys(self) -> tuple[FooterKeyItem, ...]:
        active = self.screen.active_bindings
        seen: set[str] = set()
        shown = []
        app = self.app
        for node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in seen:  # one key per action, as Footer does
                seen.add(binding.action)
                shown.append((binding, enabled, tooltip, node is not app))
        moment = moment_keys(app)
        home = self.screen is app.screen_stack[0] if app.screen_stack else True
        first = len(moment) + 1 + len(FIRST_ANYWHERE)

        def rank(item: tuple[Binding, bool, str | None, bool]) -> int:
            binding, _, _, own = item
            if binding.id in moment:
                return moment.index(binding.id)
            if not home and "escape" in binding.key.split(","):
                return len(moment)  # the way back, right after the moment's
            if binding.id in FIRST_ANYWHERE:
                return len(moment) + 1 + FIRST_ANYWHERE.index(binding.id)
            if not home and own:
                return first  # a screen's own keys (Run, Dry run) before the app's way elsewhere
            if binding.id in ESSENTIAL:
                return first + 1 + ESSENTIAL.index(binding.id)
            return first + 1 + len(ESSENTIAL)

        describe = getattr(app, "describe_binding", None)
        keys = []
        for binding, enabled, tooltip, _ in sorted(shown, key=rank):  # stable: the rest keep their order
            description = (describe(binding) if callable(describe) else None) or binding.description
            short = SHORT.get(binding.id or "", description.split(" ")[0] if description else "")
            keys.append(
                FooterKeyItem(
                    binding.key,
                    app.get_key_display(binding),
                    description,
                    binding.action,
                    enabled,
                    tooltip or "",
                    short=short,
                )
            )
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

    def _key_text(self, index: int, item: FooterKeyItem, styles: dict[str, Style], *, narrow: bool = False) -> Text:
        key_style, description_style = styles["key"], styles["description"]
        if item.description and item.palette:  # compact, as Textual leaves the palette's key
            text = Text.assemble((item.display, key_style), (f" {item.description}", description_style))
        elif narrow and item.description:  # one word
            text = Text.assemble(
                (f" {item.display} ", key_style), (f"{item.short or item.description} ", description_style)
            )
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
        whole = [self._key_text(i, item, styles) for i, item in enumerate(self.keys) if not item.palette]
        narrow = sum(t.cell_len for t in whole) > width - 12  # the palette's key takes about 12
        for index, item in enumerate(self.keys):
            if item.palette:
                right, right_index = self._key_text(index, item, styles), index
                continue
            start = line.cell_len
            line.append_text(self._key_text(index, item, styles, narrow=narrow))
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
