"""The playbooks screen in a tiny host app: confirmations, typed names, live output, read-only."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Input, Label, OptionList, RichLog, Static

from console.playbook.audit import AuditLog
from console.tui.screens.playbooks_screen import ConfirmationModal, FailureModal, PlaybooksScreen, TypedNameModal
from tests.functional.conftest import until
from tests.helpers.playbooks_screen import Host

SERVICE = "nba-phase3-analytics-processors"


def _env(backend):
    return backend.deploy_state().service(SERVICE).env["SEQUENTIAL_EXECUTION_ENABLED"]


def _log_text(screen) -> str:
    return "\n".join(line.text for line in screen.query_one("#output", RichLog).lines)


async def test_suggested_playbook_shows_its_exact_commands(demo_settings, demo_backend):
    app = Host(demo_settings, demo_backend, suggested="disable-sequential-execution")
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        screen = app.screen
        assert screen.query_one("#books", OptionList).option_count == 5
        plan = str(screen.query_one("#plan", Static).render())
        assert (
            "$ gcloud run services update nba-phase3-analytics-processors --region=us-west2 "
            "--update-env-vars=SEQUENTIAL_EXECUTION_ENABLED=false"
        ) in plan
        assert not screen.query("#banner")


@pytest.mark.slow
async def test_run_with_confirmation_and_typed_name_changes_the_deploy_state(demo_settings, demo_backend):
    app = Host(demo_settings, demo_backend, suggested="disable-sequential-execution")
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        screen = app.screen
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmationModal))
        assert "--update-env-vars=SEQUENTIAL_EXECUTION_ENABLED=false" in str(
            app.screen.query_one("#command", Static).render()
        )
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, TypedNameModal))
        await pilot.press(*SERVICE, "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmationModal) and app.screen.step.index == 1)
        await pilot.press("y")
        await until(pilot, lambda: not screen.running)
        assert _env(demo_backend) == "false"
        text = _log_text(screen)
        assert "local: nba-phase3-analytics-processors env SEQUENTIAL_EXECUTION_ENABLED=false" in text
        assert "verify: reads back SEQUENTIAL_EXECUTION_ENABLED=false" in text and "completed" in text
        [run] = AuditLog(demo_settings.state_dir).runs()
        assert run.status == "completed"


async def test_answering_no_runs_nothing(demo_settings, demo_backend):
    app = Host(demo_settings, demo_backend, suggested="disable-sequential-execution")
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        screen = app.screen
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmationModal))
        await pilot.press("n")
        await until(pilot, lambda: not screen.running)
        assert _env(demo_backend) == "true" and "declined" in _log_text(screen)


@pytest.mark.slow
async def test_a_wrong_typed_name_runs_nothing(demo_settings, demo_backend):
    app = Host(demo_settings, demo_backend, suggested="disable-sequential-execution")
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        screen = app.screen
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmationModal))
        await pilot.press("y")
        for attempt in range(3):  # asked again after each wrong name, three tries in all
            await until(pilot, lambda: isinstance(app.screen, TypedNameModal))
            if attempt:
                assert "try again" in str(app.screen.query_one("#note", Label).render())
            asked = app.screen
            await pilot.press(*"nba-scrapers", "enter")
            await until(pilot, lambda asked=asked: app.screen is not asked)
        await until(pilot, lambda: not screen.running)
        assert _env(demo_backend) == "true"
        [run] = AuditLog(demo_settings.state_dir).runs()
        assert run.status == "declined"
        records = AuditLog(demo_settings.state_dir).records(run.run_id)
        assert len([r for r in records if r.event == "confirm_mismatch"]) == 3
        text = _log_text(screen)
        assert f"run {run.run_id}: declined" in text and f"nba-console playbook run --resume {run.run_id}" in text


@pytest.mark.slow
async def test_parameters_render_the_commands(demo_settings, demo_backend):
    app = Host(demo_settings, demo_backend, suggested="redeploy-service")
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        screen = app.screen
        screen.query_one("#param-service").value = "nba-scrapers"
        screen.query_one("#param-commit").value = "29130502;id"
        await pilot.pause()
        assert "not 7 to 40" in str(screen.query_one("#plan", Static).render())
        assert "not 7 to 40" in str(screen.query_one("#note-commit", Static).render())  # said at the field
        screen.query_one("#param-commit").value = "06934c94"
        await pilot.pause()
        assert str(screen.query_one("#note-commit", Static).render()) == "✔"
        assert "$ ./bin/deploy-service.sh nba-scrapers --commit=06934c94" in str(
            screen.query_one("#plan", Static).render()
        )


@pytest.mark.slow
async def test_a_failed_step_offers_retry_skip_abort(demo_settings, demo_backend):
    # The monitor is already gone from the local deploy state: deleting it fails.
    state = demo_backend.deploy_state()
    state.services = [s for s in state.services if s.name != "grading-coverage-monitor"]
    demo_backend.write_deploy_state(state)
    app = Host(demo_settings, demo_backend, suggested="rollback-grading-orchestration")
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        screen = app.screen

        async def confirm(index, typed=None):
            await until(pilot, lambda: isinstance(app.screen, ConfirmationModal) and app.screen.step.index == index)
            await pilot.press("y")
            if typed:
                await until(pilot, lambda: isinstance(app.screen, TypedNameModal))
                await pilot.press(*typed, "enter")

        await pilot.press("r")
        await confirm(0, "phase3-to-grading")
        await confirm(1, "grading-coverage-monitor")
        await until(pilot, lambda: isinstance(app.screen, FailureModal))
        await pilot.press("a")
        await until(pilot, lambda: not screen.running)
        after = demo_backend.deploy_state()
        assert after.service("phase3-to-grading") is None
        assert after.commits[0].sha == state.commits[0].sha  # the revert (step 3) never ran
        assert "grading-coverage-monitor is not deployed" in _log_text(screen) and "failed" in _log_text(screen)
        [run] = AuditLog(demo_settings.state_dir).runs()
        assert run.status == "failed" and run.next_step == 1


async def test_read_only_shows_a_banner_and_cannot_run(demo_settings, demo_backend):
    settings = demo_settings.model_copy(update={"read_only": True})
    app = Host(settings, demo_backend, suggested="disable-sequential-execution")
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        screen = app.screen
        assert "READ-ONLY" in str(screen.query_one("#banner", Static).render())
        assert screen.query_one("#run", Button).disabled
        await pilot.press("r")
        await pilot.pause(0.2)
        assert isinstance(app.screen, PlaybooksScreen) and not screen.running
        assert _env(demo_backend) == "true" and "read-only" in _log_text(screen)
        assert not AuditLog(settings.state_dir).path.exists()


# ------------------------------------------------------------------ leaving is always clean (issue 10)


async def test_quit_inside_the_confirmation_modal_cancels_the_run_and_releases_the_lock(demo_settings, demo_backend):
    import time

    app = Host(demo_settings, demo_backend, suggested="disable-sequential-execution")
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmationModal))
        assert (demo_settings.state_dir / "playbook.lock").exists()
        t0 = time.monotonic()
        await pilot.press("ctrl+q")
    # Leaving does not wait on the modal or the lock: about 0.3 s; 10 s is over 5x that loaded.
    assert time.monotonic() - t0 < 10
    assert not (demo_settings.state_dir / "playbook.lock").exists()
    [run] = AuditLog(demo_settings.state_dir).runs()
    assert run.status == "interrupted" and _env(demo_backend) == "true"


async def test_quit_at_a_confirmation_leaves_the_run_id_and_the_resume_command(demo_settings, demo_backend):
    """Issue 28: ctrl+q at a confirmation ended the console saying nothing of the run it
    interrupted; the console's host keeps a note that `nba-console` prints after the screen."""

    class Console(Host):
        exit_notes: list[str]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.exit_notes = []

    app = Console(demo_settings, demo_backend, suggested="disable-sequential-execution")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmationModal))
        await pilot.press("ctrl+q")
    [run] = AuditLog(demo_settings.state_dir).runs()
    [note] = app.exit_notes
    assert note.startswith(f"playbook run {run.run_id} interrupted: cancelled at step 1")
    assert note.endswith(f"resume with: nba-console playbook run --resume {run.run_id}")


@pytest.mark.slow
async def test_q_and_ctrl_c_in_modals_quit_too(demo_settings, demo_backend):
    for key, modal in (("q", ConfirmationModal), ("ctrl+c", TypedNameModal)):
        app = Host(demo_settings, demo_backend, suggested="disable-sequential-execution")
        async with app.run_test(size=(160, 50)) as pilot:
            await until(pilot, lambda app=app: isinstance(app.screen, PlaybooksScreen))
            await pilot.press("r")
            await until(pilot, lambda app=app: isinstance(app.screen, ConfirmationModal))
            if modal is TypedNameModal:
                await pilot.press("y")
                await until(pilot, lambda app=app: isinstance(app.screen, TypedNameModal))
            await pilot.press(key)
        assert not (demo_settings.state_dir / "playbook.lock").exists()
    assert [r.status for r in AuditLog(demo_settings.state_dir).runs()] == ["interrupted", "interrupted"]


async def test_in_the_typed_name_modal_q_is_a_letter_escape_declines_and_ctrl_q_quits(demo_settings, demo_backend):
    """What docs/playbooks.md says the keys do there: `q` is typed into the name (the run still
    waits on it), escape declines the step (nothing runs, the run ends `declined`), ctrl+q
    leaves and cancels the run."""
    for leave in ("escape", "ctrl+q"):
        app = Host(demo_settings, demo_backend, suggested="disable-sequential-execution")
        async with app.run_test(size=(160, 50)) as pilot:
            await until(pilot, lambda app=app: isinstance(app.screen, PlaybooksScreen))
            screen = app.screen
            await pilot.press("r")
            await until(pilot, lambda app=app: isinstance(app.screen, ConfirmationModal))
            await pilot.press("y")
            await until(pilot, lambda app=app: isinstance(app.screen, TypedNameModal))
            modal, box = app.screen, app.screen.query_one("#typed", Input)
            await until(pilot, lambda app=app, box=box: app.focused is box)
            await pilot.press("q")
            await pilot.pause()
            assert box.value == "q" and app.screen is modal and app.is_running and screen.running
            assert (demo_settings.state_dir / "playbook.lock").exists()
            await pilot.press(leave)
            if leave == "escape":
                await until(pilot, lambda screen=screen: not screen.running)
                assert app.is_running and "declined" in _log_text(screen)
        assert not (demo_settings.state_dir / "playbook.lock").exists()
    assert [r.status for r in AuditLog(demo_settings.state_dir).runs()] == ["declined", "interrupted"]
    assert _env(demo_backend) == "true"


@pytest.mark.slow
async def test_quit_while_a_step_streams_terminates_its_process_group(tmp_path, monkeypatch):
    import time

    from console.core.config import load_settings
    from console.playbook.procs import pid_alive
    from tests.helpers.pb_fakes import deploy_events, fake_env, make_checkout

    checkout = make_checkout(tmp_path / "platform")
    hang = tmp_path / "hang"
    hang.write_text("")
    fake_env(tmp_path, monkeypatch, FAKE_HANG="nba-scrapers", FAKE_HANG_FILE=str(hang), FAKE_HANG_S="120")
    settings = load_settings(
        backend="gcp",
        state_dir=tmp_path / "state",
        data_dir=tmp_path / "data",
        gcp={"platform_checkout": checkout},
        playbooks={"firestore_lock": False},
    )
    app = Host(settings, None, suggested="redeploy-service")
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        screen = app.screen
        screen.query_one("#param-service").value = "nba-scrapers"
        screen.query_one("#param-commit").value = "06934c94"
        await pilot.pause()
        screen.query_one("#books").focus()  # r runs from anywhere but a field (there it is a letter)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmationModal))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, TypedNameModal))
        await pilot.press(*"nba-scrapers", "enter")
        await until(pilot, lambda: "Deploying nba-scrapers" in _log_text(screen), timeout=20)
        [deploy] = [e[3] for e in deploy_events(tmp_path)]
        t0 = time.monotonic()
        await pilot.press("ctrl+q")
    # The step's group is ended (1 s grace), not waited out (FAKE_HANG_S, 120 s).
    assert time.monotonic() - t0 < 30
    assert not pid_alive(deploy)
    assert not (settings.state_dir / "playbook.lock").exists()
    [run] = AuditLog(settings.state_dir).runs()
    assert run.status == "interrupted" and run.unknown == {0}


async def test_a_dead_consoles_running_step_blocks_a_run_and_is_named(demo_settings, demo_backend):
    import asyncio
    import os
    import signal
    import socket

    from console.playbook.lock import FileLock, make_owner

    orphan = await asyncio.create_subprocess_exec("sleep", "30", start_new_session=True)
    try:
        here = socket.gethostname()
        step = {
            "index": 0,
            "pid": orphan.pid,
            "pgid": orphan.pid,
            "host": here,
            "command": "sleep 30",
            "started_at": "2026-02-05T12:00:00+00:00",
        }
        FileLock(demo_settings.state_dir).acquire(  # the lock a console killed mid-step left behind
            make_owner(
                {"user": "u", "host": here, "pid": 2**22 + 99, "run_id": "killed-run", "playbook": "p", "step": step},
                60,
            )
        )
        app = Host(demo_settings, demo_backend, suggested="disable-sequential-execution")
        async with app.run_test(size=(160, 50)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
            screen = app.screen
            await pilot.press("r")
            await until(pilot, lambda: not screen.running)
            text = _log_text(screen)
            assert f"pid {orphan.pid}" in text and "sleep 30" in text and "--wait" in text
        assert _env(demo_backend) == "true"
    finally:
        os.killpg(orphan.pid, signal.SIGKILL)
        await orphan.wait()
