"""watch's memory (services/watch_state.py): the state file (atomic, corrupt set aside), what is
forgotten, and the watch's config. What `decide` tells: test_watch_decide.py."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.core.config import ConfigError, load_settings
from console.services.watch_state import StateStore, WatchState, last_notified_at, state_path
from tests.helpers.examples import examples

T0 = datetime(2026, 2, 4, 11, 0, tzinfo=UTC)


# ------------------------------------------------------------------ the state file


def test_state_round_trips_and_leaves_no_temporary_file(tmp_path):
    store = StateStore(tmp_path / "watch-state.json")
    state = WatchState()
    state.day(T0.date())["checks"]["x"] = {"status": "fail"}
    state.last_notified_at = T0.isoformat()
    with store:
        store.save(state)
        again = store.load()
    assert again.dates == state.dates and again.last_notified_at == T0.isoformat()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["watch-state.json", "watch-state.json.lock"]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"version": 1, "dates": []}',
        b"\xff\xfe",
        b'{"version": 1, "outbox": [1]}',
        b'{"version": 99}',
    ],
)
def test_a_corrupt_state_file_is_set_aside_with_a_warning(tmp_path, caplog, content):
    path = tmp_path / "watch-state.json"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="nba_console.watch"), StateStore(path) as store:
        state = store.load()
    assert state.dates == {} and state.outbox == []
    assert not path.exists()
    aside = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert "set aside" in caplog.text


@hsettings(max_examples=examples(60), deadline=None)
@given(
    st.binary(max_size=200)
    | st.recursive(
        st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=20,
    ).map(lambda v: orjson.dumps({"version": 1, "dates": v}))
)
def test_loading_any_bytes_never_raises(tmp_path_factory, content):
    path = tmp_path_factory.getbasetemp() / "fuzz-state" / "watch-state.json"
    path.parent.mkdir(exist_ok=True)
    for old in path.parent.iterdir():
        old.unlink()
    path.write_bytes(content)
    with StateStore(path) as store:
        state = store.load()
        state.day(T0.date())  # the loaded state is usable
        store.save(state)


def test_the_header_reads_the_last_notification_about_its_own_game_date(tmp_path):
    settings = load_settings(data_dir=tmp_path / "d", state_dir=tmp_path / "s")
    feb3, feb4 = date(2026, 2, 3), date(2026, 2, 4)
    assert last_notified_at(settings, feb3) is None
    path = state_path(settings)
    path.parent.mkdir(parents=True)
    later = T0 + timedelta(hours=1)
    path.write_bytes(
        orjson.dumps(
            {
                "version": 1,
                "last_notified_at": later.isoformat(),
                "outbox": [],
                "dates": {
                    "2026-02-03": {"checks": {}, "last_notified_at": T0.isoformat()},
                    "2026-02-04": {"checks": {}},
                },
            }
        )
    )
    assert last_notified_at(settings, feb3) == T0
    assert last_notified_at(settings, feb4) is None  # nothing was delivered about Feb 4
    path.write_bytes(b"garbage")
    assert last_notified_at(settings, feb3) is None


# ------------------------------------------------------------------ what is forgotten


def _day(summary: bool = False, until: datetime | None = T0) -> dict:
    return {
        "checks": {"x": {"status": "fail", "announced": "fail"}},
        "summary_sent_at": T0.isoformat() if summary else None,
        "until": until.isoformat() if until else None,
    }


def test_the_watched_date_is_never_forgotten_whatever_the_wall_clock_says():
    state = WatchState(dates={"2026-02-03": _day(summary=True)})
    now = datetime(2026, 12, 5, tzinfo=UTC)  # ten months later
    assert state.prune(date(2026, 2, 3), now) == [] and "2026-02-03" in state.dates


def test_only_done_dates_well_before_the_watched_one_are_forgotten():
    now = datetime(2026, 12, 5, tzinfo=UTC)
    state = WatchState(
        dates={
            "2026-01-01": _day(summary=True),  # done: summary queued
            "2026-01-02": _day(until=T0),  # done: its until passed
            "2026-01-03": _day(until=now + timedelta(hours=1)),  # not done: until ahead, no summary
            "2026-01-04": _day(summary=True),  # done, but a message still waits
            "2026-01-05": {"checks": {}},  # an older version's date: done
            "2026-01-30": _day(summary=True),  # done, but within 14 days of Feb 3
            "2026-02-10": _day(summary=True),  # after the watched date
        },
        outbox=[{"id": "m", "channel": "c", "game_date": "2026-01-04"}],
    )
    assert sorted(state.prune(date(2026, 2, 3), now)) == ["2026-01-01", "2026-01-02", "2026-01-05"]
    assert sorted(state.dates) == ["2026-01-03", "2026-01-04", "2026-01-30", "2026-02-10"]


# ------------------------------------------------------------------ config


def test_notify_channels_and_watch_durations_from_toml(tmp_path):
    config = tmp_path / "nba-console.toml"
    config.write_text(
        '[watch]\nevery = "10m"\nremind_every = "2h"\nuntil = "10:30"\n'
        '[[notify]]\nname = "oncall"\nkind = "slack"\nurl_env = "NBA_CONSOLE_SLACK_WEBHOOK"\n'
        '[[notify]]\nname = "pager"\nkind = "command"\ncommand = ["/usr/bin/logger", "-t", "nba"]\n'
    )
    s = load_settings(config)
    assert s.watch.every == timedelta(minutes=10) and s.watch.remind_every == timedelta(hours=2)
    assert [c.name for c in s.notify] == ["oncall", "pager"] and s.notify[1].command[0] == "/usr/bin/logger"


@pytest.mark.parametrize(
    "body",
    [
        '[watch]\nevery = "0m"\n',
        '[watch]\nevery = "soon"\n',
        '[[notify]]\nname = "x"\nkind = "pigeon"\n',
        '[[notify]]\nname = "a b"\nkind = "stdout"\n',
        '[[notify]]\nname = "x"\nkind = "slack"\nurl = "https://x"\n',
    ],
)
def test_bad_watch_config_is_refused_with_the_key(tmp_path, body):
    config = tmp_path / "nba-console.toml"
    config.write_text(body)
    with pytest.raises(ConfigError) as info:
        load_settings(config)
    assert "watch" in str(info.value) or "notify" in str(info.value)
