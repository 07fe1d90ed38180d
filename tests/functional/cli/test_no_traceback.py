"""The real command, in a subprocess: for the issue's probes, one line on stderr, exit 2, no
Python traceback, and nothing blocks (a FIFO as the scenario's log)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers.scenarios import write_hand_scenario


def nba(data_dir, *argv, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBA_CONSOLE_")}
    return subprocess.run(
        [sys.executable, "-m", "console", "--data-dir", str(data_dir), *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.fixture
def scenario_with_fifo(tmp_path):
    root = write_hand_scenario(tmp_path / "s")
    (root / "logs" / "tail.ndjson").unlink()
    os.mkfifo(root / "logs" / "tail.ndjson")
    return root


def _one_line_refusal(result, *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert any(all(n in line for n in needles) for line in lines), result.stderr


def test_load_of_a_scenario_with_a_fifo_is_refused_without_blocking(demo_settings, scenario_with_fifo):
    result = nba(demo_settings.data_dir, "local", "load", str(scenario_with_fifo), timeout=60)
    _one_line_refusal(result, "s/logs/tail.ndjson", "FIFO")


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["replay", "{log}", "--speed", "inf"], ["--speed", "'inf'"]),
        (["tail", "--no-follow", "--since", "999999d"], ["999999d", "at most 3650d"]),
        (["check", "--date", "2026-02-04", "--at", "0001-01-01T00:00:00+14:00"], ["--at", "0001-01-01T00:00:00+14:00"]),
        (["check", "--date", "9999-12-31"], ["9999-12-31", "out of range"]),
        (["replay", "{fifo}"], ["FIFO"]),
    ],
)
def test_flags_from_the_issue_are_one_line_and_exit_2(demo_settings, tmp_path, argv, needles):
    log = tmp_path / "one.json"
    log.write_text('[{"timestamp": "2026-02-05T12:00:00Z", "textPayload": "x"}]')
    os.mkfifo(tmp_path / "fifo")
    argv = [a.format(log=log, fifo=tmp_path / "fifo") for a in argv]
    _one_line_refusal(nba(demo_settings.data_dir, *argv), *needles)
