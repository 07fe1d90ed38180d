"""The team's chips in the header (issue 26), short so they pack at 80 columns: the watch's
heartbeat (`watch 3m ago`, or a ` WATCH SILENT 2h ` badge), who holds the playbook lock and its
step, and the other consoles open on this project. Nothing when there is nothing to say: a
console with no watch ever recorded shows no watch chip (it cannot know one was meant to run).
Also the ACK line a panel shows under its badge."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text

from console.core.context import CheckContext
from console.core.team import Ack, Presence, active_ack, ago, watch_silence
from console.core.timefmt import for_people
from console.services.team_records import TeamSnapshot

SILENT_STYLE = "bold white on red"
ACK_STYLE = "bold black on cyan"
MAX_NAMES = 2


def team_chips(snapshot: TeamSnapshot, now: datetime | None = None) -> list[Text]:
    """`now`: the wall clock (the heartbeat and presence are wall-clock times, whatever the
    console's own clock replays)."""
    wall = now or datetime.now(UTC)
    out: list[Text] = []
    if snapshot.heartbeat is not None:
        silence = watch_silence(snapshot.heartbeat, wall)
        if silence.silent:
            out.append(Text(f" WATCH SILENT {ago(silence.age)} ", style=SILENT_STYLE))
        else:
            out.append(Text.assemble("watch ", (f"{ago(silence.age)} ago", "bold")))
    if snapshot.lock is not None:
        step = f" step {snapshot.lock.step}" if snapshot.lock.step else ""
        out.append(Text(f" PLAYBOOK {snapshot.lock.who}: {snapshot.lock.playbook}{step} ", style="bold reverse"))
    if snapshot.others:
        out.append(Text.assemble("here: ", others_text(snapshot.others, wall)))
    if snapshot.error:
        out.append(Text("team unreadable", style="bold yellow"))
    return out


def others_text(others: list[Presence], now: datetime) -> Text:
    """`bob ro 5m, carol web 1h +2`: who, read-only / web, since how long."""
    parts = []
    for p in others[:MAX_NAMES]:
        marks = (" ro" if p.read_only else "") + (" web" if p.kind == "web" else "")
        parts.append(f"{p.who}{marks} {ago(now - p.since)}")
    more = f" +{len(others) - MAX_NAMES}" if len(others) > MAX_NAMES else ""
    return Text(", ".join(parts) + more, style="bold")


def ack_line(ack: Ack) -> Text:
    """` ACK ana ` then the reason: under a panel's status badge."""
    return Text.assemble((f" ACK {ack.who} ", ACK_STYLE), " ", (ack.reason, "italic"))


def team_lines(snapshot: TeamSnapshot, ctx: CheckContext, check_id: str) -> Text:
    """The drill-down's head: who acknowledged the check, and the notes on its date (this
    check's and the date's own), oldest first."""
    text = Text()
    ack = active_ack(snapshot.acks, ctx.game_date, check_id, ctx.as_of)
    if ack is not None:
        until = for_people(ack.until, ctx.settings.tz)
        text.append("\n")
        text.append_text(ack_line(ack))
        text.append(f"  until {until}", style="dim")
    # The date's notes and the morning's playbook runs, in the order they happened.
    lines: list[tuple[datetime, Text]] = []
    for note in snapshot.notes:
        if note.game_date == ctx.game_date and note.check in (None, check_id):
            when = for_people(note.at, ctx.settings.tz)
            lines.append((note.at, Text.assemble(("✎ ", "bold"), (f"{note.who} {when}: ", "dim"), note.text)))
    for run in snapshot.runs:
        when = for_people(run.at, ctx.settings.tz)
        lines.append(
            (
                run.at,
                Text.assemble(
                    ("▶ ", "bold"), (f"{run.who} {when}: ", "dim"), f"playbook {run.playbook} ({run.status})"
                ),
            )
        )
    for _at, line in sorted(lines, key=lambda pair: pair[0]):
        text.append("\n")
        text.append_text(line)
    return text
