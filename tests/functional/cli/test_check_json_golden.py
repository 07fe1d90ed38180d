"""`check --json` and `history --json` byte for byte: the demo's three mornings, and the
paths they do not reach (a morning in progress, overdue Phase 3 and grading, malformed
log entries and Phase 3 fields, a commit outside the history, a missing table, a date
without games, four weeks of history).

Each golden file was written by the code before the check values became typed models
(issue 25 item 5), so the JSON edge cannot drift unnoticed. After a change meant to alter
the JSON, `pytest tests/functional/cli/test_check_json_golden.py --update-goldens` rewrites
them; then read the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from console.cli import main

GOLDEN = Path(__file__).parents[1] / "golden"
AT_1600Z = ("--at", "2026-02-05T16:00:00Z")
MORNING_END = datetime(2026, 2, 5, 16, tzinfo=UTC)


class _FrozenDatetime(datetime):
    """`history` judges as of the wall clock (it has no --at): its golden is as of 11:00 ET."""

    @classmethod
    def now(cls, tz=None):
        return MORNING_END.astimezone(tz)


@dataclass(frozen=True)
class Case:
    name: str  # golden/<name>.json
    argv: tuple[str, ...]  # after --data-dir
    exit_code: int
    env: dict[str, str] = field(default_factory=dict)
    setup: Callable[[Path], None] | None = None  # edits the demo's `current` generation


def _nothing_ran(current: Path) -> None:
    """No Phase 3 document, and a log export holding only entries that are not entries."""
    (current / "firestore" / "phase3_completion" / "2026-02-05.json").unlink()
    (current / "logs" / "phase3.json").write_bytes(orjson.dumps([{"no": "timestamp"}, 42, "x"]))


def _malformed(current: Path) -> None:
    """Three malformed log entries among the good ones; a Phase 3 document with a field that
    is not a record, one that is not a completion, and one that is missing."""
    logs = current / "logs" / "phase3.json"
    entries = orjson.loads(logs.read_bytes())
    logs.write_bytes(orjson.dumps([*entries[:5], {"no": "timestamp"}, 42, "x", *entries[5:]]))
    doc = current / "firestore" / "phase3_completion" / "2026-02-05.json"
    fields = orjson.loads(doc.read_bytes())
    fields["PlayerGameSummaryProcessor"] = None
    fields["UpcomingPlayerGameContextProcessor"] = {"status": "queued"}
    del fields["UpcomingTeamGameContextProcessor"]
    fields["_triggered"] = False
    fields.pop("_triggered_at")
    doc.write_bytes(orjson.dumps(fields))


def _foreign_commits(current: Path) -> None:
    """nba-scrapers runs a commit nobody can find; grading-coverage-monitor records none."""
    path = current / "deploy.json"
    state = orjson.loads(path.read_bytes())
    for service in state["services"]:
        if service["name"] == "nba-scrapers":
            service["commit"] = "1234567"
        if service["name"] == "grading-coverage-monitor":
            service["commit"] = None
            for revision in service.get("revisions", []):
                revision["commit"] = None
    path.write_bytes(orjson.dumps(state))


CASES = (
    Case("check-2026-02-02-at-1600Z", ("check", "--date", "2026-02-02", *AT_1600Z, "--json"), 1),
    Case("check-2026-02-03-at-1600Z", ("check", "--date", "2026-02-03", *AT_1600Z, "--json"), 1),
    Case("check-2026-02-04-at-1600Z", ("check", "--date", "2026-02-04", *AT_1600Z, "--json"), 1),
    # In progress: Phase 3 half done, grading not due, no cache rows yet.
    Case("check-2026-02-04-at-0730", ("check", "--date", "2026-02-04", "--at", "07:30", "--json"), 1),
    # Nothing ran: before the Phase 3 deadline "not yet", after it overdue (and 3 entries skipped).
    Case(
        "check-nothing-ran-at-0800", ("check", "--date", "2026-02-04", "--at", "08:00", "--json"), 1, setup=_nothing_ran
    ),
    Case(
        "check-nothing-ran-at-1400", ("check", "--date", "2026-02-04", "--at", "14:00", "--json"), 1, setup=_nothing_ran
    ),
    # Grading due at 08:00 and nothing graded by 08:10: overdue under the monitor line.
    Case(
        "check-grading-overdue-at-0810",
        ("check", "--date", "2026-02-04", "--at", "08:10", "--json"),
        1,
        env={"NBA_CONSOLE_DEADLINES__GRADING": "08:00"},
    ),
    Case(
        "check-malformed-inputs-at-1400",
        ("check", "--date", "2026-02-04", "--at", "14:00", "--json"),
        1,
        setup=_malformed,
    ),
    Case("check-foreign-commits", ("check", "--date", "2026-02-04", *AT_1600Z, "--json"), 0, setup=_foreign_commits),
    Case(
        "check-missing-table",
        ("check", "--date", "2026-02-04", *AT_1600Z, "--json"),
        2,
        env={"NBA_CONSOLE_TABLES__PREDICTION_ACCURACY": "nba_predictions.missing_table"},
    ),
    # Nothing ran and the games cannot be established past the deadline: not overdue, and said so.
    Case(
        "check-missing-table-nothing-ran-at-1400",
        ("check", "--date", "2026-02-04", "--at", "14:00", "--json"),
        2,
        env={"NBA_CONSOLE_TABLES__PREDICTION_ACCURACY": "nba_predictions.missing_table"},
        setup=_nothing_ran,
    ),
    Case("check-2026-02-06-no-games-at-1400", ("check", "--date", "2026-02-06", "--at", "14:00", "--json"), 1),
    Case("history-28-days-to-2026-02-04", ("history", "--days", "28", "--end", "2026-02-04", "--json"), 1),
)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_json_is_byte_identical_to_its_golden_file(case, capsys, demo_settings, monkeypatch, request):
    monkeypatch.setenv("NBA_CONSOLE_STATE_DIR", str(demo_settings.state_dir))
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    if case.argv[0] == "history":
        monkeypatch.setattr("console.cli.history_command.datetime", _FrozenDatetime)
    if case.setup is not None:
        case.setup(demo_settings.data_dir / "current")
    capsys.readouterr()
    code = main(["--data-dir", str(demo_settings.data_dir), *case.argv])
    out = capsys.readouterr().out.encode()
    golden = GOLDEN / f"{case.name}.json"
    if request.config.getoption("--update-goldens"):
        golden.write_bytes(out)
    assert code == case.exit_code
    assert out == golden.read_bytes(), f"{golden.name} differs (--update-goldens rewrites it; read the diff)"
