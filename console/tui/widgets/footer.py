"""A footer whose essential keys come first, so a narrow terminal never cuts them.

Textual's Footer lists the focused widget's keys, then the screen's, then the app's: at 80
columns `?` `l` `P` `q` (app keys) fell off the right edge. This one puts the keys named in
ESSENTIAL first (in that order), then the rest in Textual's order.

Textual's Footer also recomposes (removes and mounts every key, each with a full CSS pass)
whenever the screen's bindings may have changed: each focus change, each refresh_bindings.
At start-up that was about ten recomposes of the same keys, a third of the time the console
took to show its six panels. This one recomposes only when the keys it would show differ.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ESSENTIAL = ("help", "logs", "playbooks", "quit")  # binding ids


class ConsoleFooter(Footer):
    _composed: tuple | None = None  # the keys shown now (see _keys), None before the first compose

    def _keys(self) -> tuple:
        """What compose shows: (key, display, description, action, enabled, tooltip, classes) per key."""
        if not self._bindings_ready:
            return ()
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

        keys = [(binding.key, self.app.get_key_display(binding), binding.description, binding.action, enabled,
                 tooltip, "") for binding, enabled, tooltip in sorted(shown, key=rank)]  # stable: the rest keep their order
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _, binding, enabled, _ = palette
                keys.append((binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                             enabled, binding.tooltip or binding.description, "-command-palette"))
        return tuple(keys)

    def compose(self) -> ComposeResult:
        self._composed = keys = self._keys()
        for key, display, description, action, enabled, tooltip, classes in keys:
            footer_key = FooterKey(key, display, description, action, classes=classes or None, disabled=not enabled,
                                   tooltip=tooltip)
            if classes:
                yield footer_key
                continue
            # FooterKey starts compact and the binding then turns it back: two style passes per
            # key on every recompose. Starting from the footer's own value, the binding changes nothing.
            footer_key.set_reactive(FooterKey.compact, self.compact)
            yield footer_key.data_bind(compact=Footer.compact)

    async def recompose(self) -> None:
        if self._composed is not None and self.is_attached and self._keys() == self._composed:
            return  # the same keys: nothing to remount
        await super().recompose()
