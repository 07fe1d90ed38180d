"""Issue 24 item 1 from the outside: `check` (table and --json), `local load`, the panel and
the drill-down on a Phase 3 document whose fields are not all the platform's records of a
success. Fuzzed through `local load` + `check --json` (FUZZ_EXAMPLES=500 for a longer run)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core.config import Settings
from console.core.timestamps import parse_timestamp
from console.tui.screens.detail_screen import DetailScreen
from console.tui.widgets.check_panel import CheckPanel
from console.tui.widgets.rows_table import RowsTable
from tests.functional.conftest import FEB4, SIZE, settle, settle_detail
from tests.helpers.examples import examples
from tests.helpers.fuzz_support import CHECK_AT, fingerprint, run_cli, small_demo_scenario

NAMES = [p.name for p in Settings().processors]
DOC = Path("firestore/phase3_completion/2026-02-05.json")
ISSUE_CASE = {"TeamOffenseGameSummaryProcessor": {"status": "queued"}, "PlayerGameSummaryProcessor": None}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))


def _put(root: Path, **fields) -> None:
    path = root / DOC
    path.write_bytes(orjson.dumps({**orjson.loads(path.read_bytes()), **fields}))


def _phase3(out: str) -> dict:
    return next(c for c in orjson.loads(out)["checks"] if c["id"] == "phase3_completion")


def test_the_issue_document_is_named_in_check_and_json(demo_settings):
    _put(demo_settings.data_dir / "current", **ISSUE_CASE)
    data = ["--data-dir", str(demo_settings.data_dir)]
    table = run_cli([*data, "check", "--only", "phase3_completion", *CHECK_AT])
    assert table.code == 1 and "ok 5/5" not in table.out  # past 09:00 ET with games: overdue
    flat = " ".join(table.out.replace("│", " ").split())
    assert "TeamOffenseGameSummaryProcessor: status 'queued'" in flat
    assert "PlayerGameSummaryProcessor: null is not a record" in flat
    check = _phase3(run_cli([*data, "check", "--json", "--only", "phase3_completion", *CHECK_AT]).out)
    assert check["status"] == "fail" and check["value"]["completed"] == 3
    assert check["value"]["not_complete"] == ["TeamOffenseGameSummaryProcessor: status 'queued'"]
    assert check["value"]["malformed_fields"] == ["PlayerGameSummaryProcessor: null is not a record"]


@pytest.mark.parametrize(
    "value",
    [
        None,
        False,
        "",
        "nope",
        {},
        [],
        1,
        {"status": 5},
        {"status": "success"},
        {"status": "success", "completed_at": "yesterday"},
    ],
    ids=repr,
)
def test_load_refuses_a_value_that_is_not_a_record_with_file_and_key(tmp_path, value):
    scenario = small_demo_scenario(tmp_path / "s")
    data = tmp_path / "data"
    assert run_cli(["--data-dir", str(data), "local", "load", str(scenario)]).code == 0
    before = fingerprint(data)
    _put(scenario, PlayerGameSummaryProcessor=value)
    refused = run_cli(["--data-dir", str(data), "local", "load", str(scenario)])
    assert refused.code == 2 and len(refused.err.strip().splitlines()) == 1, refused.err
    assert "phase3_completion/2026-02-05.json" in refused.err and "PlayerGameSummaryProcessor" in refused.err
    assert "Traceback" not in refused.err and fingerprint(data) == before


@pytest.mark.parametrize("status", ["queued", "FAILED", "timeout", "running"])
def test_load_takes_the_record_of_an_unfinished_run_and_check_names_it(tmp_path, status):
    scenario = small_demo_scenario(tmp_path / "s")
    _put(scenario, TeamOffenseGameSummaryProcessor={"status": status})
    data = ["--data-dir", str(tmp_path / "data")]
    assert run_cli([*data, "local", "load", str(scenario)]).code == 0
    check = _phase3(run_cli([*data, "check", "--json", "--only", "phase3_completion", *CHECK_AT]).out)
    assert check["status"] != "ok" and check["value"]["completed"] == 4
    assert "TeamOffenseGameSummaryProcessor" in check["summary"]


async def test_the_panel_and_the_drill_down_name_what_is_not_complete(demo_settings, make_app):
    _put(demo_settings.data_dir / "current", **ISSUE_CASE)
    app = make_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.screen.query_one("#panel-phase3_completion", CheckPanel)
        text = "\n".join(line.text for line in panel.render_lines(panel.region.reset_offset))
        assert "3/5" in text and "queued" in text and "malformed" in text and "5/5" not in text
        panel.focus()
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        await settle_detail(pilot)
        rows = {r["name"]: r for r in app.screen.query_one("#rows", RowsTable).rows_data}
        assert rows["TeamOffenseGameSummaryProcessor"]["problem"] == "status 'queued'"
        assert rows["PlayerGameSummaryProcessor"]["problem"] == "null is not a record"
        assert "problem" in app.screen.query_one("#rows", RowsTable).columns_order
        head = str(app.screen.query_one("#detail-head").render())
        assert "TeamOffenseGameSummaryProcessor: status 'queued'" in head


# ------------------------------------------------------------------ fuzz: load + check

DONE = "2026-02-05T12:14:00Z"
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(["success", "Success", "queued", "failed", DONE, "2026-02-05", "2026-02-05T12:14:00"]),
)
anything = st.recursive(
    leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=2), st.dictionaries(st.text(max_size=6), inner, max_size=2)),
    max_leaves=5,
)
record_like = st.fixed_dictionaries(
    {}, optional={"status": leaf, "completed_at": st.one_of(st.just(DONE), leaf), "record_count": leaf}
)
real = st.fixed_dictionaries(
    {"status": st.just("success"), "completed_at": st.just(DONE)}, optional={"record_count": st.integers(0, 999)}
)


def _is_record(value) -> bool:
    """What a scenario may hold: a record with a status text, each known field of its type."""
    if not isinstance(value, dict) or not isinstance(value.get("status"), str) or not value["status"]:
        return False
    at, count = value.get("completed_at"), value.get("record_count")
    if at is not None and not (isinstance(at, str) and parse_timestamp(at)):
        return False
    if count is not None and not (type(count) is int and count >= 0):
        return False
    return not (value["status"] == "success" and at is None)


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("phase3-fuzz")
    small_demo_scenario(root / "s")
    return root


@settings(
    max_examples=examples(EXAMPLES),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.one_of(real, real, record_like, anything), min_size=len(NAMES), max_size=len(NAMES)))
def test_fuzz_load_and_check_count_only_real_records(fuzz_root, values):
    scenario, data = fuzz_root / "s", ["--data-dir", str(fuzz_root / "data")]
    fields = dict(zip(NAMES, values, strict=True))
    (scenario / DOC).write_text(json.dumps({**fields, "_triggered": True}))
    loaded = run_cli([*data, "local", "load", str(scenario)])
    if not all(_is_record(v) for v in values):
        assert loaded.code == 2 and "2026-02-05.json" in loaded.err, (fields, loaded.err)
        return
    assert loaded.code == 0, loaded.err
    check = _phase3(run_cli([*data, "check", "--json", "--only", "phase3_completion", *CHECK_AT]).out)
    real_count = sum(1 for v in values if v["status"] == "success" and v.get("completed_at"))
    assert check["value"]["completed"] == real_count, (fields, check["summary"])
    assert (check["status"] == "ok") == (real_count == len(NAMES)), (fields, check["summary"])
