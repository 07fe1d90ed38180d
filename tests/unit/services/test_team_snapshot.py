"""What one console reads of the team (console/services/team_records.py read_snapshot) and how the
header says it (console/tui/team_chips.py): the playbook lock's holder and step, the watch's
heartbeat, the others present; a store that fails keeps the last good view and says so."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

from console.backends.team_local import LocalTeamStore
from console.core.config import load_settings
from console.core.team import Ack, Heartbeat, Presence, TeamStoreError
from console.playbook.lock import FileLock, make_owner
from console.services.team_records import LockHolder, TeamSnapshot, read_snapshot
from console.tui.team_chips import team_chips

NOW = datetime.now(UTC)
FEB3 = date(2026, 2, 3)


def settings_in(tmp_path):
    return load_settings(state_dir=tmp_path / "state", data_dir=tmp_path / "data", team={"who": "me"})


def me(pid: str = "me") -> Presence:
    return Presence(id=pid, who=pid, since=NOW, seen_at=NOW)


def test_the_playbook_lock_holder_and_its_step(tmp_path):
    settings = settings_in(tmp_path)
    base = {
        "user": "ana",
        "host": "laptop",
        "pid": os.getpid(),
        "run_id": "r1",
        "playbook": "rollback-grading-orchestration",
    }
    owner = make_owner({**base, "step": {"index": 1, "pid": 1, "pgid": 1, "host": "laptop", "command": "gcloud"}}, 600)
    FileLock(settings.state_dir, 600).acquire(owner)
    snap = read_snapshot(LocalTeamStore(settings.state_dir), settings, FEB3, me(), NOW)
    assert snap.lock == LockHolder("ana", "rollback-grading-orchestration", 2) and snap.error is None
    assert " PLAYBOOK ana: rollback-grading-orchestration step 2 " in [c.plain for c in team_chips(snap, NOW)]
    # An expired lease is nobody's.
    assert (
        read_snapshot(LocalTeamStore(settings.state_dir), settings, FEB3, me(), NOW + timedelta(hours=1)).lock is None
    )


def test_the_others_and_the_watch_in_the_header(tmp_path):
    settings = settings_in(tmp_path)
    store = LocalTeamStore(settings.state_dir)
    store.beat(Presence(id="b", who="bob", since=NOW - timedelta(minutes=5), seen_at=NOW, read_only=True))
    store.beat(Presence(id="c", who="carol", kind="web", since=NOW - timedelta(hours=1), seen_at=NOW))
    store.beat(Presence(id="d", who="dan", since=NOW, seen_at=NOW))
    store.beat(Presence(id="gone", who="eve", since=NOW, seen_at=NOW - timedelta(minutes=10)))
    store.record_heartbeat(Heartbeat(at=NOW - timedelta(minutes=3), status="fail", every_s=300))
    snap = read_snapshot(store, settings, FEB3, me(), NOW)
    chips = [c.plain for c in team_chips(snap, NOW)]
    assert chips == ["watch 3m ago", "here: carol web 1h, bob ro 5m +1"]  # oldest first; eve expired; not me
    assert [p.id for p in store.presence()] == ["b", "c", "d", "gone", "me"]  # this console wrote its own
    late = NOW + timedelta(minutes=8)
    assert team_chips(snap, late)[0].plain == " WATCH SILENT 11m "


def test_a_console_with_no_watch_ever_shows_no_watch_chip(tmp_path):
    settings = settings_in(tmp_path)
    assert team_chips(read_snapshot(LocalTeamStore(settings.state_dir), settings, FEB3, me(), NOW), NOW) == []


class Broken(LocalTeamStore):
    def acks(self):
        raise TeamStoreError("cannot read team-acks.json: Permission denied")


def test_a_failing_store_keeps_the_last_good_view_and_says_so(tmp_path):
    settings = settings_in(tmp_path)
    ack = Ack(
        check="usage_rate_coverage", game_date=FEB3, who="ana", reason="x", at=NOW, until=NOW + timedelta(hours=1)
    )
    last = TeamSnapshot(read_at=NOW, acks=[ack])
    snap = read_snapshot(Broken(settings.state_dir), settings, FEB3, me(), NOW, last)
    assert snap.acks == [ack] and snap.error == "cannot read team-acks.json: Permission denied"
    assert [c.plain for c in team_chips(snap, NOW)] == ["team unreadable"]


def test_the_mornings_playbook_runs_sit_beside_the_notes_in_the_drill_down(tmp_path):
    from console.core.team import Note
    from console.playbook.audit import AuditLog
    from console.services.runner import CheckContext
    from console.tui.team_chips import team_lines

    settings = settings_in(tmp_path)
    audit = AuditLog(settings.state_dir)
    morning = datetime(2026, 2, 4, 13, 42, tzinfo=UTC)  # 08:42 EST on Feb 3's processing date
    start = {
        "run_id": "r1",
        "event": "run_start",
        "playbook": "rollback-grading-orchestration",
        "params": {},
        "total_steps": 2,
        "operator": {"user": "ana"},
    }
    audit.append({**start, "ts": morning.isoformat()})
    audit.append(
        {"run_id": "r1", "event": "run_end", "status": "ok", "ts": (morning + timedelta(minutes=3)).isoformat()}
    )
    audit.append({**start, "run_id": "r0", "ts": (morning - timedelta(days=1)).isoformat()})  # the morning before
    store = LocalTeamStore(settings.state_dir)
    store.add_note(
        Note(id="n", game_date=FEB3, check=None, who="bob", at=morning - timedelta(minutes=2), text="grader stuck")
    )
    snap = read_snapshot(store, settings, FEB3, me(), NOW)
    assert [(r.who, r.playbook, r.status) for r in snap.runs] == [("ana", "rollback-grading-orchestration", "ok")]
    text = team_lines(snap, CheckContext(settings, FEB3, morning), "grading_coverage").plain.strip().splitlines()
    assert text == [
        "✎ bob 2026-02-04 08:40 EST: grader stuck",
        "▶ ana 2026-02-04 08:42 EST: playbook rollback-grading-orchestration (ok)",
    ]
