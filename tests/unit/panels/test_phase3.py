"""Phase 3 completion: the verdicts on documents built in the test, and its value
(`Phase3Value`) as `check --json` writes it: key order, the keys only some verdicts carry."""

from __future__ import annotations

from datetime import UTC, date, datetime

from console.core.config import Settings
from console.core.models import Phase3Document, Status
from panels.common import Due
from panels.dispatch import render_result
from panels.phase3 import Phase3Value, phase3_completion

S = Settings()
DAY = date(2026, 2, 5)
DONE = {"status": "success", "completed_at": "2026-02-05T12:14:00Z"}
NAMES = [p.name for p in S.processors]
PAST = Due(at=datetime(2026, 2, 5, 14, 0, tzinfo=UTC), passed=True, games=True)


def test_phase3_missing_document_is_unknown():
    result = phase3_completion(None, S, DAY)
    assert result.status is Status.UNKNOWN and "2026-02-05" in result.summary


def test_phase3_partial_full_and_failed():
    partial = Phase3Document.from_fields("d", dict.fromkeys(NAMES[:3], DONE) | {"_triggered": False})
    result = phase3_completion(partial, S, DAY)
    assert result.status is Status.WARN and isinstance(result.value, Phase3Value) and result.value.completed == 3
    assert "PlayerGameSummaryProcessor" in result.summary
    full = Phase3Document.from_fields("d", dict.fromkeys(NAMES, DONE) | {"_triggered": True})
    assert phase3_completion(full, S, DAY).status is Status.OK
    failed = Phase3Document.from_fields(
        "d", {n: {**DONE, "status": "failed" if i == 0 else "success"} for i, n in enumerate(NAMES)}
    )
    assert phase3_completion(failed, S, DAY).status is Status.FAIL


def test_phase3_metadata_fields_are_not_processors():
    doc = Phase3Document.from_fields("d", {"_triggered": True, "_triggered_at": "x", "X": True})
    assert doc.malformed == {"X": "true is not a record"} and set(doc.metadata) == {"_triggered", "_triggered_at"}


def test_the_json_keys_in_order_and_only_when_they_apply():
    none = phase3_completion(None, S, DAY)
    assert list(none.value_json()) == ["completed", "expected", "document", "processors"]
    late = phase3_completion(None, S, DAY, PAST)
    assert list(late.value_json()) == ["completed", "expected", "document", "processors", "deadline", "overdue"]
    doc = Phase3Document.from_fields(
        "d",
        {NAMES[0]: DONE, NAMES[1]: {"status": "queued"}, NAMES[2]: None, "_triggered": True},
    )
    result = phase3_completion(doc, S, DAY, PAST)
    assert result.status is Status.FAIL
    assert list(result.value_json()) == [
        "completed",
        "expected",
        "document",
        "triggered",
        "triggered_at",
        "processors",
        "deadline",
        "overdue",
        "not_complete",
        "malformed_skipped",
        "malformed_fields",
    ]
    value = result.value_json()
    assert value["triggered_at"] is None  # a document without the trigger's time: null, not absent
    rows = {r["name"]: r for r in value["processors"]}
    assert list(rows[NAMES[0]]) == ["name", "level", "status", "completed_at", "record_count"]
    assert rows[NAMES[1]]["problem"] == "status 'queued'" and rows[NAMES[2]]["problem"] == "null is not a record"
    assert result.summary.endswith(
        f"; not complete: {NAMES[1]}: status 'queued'; 1 malformed entry skipped ({NAMES[2]}: null is not a record)"
    )


def test_a_trigger_time_that_is_no_time_is_written_as_text_not_a_crash():
    for raw, written in ((12345, "12345"), ("soon", "soon"), (datetime(2026, 2, 5, 12, 50, tzinfo=UTC), None)):
        doc = Phase3Document.from_fields("d", dict.fromkeys(NAMES, DONE) | {"_triggered": True, "_triggered_at": raw})
        value = phase3_completion(doc, S, DAY).value_json()
        assert value["triggered_at"] == (written or "2026-02-05T12:50:00+00:00")


def test_the_panel_draws_problems_and_the_trigger():
    doc = Phase3Document.from_fields("d", {NAMES[0]: DONE, NAMES[1]: None, "_triggered": True})
    head, body = render_result(phase3_completion(doc, S, DAY), S.tz)
    assert head == "1/5"
    assert "malformed" in body.plain and "grading triggered --:--" in body.plain
