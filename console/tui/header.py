"""The main screen's header: what the console shows, in which mode, packed to the width.

The header is a list of chips in order of importance (title, mode badges, the dates and the
clock, the checks' status, the team's chips, and by name what fails, the watch's last alert about this date,
then refresh, backend and project); they are laid out left to right and wrap onto a second or third
line on a narrow terminal, so nothing essential is ever cut off the right edge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from rich.text import Text

from console.core.clock import FixedClock, ReplayClock
from console.core.config import Settings
from console.core.models import STALE
from console.core.timefmt import format_duration
from console.services.runner import SPECS
from console.services.verdicts import ALARMING, Verdict, alarm_text, brief
from console.services.watch_state import last_notified_at
from console.tui.team_chips import team_chips
from panels.status_style import STATUS_ORDER, status_style

if TYPE_CHECKING:
    from console.tui.host import ConsoleHost

BADGE = "bold reverse"
ALARM_MAX = 400  # longer than any header line: the pack cuts the chip to the width


def _period(seconds: float) -> str:
    """A refresh period in words: 2s, 2m, 1h 30m (rounded to the second)."""
    return format_duration(round(seconds), drop_zero=True)


def mode_badges(app: ConsoleHost, now: datetime) -> list[str]:
    """Every mode the console is in, loudest first: WEB, READ-ONLY (the safety gate is closed),
    REPLAY 60x (the demo's accelerated clock), FROZEN AT 07:30 (`--at`), PAUSED, N STALE."""
    tz = app.settings.tz
    labels = list(app.mode_labels())
    clock = app.clock
    if isinstance(clock, ReplayClock):
        ended = " ENDED" if clock.finished else ""
        labels.append(f"REPLAY {clock.speed:g}x{ended}")
    elif isinstance(clock, FixedClock):
        labels.append(f"FROZEN AT {now.astimezone(tz):%H:%M}")
    if app.paused:
        labels.append("PAUSED")
    stale = sum(1 for state in app.states.values() if state.display_status == STALE)
    if stale:
        labels.append(f"{stale} STALE")
    return labels


def refresh_text(app: ConsoleHost) -> str:
    """The refresh period in the clock the panels' ages use: on the demo's replay clock, 2 s of
    wall time are 2 min of the morning, so the header says `every 2m (replay time)`."""
    if app.paused:
        return "paused (r: once)"
    period = app.settings.refresh_seconds
    clock = app.clock
    if isinstance(clock, ReplayClock):
        return f"every {_period(period * clock.speed)} of replay"
    return f"every {_period(period)}"


def status_chip(app: ConsoleHost) -> Text:
    counts = Counter(state.display_status for state in app.states.values())
    text = Text()
    for status in STATUS_ORDER:
        if counts.get(status):
            if text:
                text.append(" ")
            text.append(f"{counts[status]} {status}", style=status_style(status))
    return text


def verdicts(app: ConsoleHost) -> list[Verdict]:
    """Each check as the header and the compact list name it; a stale panel whose last good
    value fails still fails (its age is on the panel)."""
    out = []
    for spec in SPECS:
        state = app.states.get(spec.id)
        if state is None:
            continue
        status = state.display_status
        if status == STALE and state.result is not None and state.result.status.value in ALARMING:
            status = state.result.status.value
        out.append(Verdict(spec.id, spec.short_title, status, brief=brief(state.result, state.error)))
    return out


def alarm_chip(app: ConsoleHost) -> Text:
    """`FAIL drift: nba-scrapers 49 commits / 13.4 days behind`: what fails, by name (the
    pack cuts it to the header's width)."""
    text = alarm_text(verdicts(app), ALARM_MAX)
    worst = "error" if text.startswith("ERROR") else "fail"
    return Text(text, style=status_style(worst)) if text else Text()


def chips(app: ConsoleHost, now: datetime) -> list[Text]:
    tz = app.settings.tz
    local = now.astimezone(tz)
    game = app.game_date.isoformat() if app.game_date else "…"
    processing = app.processing_date.isoformat() if app.processing_date else "…"
    out = [Text("NBA console", style="bold")]
    out += [Text(f" {label} ", style=BADGE) for label in mode_badges(app, now)]
    out.append(Text.assemble("games ", (game, "bold")))
    which = (
        " (replay)" if isinstance(app.clock, ReplayClock) else " (frozen)" if isinstance(app.clock, FixedClock) else ""
    )
    out.append(Text.assemble((f"{local:%H:%M:%S %Z}", "bold"), f" {local:%a %b %d}{which}"))
    if status := status_chip(app):
        out.append(status)
    # Issue 26: the watch's heartbeat, the playbook lock, who else is here. Short, so before what
    # fails: they fill the rest of the clock's line at 80 columns instead of a fourth line the
    # header (three at most) would cut.
    out += team_chips(app.team.snapshot)
    if alarm := alarm_chip(app):  # wider than any line: a line of its own (the third at 80), cut to the width
        out.append(alarm)
    out.append(Text.assemble("processed ", (processing, "bold")))
    # Before refresh, backend and project: at 80x24 the header's third line is its last.
    if app.game_date is not None and (chip := watch_chip(app.settings, app.game_date)) is not None:
        out.append(chip)
    out.append(Text.assemble("refresh ", (refresh_text(app), "bold")))
    out.append(Text.assemble("backend ", (app.settings.backend, "bold")))
    out.append(Text.assemble("project ", (app.settings.project, "bold")))
    return out


def watch_chip(settings: Settings, game_date: date) -> Text | None:
    """`watch alerted Feb 4 07:35 EST (games Feb 3)`: the configured `watch`'s last delivery
    about the game date on screen, if its state file records one; another date's alert is
    not this screen's news."""
    notified = last_notified_at(settings, game_date)
    if notified is None:
        return None
    local = notified.astimezone(settings.tz)
    return Text.assemble(
        "watch alerted ",
        (f"{local:%b} {local.day} {local:%H:%M %Z}", "bold"),
        f" (games {game_date:%b} {game_date.day})",
    )


def pack(parts: Iterable[Text], width: int, gap: int = 2) -> Text:
    """Lay chips out left to right, starting a new line where the next one would not fit (a
    chip wider than the whole line is cropped with …, never split)."""
    lines: list[Text] = []
    line = Text()
    for chip in parts:
        if chip.cell_len > width:
            chip = chip.copy()
            chip.truncate(max(width, 1), overflow="ellipsis")
        if line and line.cell_len + gap + chip.cell_len > width:
            lines.append(line)
            line = Text()
        if line:
            line.append(" " * gap)
        line.append_text(chip)
    lines.append(line)
    return Text("\n").join(lines)


def header_text(app: ConsoleHost, now: datetime, width: int) -> Text:
    return pack(chips(app, now), max(width, 20))
