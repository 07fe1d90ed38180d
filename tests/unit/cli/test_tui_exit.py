"""What `nba-console` (the console) tells the terminal once its screen is gone."""

from __future__ import annotations

from console.cli import main
from console.tui.app import NbaConsoleApp


def test_an_interrupted_playbook_run_is_named_after_the_console_and_exits_130(monkeypatch, tmp_path, capsys):
    def run(self, *args, **kwargs):  # the console, quit at a playbook's confirmation
        self.exit_notes.append("playbook run R1 interrupted: cancelled at step 1\n  resume with: x --resume R1")

    monkeypatch.setattr(NbaConsoleApp, "run", run)
    assert main(["--data-dir", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert "nba-console: playbook run R1 interrupted" in err and "--resume R1" in err


def test_a_console_quit_with_nothing_to_tell_exits_0(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(NbaConsoleApp, "run", lambda self, *a, **k: None)
    assert main(["--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""
