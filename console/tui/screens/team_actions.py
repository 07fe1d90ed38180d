"""`a` (acknowledge the focused panel's check) and `n` (a note on the date, or on the focused
panel's check): the modal, then the write in a worker (console/tui/team_view.py). Read-only
refuses before the modal opens: the one gate, console/core/safety.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from console.core.safety import ReadOnlyError, check_team_writable
from console.core.team import TeamStore, ago, headline_number
from console.core.timefmt import for_people
from console.services.runner import SPEC_BY_ID
from console.services.team_records import acknowledge, add_note
from console.tui.screens.team_modal import TeamInput, TeamModal
from panels.dispatch import headline

if TYPE_CHECKING:
    from textual.app import App

    from console.tui.host import ConsoleHost


def _refused(app: App[Any], host: ConsoleHost, what: str) -> bool:
    try:
        check_team_writable(host.settings, what)
    except ReadOnlyError as exc:
        app.notify(str(exc), severity="warning", timeout=8)
        return True
    return False


def acknowledge_check(app: App[Any], host: ConsoleHost, check_id: str) -> None:
    spec, state, game_date = SPEC_BY_ID[check_id], host.states[check_id], host.game_date
    if game_date is None or _refused(app, host, f"acknowledge {spec.title}"):
        return
    # The status the panel stands for: its source's error, else its result's.
    status = "error" if state.error is not None else state.result.status.value if state.result else "unknown"
    if status not in ("warn", "fail", "error"):
        app.notify(f"{spec.title} is {status}: nothing to acknowledge", severity="warning")
        return
    number = headline_number(headline(state.result)) if state.result is not None else None
    settings, at = host.settings, host.clock.now()

    def answered(answer: TeamInput | None) -> None:
        if answer is None:
            return
        reason, duration = answer

        def write(store: TeamStore) -> str:
            ack = acknowledge(settings, store, check_id, game_date, reason, at, duration, status, number)
            return f"{spec.title} acknowledged as {ack.who} until {for_people(ack.until, settings.tz)}"

        host.team.act(f"acknowledge {spec.title}", write)

    title = f"Acknowledge {spec.title} ({status}, games {game_date})"
    app.push_screen(TeamModal(title, "why: what you are doing about it", ago(settings.team.ack_for)), answered)


def note_on(
    app: App[Any],
    host: ConsoleHost,
    check_id: str | None,
    game_date: date | None = None,
    on_written: Callable[[], None] | None = None,
) -> None:
    """`game_date`: another date than the one shown (a history cell's); `on_written`: called
    on the UI thread once the note is saved (the history grid draws its mark)."""
    game_date = game_date or host.game_date
    if game_date is None or _refused(app, host, "add a note"):
        return
    settings, at = host.settings, host.clock.now()
    about = SPEC_BY_ID[check_id].title if check_id in SPEC_BY_ID else None

    def answered(answer: TeamInput | None) -> None:
        if answer is None:
            return

        def write(store: TeamStore) -> str:
            note = add_note(settings, store, game_date, answer[0], at, check_id)
            return f"noted on {note.game_date}" + (f" ({about})" if about else "")

        host.team.act("add a note", write, on_written)

    title = f"Note on games {game_date}" + (f" · {about}" if about else "")
    app.push_screen(TeamModal(title, "what was learned (one line)"), answered)
