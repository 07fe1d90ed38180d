"""Command palette (ctrl+p): every screen and action of the console, searchable."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ConsoleCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        from console.services.runner import SPECS

        app = self.app
        out: list[tuple[str, Callable[[], object], str]] = [
            ("Refresh now", app.action_refresh, "run every check again now"),
            ("Pause / resume auto-refresh", app.action_toggle_pause, "hold the refresh loop"),
            ("Previous game date", lambda: app.change_date(-1), "show the day before"),
            ("Next game date", lambda: app.change_date(+1), "show the day after"),
            ("Keys (help)", app.action_help, "every key binding"),
        ]
        for spec in SPECS:
            out.append(
                (
                    f"Open {spec.title} details",
                    lambda cid=spec.id: app.open_detail(cid),
                    f"drill-down rows of {spec.id}",
                )
            )
        out.append(("Playbooks", app.action_playbooks, "rollback and redeploy procedures"))
        out.append(("Live logs", app.action_logs, "the Phase 3 log stream"))
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
