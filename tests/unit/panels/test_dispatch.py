"""A value of an unexpected shape never crashes a drawing: the panel says "cannot draw this
result", the history cell `?`, the breakdown and the report's details nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from console.core.config import Settings
from console.core.models import CheckResult, ErrorValue, GradingSystemRow, Status
from panels.common import Due, format_game
from panels.dispatch import breakdown, headline, markdown, no_games, render_result
from panels.grading import grading_coverage
from panels.registry import PANELS

S = Settings()


def test_every_panel_refuses_to_draw_another_checks_value():
    grading = grading_coverage(
        [GradingSystemRow(system_id="a", predicted=10, graded=9, correct=1, players=10)],
        S,
        due=Due(at=datetime(2026, 2, 5, 14, tzinfo=UTC), passed=True),
    )
    for spec in PANELS:
        if spec.id == "grading_coverage":
            continue
        foreign = grading.model_copy(update={"id": spec.id, "title": spec.title})
        head, body = render_result(foreign, S.tz)
        assert head == "?" and "cannot draw this result" in body.plain, spec.id
        assert headline(foreign) == "?", spec.id
        assert breakdown(foreign) is None, spec.id
        assert markdown(foreign, S.tz) == [], spec.id
        assert spec.value_of(foreign) is None, spec.id


def test_an_error_result_draws_no_number():
    error = CheckResult(
        id="grading_coverage", title="Grading coverage", status=Status.ERROR, summary="x", value=ErrorValue()
    )
    assert headline(error) == "" and breakdown(error) is None and not no_games(error)
    assert error.value_json() == {}
    timed_out = error.model_copy(update={"value": ErrorValue(error_kind="timeout")})
    assert timed_out.value_json() == {"error_kind": "timeout"}


def test_an_unknown_check_draws_its_status():
    result = CheckResult(id="nope", title="Nope", status=Status.WARN, summary="")
    assert render_result(result, S.tz)[0] == "warn" and headline(result) == ""


def test_format_game():
    assert format_game("20260203_PHX_POR") == "PHX @ POR"
    assert format_game("weird") == "weird"
