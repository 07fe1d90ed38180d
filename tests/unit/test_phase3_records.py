"""Issue 24 item 1: a Phase 3 processor is complete only with the platform's record of a
success (`status` "success" and a `completed_at`); every other field value is counted as not
complete or malformed and named with why. Fuzzed over arbitrary JSON values per processor
(FUZZ_EXAMPLES=500 for a longer run)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from console.core.config import Settings
from console.core.context import CheckContext
from console.core.models import Status
from console.core.timestamps import parse_timestamp
from panels.phase3 import phase3_from_fields

S = Settings()
NAMES = [p.name for p in S.processors]
GAME_DATE = date(2026, 2, 4)
AS_OF = datetime(2026, 2, 5, 16, tzinfo=UTC)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
FUZZ = settings(max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DONE = "2026-02-05T12:14:00Z"


def judge(fields: dict, as_of: datetime = AS_OF):
    return phase3_from_fields(fields, CheckContext(settings=S, game_date=GAME_DATE, as_of=as_of))


def full(**override) -> dict:
    """The demo's complete document for 2026-02-05, with some processors replaced."""
    fields = {n: {"status": "success", "completed_at": DONE, "record_count": 198} for n in NAMES}
    return {**fields, **override, "_triggered": True, "_triggered_at": "2026-02-05T12:50:00Z"}


# ------------------------------------------------------------------ the cases of the issue


def test_the_issue_document_is_not_ok_and_names_both():
    result = judge(full(TeamOffenseGameSummaryProcessor={"status": "queued"}, PlayerGameSummaryProcessor=None))
    assert result.status is not Status.OK and result.value.completed == 3
    assert "TeamOffenseGameSummaryProcessor: status 'queued'" in result.summary
    assert "PlayerGameSummaryProcessor: null is not a record" in result.summary
    rows = {r["name"]: r for r in result.value_json()["processors"]}
    assert rows["TeamOffenseGameSummaryProcessor"]["problem"] == "status 'queued'"
    assert rows["PlayerGameSummaryProcessor"]["status"] == "malformed"
    assert rows["PlayerGameSummaryProcessor"]["problem"] == "null is not a record"
    assert result.value.not_complete == ["TeamOffenseGameSummaryProcessor: status 'queued'"]
    assert result.value.malformed_fields == ["PlayerGameSummaryProcessor: null is not a record"]
    assert "problem" not in rows["TeamDefenseGameSummaryProcessor"]  # a completion has nothing to say


@pytest.mark.parametrize(
    ("value", "named", "verdict"),
    [
        ({}, "no status", Status.WARN),
        (False, "false is not a record", Status.WARN),
        ("", "'' is not a record", Status.WARN),
        ("nope", "'nope' is not a record", Status.WARN),
        ({"status": "timeout"}, "status 'timeout'", Status.WARN),
        ({"status": "partial", "completed_at": DONE}, "status 'partial'", Status.WARN),
        ({"status": "SUCCESS", "completed_at": DONE}, "status 'SUCCESS'", Status.WARN),
        ({"status": "success"}, "status 'success' without completed_at", Status.WARN),
        (
            {"status": "success", "completed_at": "yesterday"},
            "completed_at 'yesterday' is not an RFC 3339 time",
            Status.WARN,
        ),
        (
            {"status": "success", "completed_at": DONE, "record_count": "many"},
            "record_count 'many' is not a count",
            Status.WARN,
        ),
        ({"status": 5}, "status 5 is not text", Status.WARN),
        ([DONE], "is not a record", Status.WARN),
        ({"status": "FAILED"}, "failed: PlayerGameSummaryProcessor", Status.FAIL),
        ({"status": "Error", "completed_at": DONE}, "failed: PlayerGameSummaryProcessor", Status.FAIL),
    ],
)
def test_a_field_that_is_not_a_completion_is_named(value, named, verdict):
    result = judge(full(PlayerGameSummaryProcessor=value))
    assert result.status is verdict and result.value.completed == 4, result.summary
    assert named in result.summary and "PlayerGameSummaryProcessor" in result.summary
    row = next(r for r in result.value_json()["processors"] if r["name"] == "PlayerGameSummaryProcessor")
    assert row["problem"]


def test_the_records_the_platform_writes_are_complete():
    # Firestore hands a timestamp (a datetime); a scenario an RFC 3339 string; the platform's
    # orchestrator adds fields of its own. All complete.
    fields = full(
        PlayerGameSummaryProcessor={
            "status": "success",
            "completed_at": datetime(2026, 2, 5, 12, 41, tzinfo=UTC),
            "correlation_id": "abc-123",
            "execution_id": "def-456",
            "record_count": 0,
        },
        TeamOffenseGameSummaryProcessor={"status": "success", "completed_at": "2026-02-05T12:14:00.123456789+00:00"},
    )
    result = judge(fields)
    assert result.status is Status.OK and result.summary == "5/5 processors complete; grading triggered"
    assert not any("problem" in r for r in result.value_json()["processors"])


def test_a_processor_outside_the_configuration_is_judged_too():
    result = judge(full(SomethingNew="nope"))
    assert result.status is Status.WARN and "SomethingNew: 'nope' is not a record" in result.summary
    assert result.value_json()["processors"][-1] == {
        "name": "SomethingNew",
        "level": None,
        "status": "malformed",
        "completed_at": None,
        "record_count": None,
        "problem": "'nope' is not a record",
    }


def test_a_long_or_odd_value_is_shown_short_and_escaped():
    result = judge(full(PlayerGameSummaryProcessor={"status": "queued\x1b[2J" + "x" * 500}))
    problem = result.value.not_complete[0]
    assert "\x1b" not in problem and "\\x1b" in problem and len(problem) < 100


# ------------------------------------------------------------------ fuzz

ODD_TIMES = [
    "2026-02-05T12:14:00",
    "2026-02-05",
    "20260205T121400Z",
    "yesterday",
    "",
    "0001-01-01T00:00:00+14:00",
    "2026-02-30T00:00:00Z",
    DONE,
    "2026-02-05T12:14:00.5+05:30",
    "2026-02-06T12:00:00Z",
]
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["success", "SUCCESS", "success ", "queued", "failed", "FAILED", "running", "partial"]),
    st.sampled_from(ODD_TIMES),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)
# Near records: the three fields, each right, wrong or absent, plus extras.
MISSING = object()
near_record = st.fixed_dictionaries(
    {},
    optional={
        "status": json_leaf,
        "completed_at": st.one_of(st.sampled_from(ODD_TIMES), json_leaf),
        "record_count": st.one_of(st.integers(-3, 10**20), json_leaf),
        "correlation_id": json_value,
    },
)
real_record = st.fixed_dictionaries(
    {"status": st.just("success"), "completed_at": st.sampled_from(ODD_TIMES[7:])},
    optional={"record_count": st.integers(0, 10**6), "correlation_id": st.text(max_size=8)},
)
processor_value = st.one_of(json_value, near_record, real_record, real_record)


def is_record_of_success(value) -> bool:
    """The oracle, written out apart from the judge: the platform's record of a success."""
    if not isinstance(value, dict) or value.get("status") != "success":
        return False
    moment = parse_timestamp(value.get("completed_at")) if isinstance(value.get("completed_at"), str) else None
    count = value.get("record_count")
    count_ok = count is None or (type(count) is int and count >= 0)
    return moment is not None and moment <= AS_OF and count_ok


any_document = st.fixed_dictionaries({n: st.one_of(st.just(MISSING), processor_value) for n in NAMES})


@st.composite
def nearly_complete_document(draw):
    """Five real records, then none, one or two fields replaced by anything: where a wrong
    `ok` would be (the issue's document is one of these)."""
    drawn = {n: draw(real_record) for n in NAMES}
    for name in draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True)):
        drawn[name] = draw(st.one_of(st.just(MISSING), processor_value))
    return drawn


@FUZZ
@given(st.one_of(any_document, nearly_complete_document()))
def test_fuzz_complete_only_for_real_records(drawn):
    fields = {n: v for n, v in drawn.items() if v is not MISSING}
    result = judge(fields)  # never raises, whatever the values
    real = [n for n, v in fields.items() if is_record_of_success(v)]
    event(f"{len(real)} real records")
    assert result.value.completed == len(real), (fields, result.summary)
    assert (result.status is Status.OK) == (len(real) == len(NAMES)), (fields, result.summary)
    rows = {r["name"]: r for r in result.value_json()["processors"]}
    for name, value in fields.items():
        if name in real:
            assert "problem" not in rows[name]
        elif not (
            isinstance(value, dict)
            and parse_timestamp(value.get("completed_at"))
            and parse_timestamp(value["completed_at"]) > AS_OF
        ):  # a later one is pending at AS_OF
            # Every present field that is not a completion is named, in the row and the summary.
            assert rows[name]["problem"] and name in result.summary, (value, result.summary)


@pytest.mark.parametrize("breaker", ["\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\r", "\n"])
def test_a_problem_is_one_line_whatever_the_value_holds(breaker):
    """A value quoted in a refusal or on the panel never breaks its line (str.splitlines()
    breaks on NEL, LS and PS too, which JSON leaves as they are)."""
    from console.core.phase3_doc import read_entry

    for value in ([breaker], {"status": "success", "completed_at": [breaker]}, breaker, {"status": breaker}):
        record, problem = read_entry(value)
        if problem is not None:
            assert len(problem.splitlines()) == 1, (value, problem)
        else:
            assert record is not None and record.problem is not None and len(record.problem.splitlines()) == 1
