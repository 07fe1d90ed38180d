"""core/timefmt: the one formatter for times people read, and the clock times `--at` takes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.core.config import Settings
from console.core.timefmt import for_people, format_duration, parse_clock_time, to_moment
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


# ---------------------------------------------------------------- durations for people


@pytest.mark.parametrize(
    ("seconds", "options", "expected"),
    [
        # Every duration the 21 snapshots show (panel borders, the header, data ages).
        (0, {}, "0s"),  # "refreshed 0s ago"
        (60, {"drop_zero": True}, "1m"),  # the header's "refresh every 1m"
        (28 * 3600, {"smallest": "m"}, "1d 4h"),  # "data ..., 1d 4h old"
        (26 * 3600 + 59 * 60, {"smallest": "m"}, "1d 2h"),
        (3 * 3600 + 13 * 60, {"smallest": "m"}, "3h 13m"),
        (3 * 3600 + 6 * 60, {"smallest": "m"}, "3h 06m"),
        (2 * 3600 + 43 * 60, {"smallest": "m"}, "2h 43m"),
        (2 * 3600 + 20 * 60, {"smallest": "m"}, "2h 20m"),
        # What the three formatters it replaces wrote, and where it now differs on purpose.
        (42.9, {}, "42s"),  # whole seconds, truncated
        (120, {}, "2m 00s"),  # minutes and seconds as the second unit: two digits
        (3660, {}, "1h 01m"),
        (45 * 60, {"smallest": "m"}, "45m"),
        (0, {"smallest": "m"}, "0m"),
        (24 * 3600, {"smallest": "m"}, "1d 0h"),  # hours as the second unit: not padded
        (120, {"drop_zero": True}, "2m"),  # "every 2m of replay"
        (5400, {"drop_zero": True}, "1h 30m"),
        (3630, {"drop_zero": True}, "1h"),  # the seconds are not the second unit of an hour
        (65, {"drop_zero": True}, "1m 05s"),  # the header said "1m 5s"
        (100 * 3600, {"drop_zero": True}, "4d 4h"),  # the header said "100h"
        (108000, {}, "1d 6h"),  # a panel's age said "30h 00m"
        (-5, {}, "0s"),  # a clock that went back: no negative age
    ],
)
def test_format_duration(seconds, options, expected):
    assert format_duration(seconds, **options) == expected


@FUZZ
@given(
    st.floats(allow_nan=True, allow_infinity=True) | st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from(["d", "h", "m", "s"]),
    st.booleans(),
)
def test_format_duration_is_one_or_two_units_and_never_raises(seconds, smallest, drop_zero):
    text = format_duration(seconds, smallest=smallest, drop_zero=drop_zero)
    parts = text.split(" ")
    assert 1 <= len(parts) <= 2 and all(part[-1] in "dhms∞" for part in parts)
