"""Command palette (ctrl+p): every screen and action of the console, searchable."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.tui.host import host_of


class ConsoleCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        from console.services.runner import SPECS

        app, host = self.app, host_of(self.app)
        # The app's actions by name: run_action is public and typed, whatever the app class.
        out: list[tuple[str, Callable[[], object], str]] = [
            ("Refresh now", partial(app.run_action, "refresh"), "run every check again now"),
            ("Pause / resume auto-refresh", partial(app.run_action, "toggle_pause"), "hold the refresh loop"),
            ("Previous game date", partial(host.change_date, -1), "show the day before"),
            ("Next game date", partial(host.change_date, +1), "show the day after"),
            ("Keys (help)", partial(app.run_action, "help"), "every key binding"),
        ]
        out += [
            (f"Open {spec.title} details", partial(host.open_detail, spec.id), f"drill-down rows of {spec.id}")
            for spec in SPECS
        ]
        out.append(("Playbooks", partial(app.run_action, "playbooks"), "rollback and redeploy procedures"))
        out.append(("Live logs", partial(app.run_action, "logs"), "the Phase 3 log stream"))
        return out

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
