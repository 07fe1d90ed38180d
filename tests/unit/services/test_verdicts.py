"""The verdict in words: the header's `FAIL drift: …`, one notice for many changes, labels
that read without colour (issue 28)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from console.core.models import CheckResult, Status
from console.services.verdicts import Verdict, alarm_text, brief, changes_text, cut, worst_first
from panels.status_style import STATUS_GLYPH, STATUS_WORD, label

DRIFT = (
    "nba-scrapers 2de48c04 49 commits / 13.4 days behind; "
    "nba-phase3-analytics-processors SEQUENTIAL_EXECUTION_ENABLED=true"
)


def _result(summary: str, status: Status = Status.FAIL) -> CheckResult:
    return CheckResult(id="deployment_drift", title="Deployment drift", status=status, summary=summary)


def test_brief_is_the_first_clause_without_commit_hashes():
    assert brief(_result(DRIFT)) == "nba-scrapers 49 commits / 13.4 days behind"
    assert brief(None) == ""
    assert brief(_result("x"), error="permission denied\nmore") == "permission denied"
    # `evidence: verdict` reads verdict first.
    sequential = "PlayerGameSummaryProcessor started 92 min before TeamOffenseGameSummaryProcessor: Level 2 ran"
    assert brief(_result(sequential)).startswith("Level 2 ran — PlayerGameSummaryProcessor started")


def test_the_header_names_the_one_failing_check_and_what_fails():
    verdicts = [
        Verdict("phase3_completion", "phase3", "unknown"),
        Verdict("deployment_drift", "drift", "fail", brief=brief(_result(DRIFT))),
    ]
    assert alarm_text(verdicts, 200) == "FAIL drift: nba-scrapers 49 commits / 13.4 days behind"
    assert alarm_text(verdicts, 30) == "FAIL drift: nba-scrapers 49 c…"
    assert alarm_text([Verdict("x", "x", "ok")], 80) == ""


def test_several_failures_are_all_named_before_any_detail():
    verdicts = [
        Verdict("a", "sequence", "fail", brief="Level 2 ran before Level 1 finished"),
        Verdict("b", "dnp", "fail", brief="22.1% DNP"),
        Verdict("c", "grading", "error", brief="permission denied"),
    ]
    assert alarm_text(verdicts, 200) == (
        "ERROR grading: permission denied · FAIL sequence, dnp · sequence: Level 2 ran before Level 1 finished"
    )


def test_worst_first_keeps_the_order_within_a_status():
    verdicts = [Verdict(n, n, s) for n, s in [("a", "ok"), ("b", "fail"), ("c", "unknown"), ("d", "fail")]]
    assert [v.name for v in worst_first(verdicts)] == ["b", "d", "c", "a"]


def test_every_status_has_a_word_and_a_glyph():
    for status in ("ok", "warn", "fail", "error", "unknown", "stale", "loading"):
        assert label(status) == f"{STATUS_GLYPH[status]} {STATUS_WORD[status]}"
    assert len(set(STATUS_GLYPH.values())) == len(STATUS_GLYPH)  # told apart without colour


def test_many_changes_are_one_notice():
    assert changes_text([]) is None
    assert changes_text([("Drift", "ok", "fail")]) == "Drift: ok → fail"
    assert changes_text([("Phase 3", "unknown", "ok"), ("Grading", "unknown", "ok")]) == (
        "2 checks changed: Phase 3 unknown → ok, Grading unknown → ok"
    )


@given(st.text(), st.integers(-5, 300))
def test_cut_never_exceeds_the_width(text, width):
    out = cut(text, width)
    assert len(out) <= max(width, 0)
    assert out == text or out.endswith("…") or width <= 0
