"""History: one query per check over a range, judged per date by check's own judges."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from console.backends.local_backend import LocalBackend
from console.core.config import load_settings
from console.core.errors import ErrorKind, SourceError
from console.core.models import Status
from console.services.history import HistoryRange, contexts, history_range, run_history
from console.services.runner import CheckContext, run_all
from tests.conftest import DEMO_END

FEB4 = date(2026, 2, 4)


def _by_date(reports):
    return {r.game_date: r.to_json_dict() for r in reports}


def _drift(doc):
    return next(c for c in doc["checks"] if c["id"] == "deployment_drift")


@pytest.mark.slow
@pytest.mark.parametrize("as_of", [DEMO_END, datetime(2026, 2, 5, 12, 30, tzinfo=UTC)], ids=["end", "0730et"])
def test_history_agrees_with_check_date_by_date(demo_backend, demo_settings, as_of):
    """Every check as `check` judges the date at the history's moment; drift as `check
    --at` judges it at the date's own morning (11:00 ET on its processing date, or earlier)."""
    span = HistoryRange(FEB4, 21)  # reaches past the demo's first date: empty dates agree too
    reports = run_history(demo_backend, contexts(demo_settings, span, as_of))
    assert [r.game_date for r in reports] == span.dates
    assert_agrees_with_check(demo_backend, demo_settings, reports, as_of)


def assert_agrees_with_check(backend, settings, reports, as_of):
    for day, doc in _by_date(reports).items():
        want = run_all(backend, CheckContext(settings, day, as_of)).to_json_dict()
        drift = _drift(doc)
        moment = datetime.fromisoformat(drift["value"].pop("deploys_as_of"))
        assert moment == min(as_of, datetime(day.year, day.month, day.day, 16, tzinfo=UTC) + timedelta(days=1))
        at_moment = run_all(backend, CheckContext(settings, day, moment), ["deployment_drift"])
        assert drift == _drift(at_moment.to_json_dict()), day
        assert {**doc, "checks": [c for c in doc["checks"] if c is not drift], "status": None} == {
            **want,
            "checks": [c for c in want["checks"] if c["id"] != "deployment_drift"],
            "status": None,
        }, day


def test_agreement_holds_for_a_wider_dnp_window(demo_settings, tmp_path):
    settings = load_settings(
        data_dir=demo_settings.data_dir, state_dir=tmp_path / "s", thresholds={"dnp_window_days": 3}
    )
    backend = LocalBackend(settings)
    reports = run_history(backend, contexts(settings, HistoryRange(FEB4, 5), DEMO_END))
    assert_agrees_with_check(backend, settings, reports, DEMO_END)


def test_demo_has_weeks_of_history_with_the_slow_decline(demo_backend, demo_settings):
    reports = {
        r.game_date: r for r in run_history(demo_backend, contexts(demo_settings, HistoryRange(FEB4, 18), DEMO_END))
    }
    before = [d for d, r in reports.items() if d < FEB4 and r.check("grading_coverage").status is not Status.UNKNOWN]
    assert len(before) >= 14
    usage = [reports[d].check("usage_rate_coverage").value.coverage_pct for d in sorted(before) if d < date(2026, 2, 3)]
    assert usage[0] > 99 and usage[-1] < 93  # a slow slide towards the 90 % line, rounding aside:
    assert all(b <= a + 0.5 for a, b in itertools.pairwise(usage)) and min(usage) >= 90
    dnp = {d: r.check("dnp_pollution").status for d, r in reports.items()}
    assert all(dnp[d] is Status.OK for d in before if d < date(2026, 2, 2))
    assert dnp[date(2026, 2, 2)] is Status.FAIL and dnp[date(2026, 2, 3)] is Status.FAIL
    # The handoff's own figures are untouched.
    feb3 = reports[date(2026, 2, 3)]
    assert feb3.check("dnp_pollution").value.pollution_pct == 22.0
    assert feb3.check("usage_rate_coverage").value.coverage_pct == 87.1


class _Recording(LocalBackend):
    def __init__(self, settings, fail: str | None = None):
        super().__init__(settings)
        self.calls: list[tuple[str, dict]] = []
        self.fail = fail

    def run_query(self, name, params):
        self.calls.append((name, params))
        if name == self.fail:
            raise SourceError(ErrorKind.PERMISSION, f"{name}: access denied")
        return super().run_query(name, params)


def test_one_query_per_check_bounded_by_the_range(demo_settings):
    backend = _Recording(demo_settings)
    run_history(backend, contexts(demo_settings, HistoryRange(FEB4, 28), DEMO_END))
    names = sorted(name for name, _ in backend.calls)
    assert names == ["dnp_by_day", "history_dnp_examples", "history_grading", "history_usage"]
    for _, params in backend.calls:
        assert params["end_date"] == FEB4
        assert params["start_date"] in (date(2026, 1, 8), date(2026, 1, 7))  # 28 days; DNP's window one more


def test_a_failing_query_is_an_error_on_every_date_of_that_check_only(demo_settings):
    backend = _Recording(demo_settings, fail="history_usage")
    reports = run_history(backend, contexts(demo_settings, HistoryRange(FEB4, 3), DEMO_END))
    for report in reports:
        usage = report.check("usage_rate_coverage")
        assert usage.status is Status.ERROR and "access denied" in usage.error
        assert report.check("grading_coverage").status is Status.OK
        assert report.exit_code() == 2


def test_days_are_bounded_by_max_days(demo_settings):
    assert history_range(FEB4, 28, demo_settings).start == date(2026, 1, 8)
    for days in (0, -1, 29):
        with pytest.raises(ValueError, match="max_days"):
            history_range(FEB4, days, demo_settings)


def test_shifting_a_range_keeps_its_length():
    span = HistoryRange(FEB4, 14).shifted(-14)
    assert (span.start, span.end, len(span.dates)) == (date(2026, 1, 8), date(2026, 1, 21), 14)
