"""The history screen (`h`): grid, plots, enter opens a date's drill-down, [ ] move the range."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from textual.widgets import DataTable, Static

from console.core.errors import ErrorKind, SourceError
from console.services.runner import CheckContext, run_all
from console.tui.history_grid import series
from console.tui.screens.detail_screen import DetailScreen
from console.tui.screens.history_screen import HistoryScreen
from tests.conftest import DEMO_END
from tests.functional.conftest import FEB3, FEB4, SIZE, until
from tests.helpers.history_screen import open_history, with_silent_logs
from tests.helpers.notices import record_notices


@pytest.fixture
def make_app(make_app):
    return with_silent_logs(make_app)


def cell_text(screen: HistoryScreen, check_id: str, day: date) -> str:
    return screen.query_one("#history-grid", DataTable).get_cell(check_id, day.isoformat()).plain


def head_text(screen: HistoryScreen) -> str:
    return str(screen.query_one("#history-head", Static).render())


@pytest.mark.slow
async def test_h_shows_every_check_over_14_dates_as_check_judges_them(make_app, demo_settings, demo_backend):
    async with make_app(FEB4).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert (screen.span.start, screen.span.end) == (date(2026, 1, 22), FEB4)
        assert cell_text(screen, "dnp_pollution", FEB3) == "✗ FAIL 22.1"  # Feb 3's own rows: 73/330
        assert cell_text(screen, "usage_rate_coverage", FEB3) == "✗ FAIL 87.1"
        assert (
            cell_text(screen, "grading_coverage", date(2026, 1, 26)) == "✗ FAIL 75.8"
        )  # under the trigger past 09:00 ET
        assert cell_text(screen, "deployment_drift", FEB4) == "✗ FAIL 49c"
        for day in (date(2026, 1, 26), FEB3, FEB4):
            report = run_all(demo_backend, CheckContext(demo_settings, day, DEMO_END))
            for check in report.checks:
                got = screen.results[check.id][day].model_dump()
                if check.id == "deployment_drift":  # judged as of that date's morning, as `check --at` does
                    moment = datetime.fromisoformat(got["value"].pop("deploys_as_of"))
                    check = run_all(demo_backend, CheckContext(demo_settings, day, moment), [check.id]).checks[0]
                assert got == check.model_dump(), (day, check.id)


async def test_drift_is_a_trend_of_each_mornings_deploys(make_app):
    """Issue 23: the deploys of each date's morning, not today's on every date: the row
    climbs from 0 to 49 commits behind and the plot is no longer flat."""
    async with make_app(FEB4).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert cell_text(screen, "deployment_drift", date(2026, 1, 22)) == "✓ ok 0c"
        assert cell_text(screen, "deployment_drift", date(2026, 1, 26)) == "! WARN 11c"
        assert cell_text(screen, "deployment_drift", FEB3) == "✗ FAIL 46c"
        [drift] = [
            s
            for s in series(
                [{c: r[d] for c, r in screen.results.items()} for d in screen.span.dates], pilot.app.settings
            )
            if s.title.startswith("commits behind")
        ]
        assert drift.values[0] == 0 and drift.values[-1] == 49 and len(set(drift.values)) > 10


@pytest.mark.slow
async def test_brackets_move_the_range_and_enter_opens_that_dates_drill_down(make_app, monkeypatch):
    app = make_app(FEB4)
    told = record_notices(monkeypatch, app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await pilot.press("left_square_bracket")
        await until(pilot, lambda: screen.loaded and screen.span.end == date(2026, 1, 21))
        # Only dates with data are columns: Jan 8 .. 21 asked, Jan 18 .. 21 shown, and said so.
        assert (screen.span.start, screen.span.days) == (date(2026, 1, 18), 4)
        assert "no data before 2026-01-18: 10 of 14 dates left out" in head_text(screen)
        assert cell_text(screen, "deployment_drift", date(2026, 1, 21)) == "? unk -"  # no deploy record yet
        await pilot.press("left_square_bracket")  # past the data: refused, as on the main screen
        await pilot.pause()
        assert screen.span.end == date(2026, 1, 21) and screen.loaded
        assert any("no data before 2026-01-18" in n.message for n in told)
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: screen.loaded and screen.span.end == FEB4)
        grid = screen.query_one("#history-grid", DataTable)
        grid.focus()
        grid.move_cursor(row=3, column=1 + 12)  # dnp_pollution on Feb 3 (column 0 is the check's name)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, DetailScreen))
        detail = pilot.app.screen
        assert (detail.spec.id, detail.ctx.game_date) == ("dnp_pollution", FEB3)
        await until(pilot, lambda: detail.rows is not None)
        assert len(detail.rows) == 143
        await pilot.press("escape")
        assert pilot.app.screen is screen


async def test_a_failing_source_is_err_in_its_row_and_the_rest_loads(make_app, demo_settings):
    from console.backends.local_backend import LocalBackend

    class Failing(LocalBackend):
        def run_query(self, name, params):
            if name == "history_usage":
                raise SourceError(ErrorKind.QUOTA, "history_usage: 429 quota exceeded")
            return super().run_query(name, params)

    async with make_app(FEB4, backend_factory=Failing).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert cell_text(screen, "usage_rate_coverage", FEB3) == "⚠ ERR"
        assert "429" in screen.results["usage_rate_coverage"][FEB3].error
        assert cell_text(screen, "dnp_pollution", FEB3) == "✗ FAIL 22.1"  # Feb 3's own rows: 73/330
