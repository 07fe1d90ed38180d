"""One panel of the main grid: a PanelState drawn with its check's renderer.

The widget does no I/O: the app hands it a PanelState and the current time (from the
injected clock, so ages are deterministic under a FixedClock).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from console.refresh import LOADING, STALE, PanelState, format_age

from .badges import badge
from .render import render_result


class CheckPanel(Static, can_focus=True):
    """Focusable; enter (or a click) asks the screen to open the check's drill-down."""

    BINDINGS = [Binding("enter", "select", "Details", id="open_detail")]

    class Selected(Message):
        def __init__(self, check_id: str) -> None:
            super().__init__()
            self.check_id = check_id

    def __init__(self, check_id: str, title: str, tz: ZoneInfo) -> None:
        super().__init__(id=f"panel-{check_id}", classes="panel")
        self.check_id = check_id
        self.title = title
        self.tz = tz
        self.border_title = title
        self.state: PanelState | None = None

    def show(self, state: PanelState, now: datetime) -> None:
        self.state = state
        status = state.display_status
        for name in ("ok", "warn", "fail", "unknown", "error", STALE, LOADING):
            self.set_class(status == name, f"-{name}")
        content = self._content(state, status, now)
        self.update(content)
        self._hint_hidden_lines(content)

    def _hint_hidden_lines(self, content: Group) -> None:
        """A panel too short for its lines says so in its border (enter shows everything)."""
        width, height = self.content_size.width, self.content_size.height
        if width <= 0 or height <= 0 or self.styles.height is None or self.styles.height.is_auto:
            return
        console = self.app.console
        lines = len(console.render_lines(content, console.options.update_width(width), pad=False))
        if lines > height:
            self.border_subtitle = f"↓ {lines - height} more (enter) · {self.border_subtitle}"

    def _content(self, state: PanelState, status: str, now: datetime) -> Group:
        top = Text.assemble(badge(status), " ")
        parts: list = []
        result = state.shown
        # The error goes right under the badge: a long body scrolls, the error must not.
        error = [Text(f"⚠ {state.error}", style="bold red")] if state.error is not None else []
        if result is not None:
            headline, body = render_result(result, self.tz)
            top.append(headline, style="bold")
            top.append(self._data_age(result, now), style="dim")
            parts += [top, *error, Text(result.summary, style="italic"), body]
        elif status == LOADING:
            parts += [top.append("loading…", style="dim")]
        else:
            parts += [top, *error]
        age = format_age(state.age_seconds(now))
        suffix = f" · retry #{state.failures}" if state.failures else ""
        running = " · refreshing" if state.running else ""
        self.border_subtitle = ("stale, " if status == STALE else "") + f"refreshed {age}{suffix}{running}"
        return Group(*parts)

    def _data_age(self, result, now: datetime) -> str:
        """How old the data is (its newest graded_at, processed_at, log line, completion), in
        the screen's clock: `  data 08:14, 2h 46m old`; nothing when the source has no time."""
        data_at = getattr(result, "data_at", None)
        if data_at is None:
            return ""
        local = data_at.astimezone(self.tz)
        when = f"{local:%H:%M}" if local.date() == now.astimezone(self.tz).date() else f"{local:%b %d %H:%M}"
        return f"  data {when}, {format_age(max(0.0, (now - data_at).total_seconds())).removesuffix(' ago')} old"

    def on_click(self) -> None:
        self.focus()

    def action_select(self) -> None:
        self.post_message(self.Selected(self.check_id))
