"""What a screen or widget of the console may use of the app it runs in, typed.

Screens reach the app through `host_of(self)` instead of the untyped `self.app`: the
protocol is the whole of what they may use, and mypy checks both sides (console/tui/app.py
proves NbaConsoleApp is a ConsoleHost). Screens that also run outside the console (the log
screen in `nba-console logs`, the playbooks screen in tests) take what they need in their
constructors instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Protocol, cast

from console.core.backend import Backend
from console.core.clock import Clock
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.models import CheckResult
from console.services.refresh import PanelState, RefreshScheduler

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from console.tui.date_navigation import DateNavigator
    from console.tui.team_view import TeamView


class ConsoleHost(Protocol):
    settings: Settings
    clock: Clock
    paused: bool

    @property
    def scheduler(self) -> RefreshScheduler: ...

    @property
    def dates(self) -> DateNavigator: ...

    @property
    def team(self) -> TeamView:
        """The team's records as this console last read them, and its way to write (issue 26)."""

    @property
    def states(self) -> Mapping[str, PanelState]:
        """Every panel's state, by check id (new objects on a date change)."""

    @property
    def results(self) -> dict[str, CheckResult]:
        """The results on screen (the last good ones, stale or not)."""

    @property
    def game_date(self) -> date | None: ...

    @property
    def processing_date(self) -> date | None: ...

    def context(self) -> CheckContext:
        """The shown date's context, as of the clock's now (a date must be shown)."""

    def backend(self) -> Backend:
        """The shared backend, opened on first use: call from a worker thread only."""

    def mode_labels(self) -> list[str]: ...

    def change_date(self, days: int) -> None: ...

    def goto_date(self) -> None: ...

    def show_default_date(self) -> None: ...

    def open_detail(self, check_id: str) -> None: ...

    def redraw(self) -> None: ...


def host_of(node: DOMNode) -> ConsoleHost:
    """The console app `node` is mounted in (screens of the console only)."""
    return cast("ConsoleHost", node.app)
