"""The go-to-date parser (`g`) and the data's range (`[` `]`): pure, never raising."""

from __future__ import annotations

import os
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from console.core.game_dates import MAX_OFFSET_DAYS, DateRange, date_range, parse_game_date
from tests.helpers.examples import examples

SHOWN, TODAY = date(2026, 2, 4), date(2026, 2, 5)


def test_accepted_forms():
    assert parse_game_date("2026-02-03", SHOWN, TODAY).game_date == date(2026, 2, 3)
    assert parse_game_date(" -1 ", SHOWN, TODAY).game_date == date(2026, 2, 3)
    assert parse_game_date("+1", SHOWN, TODAY).game_date == date(2026, 2, 5)
    assert parse_game_date("Yesterday", SHOWN, TODAY).game_date == date(2026, 2, 4)
    assert parse_game_date("today", SHOWN, TODAY).game_date == TODAY


def test_refusals_say_what_is_accepted():
    for text in ("", "bogus", "2026-13-01", "2026-02-30", "3", "feb 3", "2026/02/03", "-99999", "x" * 500):
        parsed = parse_game_date(text, SHOWN, TODAY)
        assert parsed.game_date is None and parsed.error, text
    assert "2026-02-03" in parse_game_date("bogus", SHOWN, TODAY).error
    assert "month must be in 1..12" in parse_game_date("2026-13-01", SHOWN, TODAY).error
    assert f"at most {MAX_OFFSET_DAYS}" in parse_game_date("-9999", SHOWN, TODAY).error


def test_an_offset_past_the_calendar_is_an_error_not_an_overflow():
    assert parse_game_date("-1", date.min, TODAY).error == "-1: outside the calendar"
    assert parse_game_date("+3000", date.max - timedelta(days=5), TODAY).error


@settings(max_examples=examples(int(os.environ.get("FUZZ_EXAMPLES", "50")) * 4), deadline=None)
@given(text=st.text(max_size=80), shown=st.dates(), today=st.dates())
def test_the_parser_never_raises_and_answers_exactly_one_thing(text, shown, today):
    parsed = parse_game_date(text, shown, today)
    assert (parsed.game_date is None) != (parsed.error is None)
    if parsed.error is not None:
        assert len(parsed.error) < 200  # bounded: the input is quoted cropped
    else:  # a date is never far from what the user could mean
        assert (
            parsed.game_date in (today, today - timedelta(days=1))
            or abs((parsed.game_date - shown).days) <= MAX_OFFSET_DAYS
            or text.strip()[:4].isdigit()
        )


def test_range_refusals_and_the_default_date_always_reachable():
    found = date_range([{"first_date": date(2026, 1, 18), "last_date": date(2026, 2, 3)}], default=SHOWN)
    assert found == DateRange(date(2026, 1, 18), SHOWN)  # the default date is within, even before its rows
    assert found.refusal(date(2026, 1, 17)) == "no data before 2026-01-18"
    assert found.refusal(date(2026, 2, 5)) == "no data after 2026-02-04"
    assert found.refusal(date(2026, 1, 18)) is None
    assert date_range([], SHOWN) is None
    assert date_range([{"first_date": None, "last_date": None}], SHOWN) is None
