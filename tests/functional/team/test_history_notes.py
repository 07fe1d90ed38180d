"""Notes on the history grid (issue 26): a note about a check marks its cell ✎, and `n` on a
cell writes a note on that cell's date and check (not the date the main screen shows)."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import DataTable

from console.backends.team_local import LocalTeamStore
from console.core.team import Note
from console.tui.screens.team_modal import TeamModal
from tests.functional.conftest import FEB3, FEB4, SIZE, until
from tests.helpers.history_screen import open_history, with_silent_logs


def grid_cell(screen, check_id: str, day) -> str:
    return screen.query_one("#history-grid", DataTable).get_cell(check_id, day.isoformat()).plain


async def test_a_note_marks_its_cell_and_n_notes_the_cursors_cell(make_app, demo_settings):
    store = LocalTeamStore(demo_settings.state_dir)
    store.add_note(
        Note(id="n1", game_date=FEB3, check="usage_rate_coverage", who="ana", at=datetime.now(UTC), text="PHX feed")
    )
    app = with_silent_logs(make_app)(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await until(pilot, lambda: grid_cell(screen, "usage_rate_coverage", FEB3).endswith("✎"))
        assert not grid_cell(screen, "dnp_pollution", FEB3).endswith("✎")
        assert not grid_cell(screen, "usage_rate_coverage", FEB4).endswith("✎")

        table = screen.query_one("#history-grid", DataTable)
        row = table.get_row_index("dnp_pollution")
        column = table.get_column_index(FEB3.isoformat())
        table.cursor_coordinate = (row, column)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, TeamModal))
        await pilot.press(*"cache rebuilt")
        await pilot.press("enter")
        await until(pilot, lambda: any(n.text == "cache rebuilt" for n in store.notes(FEB3)))
        note = next(n for n in store.notes(FEB3) if n.text == "cache rebuilt")
        assert (note.game_date, note.check) == (FEB3, "dnp_pollution")
        await until(pilot, lambda: app.screen is screen and screen.loaded)
        await until(pilot, lambda: grid_cell(screen, "dnp_pollution", FEB3).endswith("✎"))
