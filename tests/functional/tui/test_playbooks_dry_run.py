"""The playbooks screen's dry run (`d`) runs the real run's read-only pre-flight and refuses
what the run refuses, with the same message (issue 23, item 4); it works read-only too, and
changes nothing: no deploy, no lock, no audit."""

from __future__ import annotations

from textual.app import App
from textual.widgets import OptionList, RichLog

from console.playbook.audit import AuditLog
from console.tui.screens.playbooks_screen import PlaybooksScreen
from tests.functional.conftest import until

MISSING = "4f7e1d2a"  # not in the demo's commit history
REFUSAL = f"refused: pre-flight failed: commit {MISSING}: not in the local history"


class Host(App):
    def __init__(self, settings, backend, suggested, prefill):
        super().__init__()
        self.args = (settings, backend, suggested, prefill)

    def on_mount(self) -> None:
        settings, backend, suggested, prefill = self.args
        self.push_screen(PlaybooksScreen(settings, lambda: backend, suggested=suggested, prefill=prefill))


def _log(screen) -> str:
    """The output pane's text, its wrapped lines joined (a long line wraps at the pane's width)."""
    return " ".join(" ".join(line.text for line in screen.query_one("#output", RichLog).lines).split())


async def _outside_the_fields(pilot, screen) -> None:
    """Focus the list (`d` and `r` are then keys, not letters typed), once the screen has put
    its first focus in a field."""
    await until(pilot, lambda: pilot.app.focused is not None)
    await pilot.pause()
    books = screen.query_one("#books", OptionList)
    books.focus()
    await until(pilot, lambda: pilot.app.focused is books)


async def _dry_run(pilot, screen) -> str:
    await _outside_the_fields(pilot, screen)
    before = len(screen.query_one("#output", RichLog).lines)
    await pilot.press("d")
    await until(
        pilot,
        lambda: (
            any(m in _log(screen) for m in ("refused:", "pre-flight holds", "dry run failed"))
            and len(screen.query_one("#output", RichLog).lines) > before + 1
        ),
    )
    return _log(screen)


async def test_a_dry_run_of_a_commit_not_in_history_is_refused_like_the_run(demo_settings, demo_backend):
    deploy = (demo_settings.data_dir / "current" / "deploy.json").read_bytes()
    app = Host(demo_settings, demo_backend, "redeploy-service", {"service": "nba-phase4-precompute", "commit": MISSING})
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        screen = app.screen
        text = await _dry_run(pilot, screen)
        assert f"pre-flight FAIL commit {MISSING}: not in the local history" in text and REFUSAL in text
        assert not AuditLog(demo_settings.state_dir).path.exists()  # a dry run audits nothing
        # The real run refuses at pre-flight, before any confirmation, with the same message.
        await pilot.press("r")
        await until(pilot, lambda: not screen.running and "preflight_failed" in _log(screen))
        assert _log(screen).endswith(f"preflight_failed: {REFUSAL.removeprefix('refused: ')}")
        [run] = AuditLog(demo_settings.state_dir).runs()
        assert run.status == "preflight_failed" and run.done == set()
    assert (demo_settings.data_dir / "current" / "deploy.json").read_bytes() == deploy


async def test_a_dry_run_that_holds_says_so_with_the_flag_it_would_change(demo_settings, demo_backend):
    app = Host(demo_settings, demo_backend, "disable-sequential-execution", {})
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        text = await _dry_run(pilot, app.screen)
        assert (
            "pre-flight ok SEQUENTIAL_EXECUTION_ENABLED on nba-phase3-analytics-processors: now true, sets false"
        ) in text
        assert "pre-flight holds: the run would start (2 step(s), each confirmed)" in text
        assert not AuditLog(demo_settings.state_dir).path.exists()


async def test_read_only_can_dry_run_but_not_run(demo_settings, demo_backend):
    settings = demo_settings.model_copy(update={"read_only": True})
    app = Host(settings, demo_backend, "redeploy-service", {"service": "nba-scrapers", "commit": MISSING})
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        screen = app.screen
        assert REFUSAL in await _dry_run(pilot, screen)
        await pilot.press("r")
        await until(pilot, lambda: "read-only mode: playbooks cannot be run" in _log(screen))
        assert not AuditLog(settings.state_dir).path.exists()


async def test_bad_parameters_are_refused_by_the_dry_run_too(demo_settings, demo_backend):
    app = Host(demo_settings, demo_backend, "redeploy-service", {"service": "nba-scrapers", "commit": "zzz"})
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlaybooksScreen))
        text = await _dry_run(pilot, app.screen)
        assert "refused: parameter commit:" in text
