"""One panel of the main grid: a PanelState drawn with its check's renderer.

The widget does no I/O: the app hands it a PanelState and the current time (from the
injected clock, so ages are deterministic under a FixedClock).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from console.adapters.textual_private import set_border_subtitle_quietly
from console.core.models import LOADING, STALE, CheckResult
from console.core.team import Ack
from console.core.timefmt import format_duration
from console.services.refresh import PanelState, age_text
from console.services.verdicts import brief
from console.tui.prerendered import Prerendered
from console.tui.team_chips import ACK_STYLE, ack_line
from panels.dispatch import render_result
from panels.status_style import STATUS_GLYPH, badge, label, status_style


class CheckPanel(Static, can_focus=True):
    """Focusable; enter (or a click) asks the screen to open the check's drill-down.

    Compact (`compact = True`, the main screen below the grid's width): two lines and no
    border, `✗ FAIL  Sequential execution  2 violation(s)` over the verdict's first clause,
    so all six fit 80x24 (issue 28); the focused one's whole body is the screen's preview.
    """

    HELP_SECTION = (20, "A check on the main screen")  # where `?` lists its keys

    BINDINGS = [
        Binding("enter", "select", "Details", id="open_detail"),
        # On the panel, not the screen: the scrolling body would take them to scroll.
        Binding("down", "screen.move_panel(1)", "Next panel", show=False, id="down_panel"),
        Binding("up", "screen.move_panel(-1)", "Prev panel", show=False, id="up_panel"),
    ]

    class Selected(Message):
        def __init__(self, check_id: str) -> None:
            super().__init__()
            self.check_id = check_id

    def __init__(self, check_id: str, title: str, tz: ZoneInfo, *, compact: bool = False) -> None:
        # Loading until its first state: that first show then changes no class (a style pass
        # per panel while the screen mounted).
        super().__init__(id=f"panel-{check_id}", classes=f"panel -{LOADING}")
        self.check_id = check_id
        self.title = title
        self.tz = tz
        self.border_title = title
        self.compact = compact
        self.state: PanelState | None = None
        self._drawn: tuple | None = None  # (result, error, status, data age, ack, compact) the body was drawn from
        self._hint = ""  # "↓ N more (enter) · " when the body is taller than the panel
        self._base_subtitle = ""  # the subtitle without the hint ("refreshed 3s ago")
        self._content_shown: Prerendered | None = None  # the body last drawn, to count its lines again on a resize
        self._ack: Ack | None = None

    def show(self, state: PanelState, now: datetime, ack: Ack | None = None) -> None:
        """Draw `state` (and the ack someone made of it, issue 26). The body is rebuilt only when
        what it shows changed; the 1 s tick changes the age in the bottom border only, and
        repaints just that row."""
        self.state = state
        self._ack = ack
        status = state.display_status
        drawn = self._drawn
        # The data's age is in the body, so the body is redrawn when that text changes (once a
        # minute past the first minute), not on every tick.
        data_age = self._data_age(state.shown, now) if state.shown is not None else ""
        if (
            drawn is not None
            and drawn[0] is state.shown
            and drawn[1:] == (state.error, status, data_age, ack, self.compact)
        ):
            self._base_subtitle = self._subtitle(state, status, now)
            self._set_subtitle(self._hint + self._base_subtitle)
            return
        self._set_status_class(status)
        # The border says the status too (a glyph), so it reads without its colour.
        self.border_title = f"{STATUS_GLYPH.get(status, '·')} {self.title}"
        body = self._compact(state, status, now) if self.compact else self._content(state, status, now)
        content = Prerendered(body)  # drawn once per width (hint, paint, repaints)
        # In the grid a panel is the grid cell's size whatever it shows: no layout pass (which
        # measures and repaints the whole screen) per result. In one column its content sizes it.
        height = self.styles.height
        self.update(content, layout=height is None or height.is_auto or self.size.height <= 0)
        self._drawn = (state.shown, state.error, status, data_age, ack, self.compact)
        self._content_shown = content
        self._base_subtitle = str(self.border_subtitle or "")
        self._hint = self._hidden_lines_hint(content)
        if self._hint:
            self.border_subtitle = self._hint + self._base_subtitle

    def _set_status_class(self, status: str) -> None:
        """One class for the status; one style pass when it changes (a pass per class
        added or removed made the first results cost twice what they do)."""
        changed = False
        for name in ("ok", "warn", "fail", "unknown", "error", STALE, LOADING):
            if self.has_class(f"-{name}") != (status == name):
                self.set_class(status == name, f"-{name}", update=False)
                changed = True
        if changed:
            self.update_node_styles()

    def on_resize(self) -> None:
        """The layout settles (or the terminal changes) after the body was drawn: count the
        hidden lines again at the new size, so the hint never says what an old size hid."""
        if self._content_shown is None:
            return
        hint = self._hidden_lines_hint(self._content_shown)
        if hint != self._hint:
            self._hint = hint
            self.border_subtitle = hint + self._base_subtitle

    def _hidden_lines_hint(self, content: Prerendered) -> str:
        """A panel too short for its lines says so in its border (enter shows everything)."""
        width, height = self.content_size.width, self.content_size.height
        if width <= 0 or height <= 0 or self.styles.height is None or self.styles.height.is_auto:
            return ""
        app = self.app
        # The options Textual paints the body with, so the paint replays these segments.
        lines = content.line_count(app.console, app.console_options.update(highlight=False, width=width))
        return f"↓ {lines - height} more (enter) · " if lines > height else ""

    def set_compact(self, compact: bool) -> None:
        """The screen changed layout: draw again (two lines, or the whole body)."""
        if compact != self.compact:
            self.compact = compact
            self._drawn = None
            self._hint = ""

    def _content(self, state: PanelState, status: str, now: datetime) -> Group:
        self.border_subtitle = self._subtitle(state, status, now)
        return full_content(state, status, now, self.tz, self._ack)

    def _compact(self, state: PanelState, status: str, now: datetime) -> Group:
        self.border_subtitle = ""
        return compact_content(self.title, state, status, now, self.tz, self._ack)

    @property
    def ack(self) -> Ack | None:
        """The acknowledgement last drawn with the panel (the compact screen's preview shows it too)."""
        return self._ack

    @staticmethod
    def _subtitle(state: PanelState, status: str, now: datetime) -> str:
        age = age_text(state.age_seconds(now))
        suffix = f" · retry #{state.failures}" if state.failures else ""
        running = " · refreshing" if state.running else ""
        return ("stale, " if status == STALE else "") + f"refreshed {age}{suffix}{running}"

    def _set_subtitle(self, text: str) -> None:
        if text == self.border_subtitle:
            return
        # Widget.border_subtitle's setter (and any refresh()) repaints the whole body on every
        # 1 s tick: this repaints the bottom border row only (through Textual's internals, in
        # their adapter, which falls back to the public setter).
        set_border_subtitle_quietly(self, text)

    def _data_age(self, result: CheckResult, now: datetime) -> str:
        return data_age(result, now, self.tz)

    def on_click(self) -> None:
        self.focus()

    def action_select(self) -> None:
        self.post_message(self.Selected(self.check_id))


def data_age(result: CheckResult, now: datetime, tz: ZoneInfo) -> str:
    """How old the data is (its newest graded_at, processed_at, log line, completion), in
    the screen's clock: `  data 08:14, 2h 46m old`; nothing when the source has no time.
    Whole minutes of the clock, so the text (and the body) changes once a minute at most."""
    data_at = getattr(result, "data_at", None)
    if data_at is None:
        return ""
    local = data_at.astimezone(tz)
    when = f"{local:%H:%M}" if local.date() == now.astimezone(tz).date() else f"{local:%b %d %H:%M}"
    # Both truncated to the minute: the age moves when the clock's minute does.
    elapsed = now.replace(second=0, microsecond=0) - data_at.replace(second=0, microsecond=0)
    return f"  data {when}, {format_duration(elapsed.total_seconds(), smallest='m')} old"


def full_content(state: PanelState, status: str, now: datetime, tz: ZoneInfo, ack: Ack | None = None) -> Group:
    """A panel's whole body: badge, headline, the data's age, any acknowledgement (issue 26),
    any error, the summary, details."""
    top = Text.assemble(badge(status), " ")
    parts: list[RenderableType] = []
    result = state.shown
    # The error goes right under the badge: a long body scrolls, the error must not.
    error = [Text(f"⚠ {state.error}", style="bold red")] if state.error is not None else []
    if ack is not None:  # right under the badge too: whoever looks sees someone is on it
        error.insert(0, ack_line(ack))
    if result is not None:
        headline, body = render_result(result, tz)
        top.append(headline, style="bold")
        top.append(data_age(result, now, tz), style="dim")
        parts += [top, *error, Text(result.summary, style="italic"), body]
    elif status == LOADING:
        parts += [top.append("loading…", style="dim")]
    else:
        parts += [top, *error]
    return Group(*parts)


def compact_content(
    title: str, state: PanelState, status: str, now: datetime, tz: ZoneInfo, ack: Ack | None = None
) -> Group:
    """Two lines: `✗ FAIL  Sequential execution  2 violation(s)`, then the verdict's first
    clause (or the source's error), each cut to the width with an ellipsis. An acknowledged
    check (issue 26) has ` ACK who ` after its status, where the cut never reaches, and its
    reason before the verdict."""
    result = state.shown
    top = Text.assemble((f"{label(status):<9}", status_style(status)), " ", no_wrap=True, overflow="ellipsis")
    if ack is not None:
        top.append_text(Text(f" ACK {ack.who} ", style=ACK_STYLE))
        top.append(" ")
    top.append(title, style="bold")
    if result is not None:
        top.append(f"  {render_result(result, tz)[0]}", style="bold")
        top.append(data_age(result, now, tz), style="dim")
    why = brief(result, state.error) or ("loading…" if status == LOADING else "")
    second = Text("  ", no_wrap=True, overflow="ellipsis")
    if ack is not None:
        second.append(f"“{ack.reason}” · ", style="italic")
    second.append(why, style="bold red" if state.error else "italic")
    return Group(top, second)
