"""The printed line's time (`PlainLine.head`, computed once per minute) is `for_people`'s, in
any zone, at any second: DST changes, zones with odd offsets (Kathmandu +05:45, Lord Howe's
half-hour DST), years far off."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from console.core.timefmt import for_people
from console.logs.plain_line import PlainLine
from tests.helpers.examples import examples

ZONES = ["America/New_York", "UTC", "Asia/Kathmandu", "Australia/Lord_Howe", "Europe/Dublin", "America/St_Johns"]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DST_2026 = [datetime(2026, 3, 8, 7, tzinfo=UTC).timestamp(), datetime(2026, 11, 1, 6, tzinfo=UTC).timestamp()]


def expected(ts: float, tz) -> bytes:
    return (for_people(EPOCH + timedelta(seconds=math.floor(ts)), tz, "seconds") + " ").encode()


@settings(max_examples=examples(300), deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    times=st.lists(
        st.one_of(
            st.floats(-5e9, 7e9, allow_nan=False),
            st.sampled_from(DST_2026).flatmap(lambda t: st.floats(t - 7200, t + 7200)),
        ),
        max_size=40,
    ),
)
def test_head_is_for_people(zone, times):
    tz = ZoneInfo(zone)
    plain = PlainLine(tz)
    for ts in times + times[::-1]:  # each minute computed once, then reused
        assert plain.head(ts) == expected(ts, tz)


def test_every_second_around_a_dst_change():
    tz = ZoneInfo("America/New_York")
    plain = PlainLine(tz)
    for t in DST_2026:
        for s in range(int(t) - 3600, int(t) + 3600):
            assert plain.head(s + 0.5) == expected(s, tz)
