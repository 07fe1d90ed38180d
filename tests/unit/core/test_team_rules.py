"""The pure rules of the team's records (console/core/team.py, console/core/links.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.core.links import Landing, console_command, console_url, parse_query
from console.core.team import (
    Ack,
    Heartbeat,
    Presence,
    ack_verdict,
    active_ack,
    ago,
    clean_text,
    headline_number,
    live_presence,
    watch_silence,
)

T0 = datetime(2026, 2, 4, 12, 0, tzinfo=UTC)
FEB3 = date(2026, 2, 3)


def ack(status: str = "fail", headline: float | None = 87.1, hours: float = 2) -> Ack:
    return Ack(
        check="usage_rate_coverage",
        game_date=FEB3,
        who="ana",
        reason="re-scraping",
        at=T0,
        until=T0 + timedelta(hours=hours),
        status=status,
        headline=headline,
    )


@pytest.mark.parametrize(
    ("status", "number", "later", "worsen_by", "kind"),
    [
        ("fail", 87.1, 1, -5.0, "holds"),
        ("fail", 83.0, 1, -5.0, "holds"),  # 4.1 points lower: under the threshold
        ("fail", 82.0, 1, -5.0, "worse"),  # 5.1 points lower
        ("fail", 95.0, 1, -5.0, "holds"),  # better is not worse
        ("fail", 82.0, 1, None, "holds"),  # numbers never break it without worsen_by
        ("error", None, 1, -5.0, "worse"),
        ("warn", 87.1, 1, -5.0, "holds"),  # better status: still someone's
        ("ok", 99.0, 1, -5.0, "recovered"),
        ("unknown", None, 1, -5.0, "recovered"),
        ("fail", 87.1, 2, -5.0, "expired"),
    ],
)
def test_ack_verdict(status, number, later, worsen_by, kind):
    verdict = ack_verdict(ack(), status, number, T0 + timedelta(hours=later), worsen_by)
    assert verdict.kind == kind
    if kind == "worse":
        assert "since ana acknowledged it" in verdict.reason


def test_a_rise_breaks_through_where_higher_is_worse():
    dnp = ack(headline=22.1)
    assert ack_verdict(dnp, "fail", 23.2, T0, 1.0).kind == "worse"
    assert ack_verdict(dnp, "fail", 22.5, T0, 1.0).kind == "holds"


def test_active_ack_is_per_date_and_check_and_unexpired():
    acks = [ack()]
    assert active_ack(acks, FEB3, "usage_rate_coverage", T0 + timedelta(hours=1)) == acks[0]
    assert active_ack(acks, FEB3, "usage_rate_coverage", T0 + timedelta(hours=2)) is None
    assert active_ack(acks, date(2026, 2, 4), "usage_rate_coverage", T0) is None


@pytest.mark.parametrize(("text", "number"), [("85.3", 85.3), ("3/5", 3.0), ("12c", 12.0), ("-", None), ("", None)])
def test_headline_number(text, number):
    assert headline_number(text) == number


def test_watch_silence_is_twice_the_period():
    beat = Heartbeat(at=T0, status="ok", every_s=300)
    assert not watch_silence(beat, T0 + timedelta(minutes=10)).silent
    assert watch_silence(beat, T0 + timedelta(minutes=10, seconds=1)).silent
    assert watch_silence(None, T0).silent and watch_silence(None, T0).age is None
    assert not watch_silence(beat, T0 + timedelta(hours=1), every=timedelta(hours=1)).silent


def test_presence_expires_and_excludes_oneself():
    def entry(pid: str, seen: int) -> Presence:
        return Presence(id=pid, who=pid, since=T0, seen_at=T0 + timedelta(seconds=seen))

    entries = [entry("me", 0), entry("bob", 0), entry("gone", -400)]
    live = live_presence(entries, T0 + timedelta(seconds=60), timedelta(seconds=180), exclude="me")
    assert [p.id for p in live] == ["bob"]


@pytest.mark.parametrize(
    ("seconds", "text"), [(5, "5s"), (180, "3m"), (7200, "2h"), (7500, "2h 5m"), (90000, "1d"), (None, "never")]
)
def test_ago(seconds, text):
    assert ago(None if seconds is None else timedelta(seconds=seconds)) == text


def test_clean_text_flattens_control_characters_and_refuses_empty():
    assert clean_text("line one\nline two\x1b[31m") == "line one line two [31m"
    with pytest.raises(ValueError, match="empty"):
        clean_text(" \n ")


def test_links_carry_no_token_and_round_trip():
    assert console_command(FEB3, "usage_rate_coverage") == (
        "nba-console --date 2026-02-03 --check usage_rate_coverage --drill"
    )
    url = console_url("https://console.example.com/", FEB3, "usage_rate_coverage")
    assert url == "https://console.example.com/?date=2026-02-03&check=usage_rate_coverage&drill=1"
    assert console_url(None, FEB3, "x") is None
    assert parse_query(url.split("?", 1)[1]) == Landing(FEB3, "usage_rate_coverage", True)


@given(st.text(max_size=200))
def test_parse_query_never_raises_and_keeps_only_valid_parts(query):
    landing = parse_query(query)
    assert landing.check is None or landing.check.isidentifier()
    assert not landing.drill or landing.check is not None


@given(
    st.lists(st.sampled_from(["date=2026-02-03", "check=usage_rate_coverage", "drill=1", "x=1", "", "a"]), max_size=40)
)
def test_a_query_of_many_fields_never_raises(fields):
    # parse_qs refuses more than max_num_fields with a ValueError: a served page's query is the
    # browser's to send, so that must read as no link, not as a 500 with a traceback.
    landing = parse_query("&".join(fields))
    assert landing.check in (None, "usage_rate_coverage")


def test_more_than_ten_fields_is_no_link():
    assert parse_query("&".join(["check=usage_rate_coverage"] + [f"f{i}=1" for i in range(12)])) == Landing(
        None, None, False
    )


@given(st.text(max_size=600))
def test_clean_text_is_one_bounded_line_or_refused(text):
    try:
        out = clean_text(text)
    except ValueError:
        return
    assert "\n" not in out and 0 < len(out) <= 500
