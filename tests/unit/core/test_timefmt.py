"""core/timefmt: the one formatter for times people read, and the clock times `--at` takes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.core.config import Settings
from console.core.timefmt import for_people, parse_clock_time, to_moment
from console.services.runner import parse_at
from tests.helpers.outcome import outcome

ET = ZoneInfo("America/New_York")
FUZZ = hsettings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "50")) * 4, deadline=None)


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        ("2026-02-05T12:14:00+00:00", "minutes", "2026-02-05 07:14 EST"),
        ("2026-02-05T12:14:00Z", "seconds", "2026-02-05 07:14:00 EST"),
        (datetime(2026, 7, 5, 12, 14, 3, tzinfo=UTC), "seconds", "2026-07-05 08:14:03 EDT"),
        (datetime(2026, 2, 5, 12, 14), "clock", "07:14 EST"),  # noqa: DTZ001 - naive on purpose: read as UTC, as tables store it
        ("2026-02-05 12:14:00.123456+00", "clock_seconds", "07:14:00 EST"),  # BigQuery's text form
        ("2026-02-05T07:14:00-05:00", "minutes", "2026-02-05 07:14 EST"),
    ],
)
def test_a_moment_in_the_configured_zone_with_its_abbreviation(value, precision, expected):
    assert for_people(value, ET, precision) == expected


def test_other_zones_and_what_is_not_a_moment():
    assert for_people("2026-02-05T12:14:00Z", ZoneInfo("America/Los_Angeles")) == "2026-02-05 04:14 PST"
    assert for_people("2026-02-05T12:14:00Z", UTC) == "2026-02-05 12:14 UTC"
    assert for_people(None, ET) == "-" and for_people(None, ET, missing="") == ""
    for text in ("nba-scrapers", "2026-02-05", "12:14", "0001-01-01T00:00:00+14:00x", 42):
        assert for_people(text, ET) == str(text)
    assert to_moment("2026-02-30T12:00:00Z") is None


@given(st.one_of(st.text(max_size=40), st.datetimes(timezones=st.just(UTC)), st.none(), st.integers()))
@FUZZ
def test_for_people_never_raises(value):
    assert isinstance(for_people(value, ET), str)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        ("7:30am", time(7, 30)),
        ("7:30 PM", time(19, 30)),
        ("12:05am", time(0, 5)),
        ("12:05pm", time(12, 5)),
        ("07:30:15", time(7, 30, 15)),
        ("7am", time(7)),
        (" 23:59 ", time(23, 59)),
    ],
)
def test_clock_times_as_people_type_them(text, expected):
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize("text", ["7", "730", "2026-02-05", "lunchtime", "7:3", ""])
def test_not_a_clock_time(text):
    assert parse_clock_time(text) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [("25:00", "00:00 to 23:59"), ("7:75", "00:00 to 23:59"), ("13:00pm", "1 to 12"), ("0:30am", "1 to 12")],
)
def test_impossible_clock_times_say_why(text, why):
    with pytest.raises(ValueError, match=why):
        parse_clock_time(text)


def test_at_is_a_moment_on_the_processing_date_in_the_zone():
    s = Settings()
    day = date(2026, 2, 5)
    for text in ("7:30", "07:30", "7:30am", "7:30 AM"):
        assert parse_at(text, day, s) == datetime(2026, 2, 5, 12, 30, tzinfo=UTC)
    assert parse_at("2026-02-05T12:30:00Z", day, s) == datetime(2026, 2, 5, 12, 30, tzinfo=UTC)
    assert parse_at("2026-02-05T07:30-05:00", day, s) == datetime(2026, 2, 5, 12, 30, tzinfo=UTC)


@given(
    st.one_of(
        st.text(max_size=30),
        st.from_regex(r"\A[0-9]{1,3}(:[0-9]{1,3}){0,2} ?([aApP][mM])?\Z"),
        st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})?)?\Z"),
    )
)
@FUZZ
def test_any_at_parses_or_is_refused_with_a_reason(text):
    """Never a traceback: a moment (aware), or a ValueError that names --at."""
    moment = outcome(lambda: parse_at(text, date(2026, 2, 5), Settings(), datetime(2026, 2, 5, tzinfo=UTC)), ValueError)
    if isinstance(moment, ValueError):
        assert str(moment).startswith("--at ")
    else:
        assert moment.tzinfo is not None


def test_lock_messages_read_in_the_zone():
    """A playbook run's lock messages (CLI and TUI) name times as the operator reads them."""
    from console.playbook.lock import describe, lost_message

    owner = {
        "playbook": "redeploy-service",
        "run_id": "r1",
        "user": "ann",
        "host": "h",
        "pid": 1,
        "acquired_at": "2026-02-05T12:14:00+00:00",
        "expires_at": "2026-02-05T13:14:00+00:00",
    }
    assert describe(owner, ET).endswith("lock expires 2026-02-05 08:14:00 EST")
    assert lost_message(owner, ET) == "lock lost to r1 at 2026-02-05 07:14:00 EST"
    assert lost_message({"run_id": "r1"}, ET) == "lock lost to r1 at ?"
