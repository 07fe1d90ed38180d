"""watch's pure `decide` (services/watch.py): what is news (a change, its recovery), what is
reminded and when, an error told once then again only if it lasts, a flapping source, an older
run finishing late; and the text of a status change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.core.config import WatchSettings
from console.core.models import CheckResult, Status
from console.services.watch import decide, is_quiet, status_change_text
from tests.helpers.examples import examples

T0 = datetime(2026, 2, 4, 11, 0, tzinfo=UTC)
WS = WatchSettings(remind_every="1h", error_repeat_after="30m")


def result(status: str) -> CheckResult:
    return CheckResult(id="usage_rate_coverage", title="Usage-rate coverage", status=Status(status), summary=status)


def run(statuses: list[str], ws: WatchSettings = WS, step: timedelta = timedelta(minutes=5)) -> list[str | None]:
    memory, kinds = None, []
    for i, status in enumerate(statuses):
        memory, kind = decide(memory, result(status), T0 + i * step, ws)
        kinds.append(kind)
    return kinds


def test_a_change_is_told_once_and_its_end_is_a_recovery():
    assert run(["ok", "fail", "fail", "fail", "ok", "ok"]) == [None, "new", None, None, "recovered", None]


def test_quiet_statuses_are_not_news_but_a_warn_to_fail_change_is():
    assert run(["unknown", "ok", "unknown", "warn", "fail", "warn", "unknown"]) == [
        None,
        None,
        None,
        "new",
        "changed",
        "changed",
        "recovered",
    ]


def test_a_lasting_fail_is_reminded_every_remind_every():
    kinds = run(["fail"] * 25)  # two hours at 5-minute steps
    assert kinds[0] == "new" and [i for i, k in enumerate(kinds) if k == "reminder"] == [12, 24]


def test_a_lasting_warn_is_not_reminded():
    assert run(["warn"] * 30) == ["new"] + [None] * 29


def test_an_error_is_told_once_then_again_only_past_error_repeat_after():
    kinds = run(["error"] * 13)  # an hour
    assert kinds[0] == "error" and [i for i, k in enumerate(kinds) if k] == [0, 6, 12]
    assert kinds[6] == "reminder"


def test_a_flapping_source_is_not_told_every_time():
    kinds = run(["ok", "error", "ok", "error", "ok", "error", "ok"])
    assert kinds == [None, "error", "recovered", None, None, None, None]


def test_a_flapping_source_that_then_stays_down_is_told_again():
    kinds = run(["error", "ok"] + ["error"] * 8)  # the second outage lasts past 30 minutes
    assert kinds[:3] == ["error", "recovered", None] and "error" in kinds[3:]


@hsettings(max_examples=examples(200), deadline=None)
@given(st.lists(st.sampled_from([s.value for s in Status]), max_size=40))
def test_a_change_message_goes_out_exactly_when_the_told_status_changes(statuses):
    ws = WatchSettings(remind_every="1000d", error_repeat_after="1s")
    memory, told = None, None
    for i, status in enumerate(statuses):
        memory, kind = decide(memory, result(status), T0 + i * timedelta(minutes=5), ws)
        changed = not (is_quiet(told) and is_quiet(status)) and status != told
        assert (kind not in (None, "reminder")) == changed
        if kind == "reminder":  # only an error is repeated here (error_repeat_after is 1 s)
            assert status == told == "error"
        if changed:
            told = status
        assert memory["status"] == status


def test_status_change_text():
    assert status_change_text("Grading", None, "fail") is None
    assert status_change_text("Grading", "fail", "fail") is None
    assert status_change_text("Grading", "ok", "fail") == "Grading: ok → fail"
    assert status_change_text("Grading", "fail", "ok") == "Grading: fail → ok (recovered)"


def test_a_run_judged_as_of_an_earlier_moment_than_already_told_changes_nothing():
    memory, kind = decide(None, result("fail"), T0 + timedelta(hours=2), WS)
    assert kind == "new"
    again, kind = decide(memory, result("ok"), T0, WS)  # an overlapping, older run finishing late
    assert kind is None and again == memory
