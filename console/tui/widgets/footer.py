"""A footer whose essential keys come first, so a narrow terminal never cuts them.

Textual's Footer lists the focused widget's keys, then the screen's, then the app's: at 80
columns `?` `l` `P` `q` (app keys) fell off the right edge. This one puts the keys named in
ESSENTIAL first (in that order), then the rest in Textual's order.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ESSENTIAL = ("help", "logs", "playbooks", "quit")  # binding ids


class ConsoleFooter(Footer):
    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
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

        for binding, enabled, tooltip in sorted(shown, key=rank):  # stable: the rest keep their order
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, disabled=not enabled, tooltip=tooltip).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _, binding, enabled, _ = palette
                yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                                binding.action, classes="-command-palette", disabled=not enabled,
                                tooltip=binding.tooltip or binding.description)
