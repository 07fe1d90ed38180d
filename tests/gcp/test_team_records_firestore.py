"""The team's records on gcp (issue 26), against the Firestore emulator through the official
client: the same contract as the state directory (two consoles see each other's acks, notes,
presence and the watch's heartbeat), the collections named in `[team]`, failures as one line,
and the Feb 3 ack rule of the watch with its acks kept in Firestore."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from console.backends.local_backend import LocalBackend
from console.backends.team_firestore import FirestoreTeamStore, LazyFirestoreTeamStore
from console.backends.team_local import LocalTeamStore
from console.core.config import load_settings
from console.core.team import Ack, Heartbeat, Note, Presence, TeamStoreError
from console.services.team_records import acknowledge, add_note
from console.services.watch import Watcher
from tests.emulators import firestore as emu_fs
from tests.emulators.fixtures import TEST_PROJECT
from tests.gcp.conftest import STARTED_GROUPS

T0 = datetime(2026, 2, 4, 12, 0, tzinfo=UTC)
FEB3 = date(2026, 2, 3)


@pytest.fixture
def settings(tmp_path):
    return load_settings(backend="gcp", project=TEST_PROJECT, state_dir=tmp_path / "state", team={"who": "ana"})


@pytest.fixture
def fs(firestore_client, firestore_emulator):
    STARTED_GROUPS["firestore"] = firestore_emulator.pgid
    return firestore_client


@pytest.fixture
def two_stores(fs, firestore_emulator, settings):
    other = emu_fs.make_client(firestore_emulator.address, project=TEST_PROJECT)
    yield FirestoreTeamStore(fs, settings), FirestoreTeamStore(other, settings)
    other.close()


def an_ack(check: str = "usage_rate_coverage") -> Ack:
    return Ack(check=check, game_date=FEB3, who="ana", reason="on it", at=T0, until=T0 + timedelta(hours=2))


@pytest.mark.parametrize("kind", ["local", "firestore"])
def test_two_consoles_see_each_others_records(kind, request, tmp_path):
    if kind == "local":
        one, two = LocalTeamStore(tmp_path / "s"), LocalTeamStore(tmp_path / "s")
    else:
        one, two = request.getfixturevalue("two_stores")
    one.put_ack(an_ack())
    two.put_ack(an_ack("dnp_pollution"))
    one.add_note(Note(id="n1", game_date=FEB3, who="ana", at=T0, text="feed re-scraped"))
    two.add_note(Note(id="n2", game_date=date(2026, 2, 4), who="bob", at=T0, text="quiet"))
    two.beat(Presence(id="c2", who="bob", since=T0, seen_at=T0, read_only=True, kind="web"))
    one.record_heartbeat(Heartbeat(at=T0, status="fail", every_s=300, host="cron-1"))
    assert sorted(a.check for a in two.acks()) == ["dnp_pollution", "usage_rate_coverage"]
    assert [n.text for n in two.notes(FEB3)] == ["feed re-scraped"]
    assert [n.id for n in one.notes()] == ["n1", "n2"]
    assert [(p.who, p.read_only, p.kind) for p in one.presence()] == [("bob", True, "web")]
    beat = two.heartbeat()
    assert beat is not None and (beat.status, beat.host) == ("fail", "cron-1")
    assert one.remove_ack(an_ack().key) == an_ack() and [a.check for a in two.acks()] == ["dnp_pollution"]
    assert one.remove_ack(an_ack().key) is None
    two.leave("c2")
    assert one.presence() == []


def test_the_collections_are_the_configured_ones(fs, settings):
    named = settings.model_copy(update={"team": settings.team.model_copy(update={"acks_collection": "team_acks_x"})})
    store = FirestoreTeamStore(fs, named)
    acknowledge(named, store, "usage_rate_coverage", FEB3, "on it", T0)
    add_note(named, store, FEB3, "re-scraped at 08:40", T0, "usage_rate_coverage")
    assert [d.id for d in fs.collection("team_acks_x").stream()] == ["2026-02-03_usage_rate_coverage"]
    assert [d.to_dict()["text"] for d in fs.collection("nba_console_notes").stream()] == ["re-scraped at 08:40"]
    audit = sorted((d.to_dict() for d in fs.collection("nba_console_team_audit").stream()), key=lambda r: r["ts"])
    assert [(r["event"], r["who"]) for r in audit] == [("ack", "ana"), ("note", "ana")]


def test_read_only_refuses_acks_and_notes_on_gcp_too(fs, settings):
    from console.core.safety import ReadOnlyError

    read_only = settings.model_copy(update={"read_only": True})
    store = FirestoreTeamStore(fs, read_only)
    with pytest.raises(ReadOnlyError, match="team records"):
        acknowledge(read_only, store, "usage_rate_coverage", FEB3, "on it", T0)
    with pytest.raises(ReadOnlyError):
        add_note(read_only, store, FEB3, "x", T0)
    store.beat(Presence(id="viewer", who="bob", since=T0, seen_at=T0, read_only=True))  # its own presence: yes
    assert list(fs.collection("nba_console_acks").stream()) == []
    assert [p.id for p in store.presence()] == ["viewer"]


def test_an_unreachable_firestore_is_one_line(settings):
    def refused():
        raise ConnectionRefusedError("connect to 127.0.0.1:9 refused")

    store = LazyFirestoreTeamStore(settings, client_factory=refused)
    with pytest.raises(TeamStoreError) as caught:
        store.acks()
    assert (
        str(caught.value)
        == "Firestore reading acknowledgements: ConnectionRefusedError: connect to 127.0.0.1:9 refused"
    )


@pytest.mark.slow
def test_the_feb3_ack_rule_holds_with_acks_in_firestore(fs, demo_settings, tmp_path):
    settings = demo_settings.model_copy(
        update={"team": demo_settings.team.model_copy(update={"who": "ana"}), "state_dir": tmp_path / "state"}
    )
    store = FirestoreTeamStore(fs, settings)
    tz = settings.tz

    def at(clock: str) -> datetime:
        return datetime.combine(FEB3 + settings.processing_offset, time.fromisoformat(clock), tzinfo=tz)

    watcher = Watcher(settings, [], FEB3, LocalBackend, team=store)
    moments = [at("06:00") + timedelta(minutes=5 * i) for i in range(61)]  # 06:00 .. 11:00
    told: dict[str, str] = {}
    for moment in moments:
        if moment == at("07:00"):
            acknowledge(settings, store, "usage_rate_coverage", FEB3, "PHX @ POR feed", moment, timedelta(hours=2))
        for change in watcher.run(moment).changes:
            if change["check"] == "usage_rate_coverage":
                told[moment.astimezone(tz).strftime("%H:%M")] = change["kind"]
    first = next(iter(told))
    assert first < "07:00" and {k: v for k, v in told.items() if k >= "07:00"} == {
        "09:00": "reminder",
        "10:00": "reminder",
        "11:00": "reminder",
    }
    assert store.acks() == []  # cleared at expiry
    assert store.heartbeat() is not None


def test_a_firestore_that_never_answers_is_one_line_within_the_deadline_once(settings, monkeypatch):
    import time

    from tests.emulators.fault_proxy import FaultProxy

    hole = FaultProxy(9).set("blackhole")
    try:
        monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", hole.address)
        bounded = settings.model_copy(update={"gcp": settings.gcp.model_copy(update={"query_timeout_s": 2.0})})
        store = LazyFirestoreTeamStore(bounded)
        started = time.monotonic()
        with pytest.raises(TeamStoreError, match=r"^Firestore reading acknowledgements: no answer within 2s$"):
            store.acks()
        first = time.monotonic() - started
        started = time.monotonic()
        with pytest.raises(TeamStoreError, match="no answer within 2s"):
            store.record_heartbeat(Heartbeat(at=T0, status="ok", every_s=300))
        assert first < 5 * 3.0 and time.monotonic() - started < 1.0  # the second fails at once
    finally:
        hole.close()
