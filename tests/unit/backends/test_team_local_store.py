"""The team's records in the state directory (console/backends/team_local.py): two stores on
one directory (two consoles of one user) see each other, files are private, a corrupt file is
set aside, a bad record hides nothing else."""

from __future__ import annotations

import json
import stat
from datetime import UTC, date, datetime, timedelta

import pytest

from console.backends.team_local import ACKS_FILE, LocalTeamStore
from console.core.team import Ack, Heartbeat, Note, Presence, TeamStoreError

T0 = datetime(2026, 2, 4, 12, 0, tzinfo=UTC)
FEB3 = date(2026, 2, 3)


def an_ack(check: str = "usage_rate_coverage") -> Ack:
    return Ack(check=check, game_date=FEB3, who="ana", reason="on it", at=T0, until=T0 + timedelta(hours=2))


def test_two_stores_on_one_directory_see_each_others_records(tmp_path):
    one, two = LocalTeamStore(tmp_path / "state"), LocalTeamStore(tmp_path / "state")
    one.put_ack(an_ack())
    two.put_ack(an_ack("dnp_pollution"))
    one.add_note(Note(id="n1", game_date=FEB3, who="ana", at=T0, text="feed re-scraped"))
    two.beat(Presence(id="c2", who="bob", since=T0, seen_at=T0, read_only=True))
    one.record_heartbeat(Heartbeat(at=T0, status="fail", every_s=300))
    assert sorted(a.check for a in two.acks()) == ["dnp_pollution", "usage_rate_coverage"]
    assert [n.text for n in two.notes(FEB3)] == ["feed re-scraped"] and two.notes(date(2026, 2, 4)) == []
    assert [(p.who, p.read_only) for p in one.presence()] == [("bob", True)]
    assert two.heartbeat() is not None and two.heartbeat().status == "fail"
    assert one.remove_ack(an_ack().key) == an_ack() and [a.check for a in two.acks()] == ["dnp_pollution"]
    two.leave("c2")
    assert one.presence() == []


def test_files_are_private_in_a_private_directory(tmp_path):
    store = LocalTeamStore(tmp_path / "state")
    store.put_ack(an_ack())
    store.audit({"event": "ack"})
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    for path in (tmp_path / "state").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_corrupt_file_reads_empty_and_is_set_aside_by_the_next_write(tmp_path):
    state = tmp_path / "state"
    store = LocalTeamStore(state)
    store.put_ack(an_ack())
    (state / ACKS_FILE).write_text("{not json")
    assert store.acks() == []
    store.put_ack(an_ack("dnp_pollution"))
    assert [a.check for a in store.acks()] == ["dnp_pollution"]
    assert len(list(state.glob(f"{ACKS_FILE}.corrupt-*"))) == 1


def test_a_bad_record_hides_nothing_else(tmp_path):
    state = tmp_path / "state"
    store = LocalTeamStore(state)
    store.put_ack(an_ack())
    data = json.loads((state / ACKS_FILE).read_text())
    data["acks"]["junk"] = {"check": "", "who": 3}
    (state / ACKS_FILE).write_text(json.dumps(data))
    assert [a.check for a in store.acks()] == ["usage_rate_coverage"]


def test_an_unwritable_state_directory_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = LocalTeamStore(blocker / "state")
    with pytest.raises(TeamStoreError, match="cannot write"):
        store.put_ack(an_ack())
