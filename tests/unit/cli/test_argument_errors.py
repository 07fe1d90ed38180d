"""Refused arguments say what was refused, with the usage of the command that was given."""

from __future__ import annotations

import contextlib
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.cli import main


def _refusal(capsys, *argv: str) -> list[str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.splitlines()


@pytest.mark.parametrize("argv", [["--date", "2026-02-30", "check"], ["check", "--date", "2026-02-30"]])
def test_an_impossible_date_is_repeated_in_the_refusal(capsys, argv):
    lines = _refusal(capsys, *argv)
    assert "'2026-02-30'" in lines[-1]
    assert "day is out of range for month" in lines[-1]


def test_an_unknown_option_of_check_prints_the_usage_of_check(capsys):
    lines = _refusal(capsys, "check", "--bogus")
    assert lines[0].startswith("usage: nba-console check ")
    assert lines[-1] == "nba-console check: error: unrecognized arguments: --bogus"


def test_an_unknown_option_of_a_nested_command_prints_that_commands_usage(capsys):
    lines = _refusal(capsys, "playbook", "run", "--bogus")
    assert lines[0].startswith("usage: nba-console playbook run ")
    assert lines[-1].endswith("unrecognized arguments: --bogus")


def test_an_unknown_option_before_the_command_keeps_the_top_level_usage(capsys):
    lines = _refusal(capsys, "--bogus", "check")
    assert lines[0].startswith("usage: nba-console [-h]")
    assert lines[-1] == "nba-console: error: unrecognized arguments: --bogus"


@given(st.integers(2000, 2099), st.integers(1, 12), st.integers(29, 39))
def test_every_refused_day_is_named_in_its_message(year, month, day):
    text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        date(year, month, day)
    except ValueError:
        pass
    else:
        return  # a real date: accepted, nothing to check here
    err = io.StringIO()
    with pytest.raises(SystemExit), contextlib.redirect_stderr(err):
        main(["check", "--date", text])
    assert f"'{text}'" in err.getvalue().splitlines()[-1]
