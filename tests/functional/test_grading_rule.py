"""The grading rule before and after the deadline reads the same in the thresholds table of
docs/checks.md, in `check --help` and in what the code does (issue 23): the two texts are compared
cell by cell, then the trigger and the deadline they name are held against verdicts, of
`check` on the demo (Jan 26 graded 75.8 %, between the 70 % monitor line and the trigger)
and of the judge over any coverage and moment."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.cli import main
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.models import GradingSystemRow
from panels.grading import judge_grading

CHECKS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "checks.md"
STATUSES = ("ok", "warn", "fail")


def normal(text: str) -> str:
    return " ".join(text.replace("`", "").replace("≥", ">=").split())


def docs_rule() -> dict[str, str]:
    """The `grading_coverage` row of the thresholds table: | check | source | ok | warn | fail |."""
    rows = [line for line in CHECKS_PAGE.read_text().splitlines() if line.startswith("| `grading_coverage` |")]
    assert len(rows) == 1, rows
    cells = [c.strip() for c in rows[0].strip().strip("|").split("|")]
    return {status: normal(cell) for status, cell in zip(STATUSES, cells[2:], strict=True)}


def help_rule(capsys) -> dict[str, str]:
    with pytest.raises(SystemExit) as done:
        main(["check", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    block = out.split("\ngrading_coverage (", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    return {line.split()[0]: normal(line.split(None, 1)[1]) for line in block}


def parse(rule: dict[str, str]) -> tuple[float, time]:
    """The trigger and the deadline the words name; the rest of the words must be the rule."""
    trigger = float(re.fullmatch(r">= (\d+(?:\.\d+)?) % graded \(the grading trigger\)", rule["ok"]).group(1))
    assert rule["warn"] == "never"
    m = re.fullmatch(
        r"< (\d+(?:\.\d+)?) % from the grading deadline \((\d\d:\d\d)\) on; "
        r"before it, unknown \(not due yet\)",
        rule["fail"],
    )
    assert m and float(m.group(1)) == trigger, rule["fail"]
    return trigger, time.fromisoformat(m.group(2))


def expected(coverage: float, before_deadline: bool, trigger: float) -> str:
    if coverage >= trigger:
        return "ok"
    return "unknown" if before_deadline else "fail"


def test_docs_and_check_help_say_the_same_rule(capsys):
    documented, shown = docs_rule(), help_rule(capsys)
    assert shown == documented
    assert parse(documented) == (Settings().thresholds.grading_trigger_pct, Settings().deadlines.grading)


def status_of(capsys, data: Path, game_date: str, at: str) -> tuple[str, float]:
    main(["--data-dir", str(data), "--date", game_date, "--at", at, "check", "--only", "grading_coverage", "--json"])
    check = json.loads(capsys.readouterr().out)["checks"][0]
    return check["status"], check["value"]["coverage_pct"]


def test_check_on_the_demo_does_what_the_rule_says(capsys, demo_settings):
    trigger, deadline = parse(docs_rule())
    just_before = (datetime.combine(date(2026, 1, 27), deadline) - timedelta(minutes=1)).strftime("%H:%M")
    cases = [
        ("2026-01-26", just_before, True),
        ("2026-01-26", deadline.strftime("%H:%M"), False),
        ("2026-02-04", "11:00", False),
    ]
    seen = []
    for game_date, at, before in cases:
        status, coverage = status_of(capsys, demo_settings.data_dir, game_date, at)
        assert status == expected(coverage, before, trigger), (game_date, at, coverage)
        seen.append(status)
    assert seen == ["unknown", "fail", "ok"]  # the demo covers each branch of the rule


@hsettings(max_examples=200, deadline=None)
@given(graded=st.integers(0, 1000), predicted=st.integers(1, 1000), minutes=st.integers(-300, 300))
def test_the_judge_does_what_the_rule_says_for_any_coverage_and_moment(graded, predicted, minutes):
    graded = min(graded, predicted)
    settings = Settings()
    trigger, deadline = parse(docs_rule())
    game_date = date(2026, 2, 4)
    at = datetime.combine(game_date + timedelta(days=1), deadline, tzinfo=settings.tz) + timedelta(minutes=minutes)
    rows = [GradingSystemRow(system_id="s", predicted=predicted, graded=graded, correct=0, players=predicted)]
    result = judge_grading(rows, CheckContext(settings=settings, game_date=game_date, as_of=at))
    coverage = result.value.coverage_pct
    assert result.status.value == expected(coverage, minutes < 0, trigger), (coverage, minutes)
