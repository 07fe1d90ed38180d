"""The gcp run lock in Firestore (issue 4), against the Firestore emulator through the
official client: one lock document with owner and expiry, refused to a second operator,
released only by its owner, taken over once expired, and taken atomically when operators
race for it. Then the engine: a playbook on the gcp executor is refused before any step
while another operator holds the document."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from console.core.config import load_settings
from console.core.timefmt import for_people
from console.playbook.audit import AuditLog
from console.playbook.engine import Callbacks, Runner
from console.playbook.lock import LockHeld, LockLost, make_owner
from console.playbook.lock_firestore import FirestoreLock, LazyFirestoreLock
from tests.emulators import firestore as emu_fs
from tests.emulators.fixtures import TEST_PROJECT
from tests.gcp.conftest import STARTED_GROUPS
from tests.helpers.pb_fakes import fake_env, make_checkout, ran

COLLECTION = "nba_console_locks"
TTL_S = 600.0


def owner(user: str, run_id: str, ttl_s: float = TTL_S, now: datetime | None = None) -> dict:
    base = {
        "user": user,
        "host": f"{user}-laptop",
        "pid": 4242,
        "run_id": run_id,
        "playbook": "rollback-grading-orchestration",
    }
    return make_owner(base, ttl_s, now=now)


@pytest.fixture
def fs(firestore_client, firestore_emulator):
    STARTED_GROUPS["firestore"] = firestore_emulator.pgid
    return firestore_client


@pytest.fixture
def other_client(fs, firestore_emulator):
    """A second official client: the other operator's console, with its own channel."""
    client = emu_fs.make_client(firestore_emulator.address, project=TEST_PROJECT)
    yield client
    client.close()


def lock_doc(client) -> dict | None:
    snap = client.collection(COLLECTION).document(FirestoreLock.DOC_ID).get()
    return snap.to_dict() if snap.exists else None


def test_first_acquire_writes_the_document_with_owner_and_expiry(fs):
    alice = owner("alice", "run-a")
    FirestoreLock(fs, COLLECTION).acquire(alice)
    doc = lock_doc(fs)
    assert doc == alice
    expires = datetime.fromisoformat(doc["expires_at"])
    acquired = datetime.fromisoformat(doc["acquired_at"])
    assert expires - acquired == timedelta(seconds=TTL_S)


def test_a_second_operator_is_refused_with_the_owner_named(fs, other_client):
    alice = owner("alice", "run-a")
    FirestoreLock(fs, COLLECTION).acquire(alice)
    with pytest.raises(LockHeld) as refused:
        FirestoreLock(other_client, COLLECTION).acquire(owner("bob", "run-b"))
    message = str(refused.value)
    assert "alice" in message and "alice-laptop" in message and "run-a" in message
    assert lock_doc(fs) == alice  # untouched by the refusal


def test_release_deletes_only_the_owners_document(fs, other_client):
    alice = owner("alice", "run-a")
    mine, theirs = FirestoreLock(fs, COLLECTION), FirestoreLock(other_client, COLLECTION)
    mine.acquire(alice)
    theirs.release(owner("bob", "run-b"))  # not bob's lock: a no-op
    assert lock_doc(fs) == alice
    mine.release(alice)
    assert lock_doc(fs) is None
    theirs.acquire(owner("bob", "run-b"))  # free again
    assert lock_doc(fs)["user"] == "bob"


def test_an_expired_lock_is_taken_over(fs, other_client):
    stale = owner("alice", "run-a", ttl_s=60, now=datetime.now(UTC) - timedelta(hours=2))
    FirestoreLock(fs, COLLECTION).acquire(stale)
    bob = owner("bob", "run-b")
    FirestoreLock(other_client, COLLECTION).acquire(bob)
    assert lock_doc(fs) == bob
    # Alice's console coming back cannot release or refresh bob's lock with its old run id.
    FirestoreLock(fs, COLLECTION).release(stale)
    with pytest.raises(LockLost, match="lock lost to run-b"):
        FirestoreLock(fs, COLLECTION).refresh(stale)
    assert lock_doc(fs) == bob


def test_the_same_run_reacquires_and_refreshes_its_own_lock(fs):
    lock = FirestoreLock(fs, COLLECTION)
    first = owner("alice", "run-a")
    lock.acquire(first)
    later = owner("alice", "run-a", now=datetime.now(UTC) + timedelta(minutes=5))
    lock.refresh(later)
    assert lock_doc(fs)["expires_at"] == later["expires_at"]
    lock.acquire(later)  # a resumed run of the same id keeps its lock
    assert lock_doc(fs) == later


def _race(clients, owners, lock_factory) -> tuple[list[str], list[str]]:
    """Every client tries at once (a barrier releases them together)."""
    barrier = threading.Barrier(len(clients))
    won, refused, errors = [], [], []

    def attempt(client, who):
        lock = lock_factory(client)
        barrier.wait(timeout=10)
        try:
            lock.acquire(who)
            won.append(who["user"])
        except LockHeld:
            refused.append(who["user"])
        except Exception as exc:  # noqa: BLE001 - reported below, never swallowed
            errors.append(repr(exc))

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, owners, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors and not any(t.is_alive() for t in threads)
    return won, refused


@pytest.fixture
def many_clients(fs, firestore_emulator):
    clients = [emu_fs.make_client(firestore_emulator.address, project=TEST_PROJECT) for _ in range(6)]
    yield clients
    for c in clients:
        c.close()


def test_racing_operators_on_a_free_lock_one_wins(fs, many_clients):
    owners = [owner(f"op{i}", f"run-{i}") for i in range(len(many_clients))]
    won, refused = _race(many_clients, owners, lambda c: FirestoreLock(c, COLLECTION))
    assert len(won) == 1 and len(refused) == len(owners) - 1
    assert lock_doc(fs)["user"] == won[0]


def test_racing_operators_on_an_expired_lock_one_takes_it_over(fs, many_clients):
    FirestoreLock(fs, COLLECTION).acquire(owner("alice", "run-a", ttl_s=60, now=datetime.now(UTC) - timedelta(hours=2)))
    owners = [owner(f"op{i}", f"run-{i}") for i in range(len(many_clients))]
    won, refused = _race(many_clients, owners, lambda c: FirestoreLock(c, COLLECTION))
    assert len(won) == 1 and len(refused) == len(owners) - 1
    assert lock_doc(fs)["user"] == won[0]


class _TakeoverBetweenReadAndWrite:
    """A document reference whose `get()` lets another operator take the lock right after
    the read: the window a read-then-write refresh would fall into."""

    def __init__(self, ref, on_read):
        self._ref, self._on_read = ref, on_read

    def get(self, *a, **kw):
        snap = self._ref.get(*a, **kw)
        on_read, self._on_read = self._on_read, None
        if on_read:
            on_read()
        return snap

    def __getattr__(self, name):
        return getattr(self._ref, name)


@pytest.mark.parametrize("late_call", ["refresh", "release"])
def test_a_late_run_never_touches_a_lock_taken_over_meanwhile(fs, other_client, late_call):
    stale = owner("alice", "run-a", ttl_s=60, now=datetime.now(UTC) - timedelta(hours=2))
    lock = FirestoreLock(fs, COLLECTION)
    lock.acquire(stale)
    bob = owner("bob", "run-b")
    lock.ref = _TakeoverBetweenReadAndWrite(lock.ref, lambda: FirestoreLock(other_client, COLLECTION).acquire(bob))
    if late_call == "refresh":  # alice's run wakes up after its lock expired: told, not extended
        with pytest.raises(LockLost, match="lock lost to run-b"):
            lock.refresh(owner("alice", "run-a"))
    else:
        lock.release(owner("alice", "run-a"))
    assert lock_doc(fs) == bob


def test_lazy_lock_turns_an_unreachable_firestore_into_a_refusal(fs):
    def broken():
        raise RuntimeError("no Application Default Credentials")

    with pytest.raises(LockHeld, match=r"cannot take the Firestore run lock.*Application Default"):
        LazyFirestoreLock(TEST_PROJECT, COLLECTION, client_factory=broken).acquire(owner("alice", "run-a"))
    lazy = LazyFirestoreLock(TEST_PROJECT, COLLECTION, client_factory=lambda: fs)
    alice = owner("alice", "run-a")
    lazy.acquire(alice)
    assert lock_doc(fs) == alice
    lazy.release(alice)
    assert lock_doc(fs) is None


# ------------------------------------------------------------------ the engine


def _yes(**kw) -> Callbacks:
    return Callbacks(confirm=lambda s: True, type_target=lambda s: s.target, **kw)


@pytest.fixture
def gcp_runner_settings(tmp_path, monkeypatch, fs):
    """The gcp executor with a fake gcloud on PATH and the default lock: file + Firestore
    (the emulator, through FIRESTORE_EMULATOR_HOST which the emulator fixture sets)."""
    checkout = make_checkout(tmp_path / "platform")
    fake_env(tmp_path, monkeypatch, FAKE_ENV='{"SEQUENTIAL_EXECUTION_ENABLED": "false"}', FAKE_PROJECT=TEST_PROJECT)
    settings = load_settings(
        backend="gcp",
        project=TEST_PROJECT,
        state_dir=tmp_path / "state",
        data_dir=tmp_path / "data",
        gcp={"platform_checkout": checkout},
    )
    assert settings.playbooks.firestore_lock and settings.playbooks.lock_collection == COLLECTION
    return settings, tmp_path


def test_a_run_is_refused_before_any_step_while_another_operator_holds_the_lock(gcp_runner_settings, fs):
    settings, tmp = gcp_runner_settings
    alice = owner("alice", "run-a")
    FirestoreLock(fs, COLLECTION).acquire(alice)
    events = []
    with pytest.raises(LockHeld, match="alice"):
        Runner(settings, callbacks=_yes(on_event=lambda kind, data: events.append(kind))).run(
            "disable-sequential-execution"
        )
    assert ran(tmp) == []  # not even the pre-flight gcloud calls
    assert events == [] and AuditLog(settings.state_dir).runs() == []
    assert not (settings.state_dir / "playbook.lock").exists()  # the local lock was given back
    assert lock_doc(fs) == alice


def test_a_run_holds_the_document_while_it_runs_and_deletes_it_after(gcp_runner_settings, fs):
    settings, tmp = gcp_runner_settings
    seen = []

    def on_event(kind, data):
        if kind == "step_start":
            seen.append(lock_doc(fs))

    outcome = Runner(settings, callbacks=_yes(on_event=on_event)).run("disable-sequential-execution")
    assert outcome.ok, outcome.message
    assert seen and all(
        doc and doc["run_id"] == outcome.run_id and doc["playbook"] == "disable-sequential-execution" for doc in seen
    )
    assert lock_doc(fs) is None
    assert [
        "gcloud",
        "run",
        "services",
        "update",
        "nba-phase3-analytics-processors",
        "--region=us-west2",
        "--update-env-vars=SEQUENTIAL_EXECUTION_ENABLED=false",
    ] in ran(tmp)


# ------------------------------------------------------------------ issue 10: kill, take over, resume


def test_the_same_run_id_from_another_console_gets_no_pass(fs, other_client):
    """A resumed run is a new owner: while the old lease is fresh it is refused, even
    with the same run id (the document used to hand itself to any console of that run)."""
    alice = owner("alice", "run-a")
    FirestoreLock(fs, COLLECTION).acquire(alice)
    with pytest.raises(LockHeld, match="alice-laptop"):
        FirestoreLock(other_client, COLLECTION).acquire({**owner("alice", "run-a"), "host": "other-laptop"})
    assert lock_doc(fs) == alice


def test_kill_and_resume_on_gcp_with_the_firestore_lock(fs, other_client, tmp_path):
    """The issue's kill case on gcp: the console is SIGKILLed mid-deploy; the Firestore
    document keeps naming the step's process group, no other host takes it over while the
    lease is fresh, the resume refuses until the group is gone, then completes and frees it."""
    import os

    from tests.helpers.playbook_cli import kill_console_mid_deploy, run_cli

    checkout = make_checkout(tmp_path / "platform")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBA_CONSOLE_")}
    env.update(fake_env(tmp_path, FAKE_PROJECT=TEST_PROJECT))
    env.update(
        NBA_CONSOLE_BACKEND="gcp",
        NBA_CONSOLE_PROJECT=TEST_PROJECT,
        NBA_CONSOLE_STATE_DIR=str(tmp_path / "state"),
        NBA_CONSOLE_DATA_DIR=str(tmp_path / "data"),
        NBA_CONSOLE_GCP__PLATFORM_CHECKOUT=str(checkout),
    )
    assert env.get("FIRESTORE_EMULATOR_HOST")
    env, orphan = kill_console_mid_deploy(env, tmp_path, sleep_s="9")
    doc = lock_doc(fs)
    assert doc["step"]["pid"] == orphan and doc["step"]["pgid"] == orphan
    assert "deploy-service.sh prediction-coordinator" in doc["step"]["command"]
    with pytest.raises(LockHeld, match=r"deploy-service\.sh prediction-coordinator"):  # another host, fresh lease
        FirestoreLock(other_client, COLLECTION).acquire(owner("bob", "run-b"))
    [run] = AuditLog(tmp_path / "state").runs()
    res = run_cli(["playbook", "run", "--resume", run.run_id, "--yes"], env)
    assert res.returncode == 2 and f"pid {orphan}" in res.stderr
    res = run_cli(["playbook", "run", "--resume", run.run_id, "--yes", "--wait"], env)
    assert res.returncode == 0, res.stdout + res.stderr
    deploys = [a for a in ran(tmp_path) if a[0] == "./bin/deploy-service.sh"]
    assert len(deploys) == 2  # the killed deploy finished and was re-verified, not run again
    summary = AuditLog(tmp_path / "state").run(run.run_id)
    assert summary.status == "completed" and lock_doc(fs) is None


def test_a_run_whose_firestore_lock_was_taken_over_at_a_prompt_does_not_act(gcp_runner_settings, fs, other_client):
    """The issue's lost-lock case on gcp: while the first step's confirmation waits, another
    operator's console holds the document (the lease had expired). Answering yes stops the
    run with "lock lost to run-b", audited, and nothing is updated."""
    settings, tmp = gcp_runner_settings
    bob = owner("bob", "run-b")

    def confirm(step):
        other_client.collection(COLLECTION).document(FirestoreLock.DOC_ID).set(bob)
        return True

    outcome = Runner(settings, callbacks=Callbacks(confirm=confirm, type_target=lambda s: s.target)).run(
        "disable-sequential-execution"
    )
    when = for_people(bob["acquired_at"], settings.tz, "seconds")  # the configured zone (issue 14)
    assert outcome.status == "lock_lost" and f"lock lost to run-b at {when}" in outcome.message
    assert not [a for a in ran(tmp) if a[1:4] == ["run", "services", "update"]]
    assert lock_doc(fs) == bob
    assert [r.event for r in AuditLog(settings.state_dir).records(outcome.run_id)][-2:] == ["lock_lost", "run_end"]
