"""The playbooks screen's parameter form: one labelled field per parameter, checked as typed
by the engine's validators, prefilled from the panel it was opened from; the current value of
the flag an enable/disable playbook flips; suggestions that follow the check's state."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Input, OptionList, Static

from console.tui.screens.detail_screen import DetailScreen
from console.tui.screens.playbooks_screen import PlaybooksScreen
from console.tui.widgets.check_panel import CheckPanel
from tests.functional.conftest import FEB4, SIZE, settle, settle_detail, until


def _note(screen, name: str) -> str:
    return str(screen.query_one(f"#note-{name}", Static).render())


async def _playbooks_from(pilot, check_id: str) -> PlaybooksScreen:
    app = pilot.app
    await settle(pilot)
    app.screen.query_one(f"#panel-{check_id}", CheckPanel).focus()
    await pilot.press("P")
    await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
    await pilot.pause()
    return app.screen


async def test_from_drift_the_form_is_prefilled_with_the_worst_service_and_head(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _playbooks_from(pilot, "deployment_drift")
        head = app.states["deployment_drift"].result.value.head
        assert screen.current == "redeploy-service"
        assert screen.query_one("#param-service", Input).value == "nba-scrapers"
        assert screen.query_one("#param-commit", Input).value == head
        assert _note(screen, "service") == "✔" and _note(screen, "commit") == "✔"
        plan = str(screen.query_one("#plan", Static).render())
        assert f"$ ./bin/deploy-service.sh nba-scrapers --commit={head}" in plan
        assert "nba-scrapers is 49 commits behind head" in str(screen.query_one("#why", Static).render())


@pytest.mark.slow
async def test_fields_are_checked_as_typed_and_enter_walks_to_run(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _playbooks_from(pilot, "deployment_drift")
        service = screen.query_one("#param-service", Input)
        await until(pilot, lambda: app.focused is service)
        service.value = ""
        await pilot.press(*"nope-service")
        assert "nope-service" in _note(screen, "service") and "✘" in _note(screen, "service")
        assert "✘" in str(screen.query_one("#plan", Static).render()) or "nope-service" in str(
            screen.query_one("#plan", Static).render()
        )
        service.value = ""
        await pilot.press(*"nba-scrapers", "enter")
        assert _note(screen, "service") == "✔"
        commit = screen.query_one("#param-commit", Input)
        assert app.focused is commit
        commit.value = ""
        await pilot.press(*"zzz")
        assert "not 7 to 40" in _note(screen, "commit")
        assert not screen.running  # the r of "run" typed nowhere ran anything
        commit.value = ""
        await pilot.press("enter")
        assert "required" in _note(screen, "commit")
        assert app.focused is screen.query_one("#run", Button)


@pytest.mark.slow
async def test_enable_disable_show_the_flags_current_value(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _playbooks_from(pilot, "sequential_execution")
        books = screen.query_one("#books", OptionList)
        books.highlighted = list(screen.books).index("disable-sequential-execution")
        flags = screen.query_one("#flags", Static)
        await until(pilot, lambda: "now" in str(flags.render()))
        assert str(flags.render()) == (
            "SEQUENTIAL_EXECUTION_ENABLED on nba-phase3-analytics-processors: now true, sets false"
        )
        assert not screen.query_one("#form").display  # no parameters: no form
        books.highlighted = list(screen.books).index("redeploy-service")
        await pilot.pause()
        assert not flags.display


@pytest.mark.slow
async def test_healthy_grading_opens_no_rollback_and_the_drill_down_says_why(make_app):
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _playbooks_from(pilot, "grading_coverage")
        assert screen.current != "rollback-grading-orchestration"
        assert (
            str(screen.query_one("#why", Static).render())
            == "Grading coverage: no playbook suggested (the check is ok)"
        )
        await pilot.press("escape")
        app.open_detail("grading_coverage")
        await settle_detail(pilot)
        assert isinstance(app.screen, DetailScreen)
        line = str(app.screen.query_one("#detail-playbooks", Static).render())
        assert line.startswith("no playbook suggested") and "rollback" not in line
