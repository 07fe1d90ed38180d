"""Where an alert's link lands (issue 26): `nba-console --date D --check ID [--drill]`, and the
served console's `?date=…&check=…&drill=1` (console/tui/serve.py passes the same arguments).

Once, when the first date is shown, the named panel takes the focus and, with `--drill`, its
drill-down opens (it loads its rows in its own worker). In one column (under 110 columns) the
panels grow as their results land, so the panel is scrolled to the top again when the first
round of checks is done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.css.query import NoMatches


class Landing:
    def __init__(self, app: App[Any], open_detail: Callable[[str], None], check_id: str | None, drill: bool) -> None:
        self.app, self.open_detail, self.check_id, self.drill = app, open_detail, check_id, drill
        self._scroll_to: str | None = None

    def land(self) -> None:
        check_id, self.check_id = self.check_id, None
        if check_id is None:
            return
        try:
            self.app.screen.query_one(f"#panel-{check_id}").focus()
        except NoMatches:  # not on the main screen (a modal came first): the drill-down still opens
            pass
        self._scroll_to = check_id
        if self.drill:
            self.open_detail(check_id)

    def round_done(self) -> None:
        check_id, self._scroll_to = self._scroll_to, None
        if check_id is None:
            return
        try:
            panel = self.app.screen_stack[0].query_one(f"#panel-{check_id}")
        except (NoMatches, IndexError):
            return
        # After the layout the new results cause (a refresh later), not before it.
        self.app.call_after_refresh(lambda: self.app.call_after_refresh(panel.scroll_visible, top=True, animate=False))
