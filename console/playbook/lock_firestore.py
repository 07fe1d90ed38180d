"""The gcp run lease in Firestore: one document `{collection}/playbook-run`, the same owner
record as the lease file (run, host, pid, expiry, and the running step's process group).

Created atomically with `create()`; every later write is conditional on the last-update
time that was read (a compare-and-set), so two operators cannot both take over a free
document and a run that lost its lease cannot overwrite or delete the new owner's. Whether
a held document may be taken over is decided by `lock.judge`, as for the file: a lease from
another host is respected until it expires, one from this host also while its step's group
lives. A resumed run with the same run id is a new owner (another pid): it gets no pass.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from console.playbook.lock import LockHeld, LockLost, judge, lost_message, same_owner

CALL_TIMEOUT_S = 10.0  # each Firestore call at most (and gcp.query_timeout_s if shorter); retries inside it


class FirestoreLock:
    DOC_ID = "playbook-run"

    def __init__(
        self,
        client: Any,
        collection: str = "nba_console_locks",
        ttl_s: float = 3600.0,
        tz=None,
        call_timeout_s: float = CALL_TIMEOUT_S,
    ):
        self.client = client
        self.ttl_s, self.tz, self.call_timeout_s = ttl_s, tz, call_timeout_s
        self.ref = client.collection(collection).document(self.DOC_ID)

    def _held(self) -> tuple[Any, dict[str, Any] | None]:
        snap = self.ref.get(timeout=self.call_timeout_s)
        if not snap.exists:
            return snap, None
        data = snap.to_dict()
        return snap, data if isinstance(data, dict) else {}

    def holder(self) -> dict[str, Any] | None:
        """The lock document as stored (who runs what, its step), or None when free."""
        return self._held()[1]

    def acquire(self, owner: dict[str, Any]) -> None:
        from google.api_core.exceptions import AlreadyExists, FailedPrecondition, NotFound

        for _ in range(3):
            try:
                self.ref.create(owner, timeout=self.call_timeout_s)
                return
            except AlreadyExists:
                snap, held = self._held()
                if held is None:
                    continue
                if not same_owner(held, owner):
                    written = getattr(snap, "update_time", None)
                    free, why = judge(held, datetime.now(UTC), written, self.ttl_s, self.tz)
                    if not free:
                        raise LockHeld(why) from None
                try:
                    self._replace_if_unchanged(snap, owner)
                    return
                except (FailedPrecondition, NotFound):
                    continue  # changed hands since our read: look again
        raise LockHeld("the Firestore playbook lock is contended; try again")

    def _replace_if_unchanged(self, snap: Any, owner: dict[str, Any]) -> None:
        """Write `owner` over the document only if it still is the one `snap` read.

        `update()` is the write that takes a last-update-time precondition (`set()` takes
        none); fields the old owner had and this one lacks are deleted, so the document ends
        up equal to `owner`. Owner keys are plain identifiers (no dots, read as paths)."""
        from google.cloud.firestore import DELETE_FIELD

        fields: dict[str, Any] = dict(owner)
        for key in snap.to_dict() or {}:
            fields.setdefault(key, DELETE_FIELD)
        self.ref.update(
            fields, option=self.client.write_option(last_update_time=snap.update_time), timeout=self.call_timeout_s
        )

    def refresh(self, owner: dict[str, Any]) -> None:
        from google.api_core.exceptions import FailedPrecondition, NotFound

        snap, held = self._held()
        if not same_owner(held, owner):
            raise LockLost(lost_message(held, self.tz))
        try:
            self._replace_if_unchanged(snap, owner)
        except (FailedPrecondition, NotFound):
            raise LockLost(lost_message(self._held()[1], self.tz)) from None  # taken over between read and write

    def verify(self, owner: dict[str, Any]) -> None:
        held = self._held()[1]
        if not same_owner(held, owner):
            raise LockLost(lost_message(held, self.tz))

    def release(self, owner: dict[str, Any]) -> None:
        from google.api_core.exceptions import FailedPrecondition, NotFound

        snap, held = self._held()
        if same_owner(held, owner):
            try:
                self.ref.delete(
                    option=self.client.write_option(last_update_time=snap.update_time), timeout=self.call_timeout_s
                )
            except (FailedPrecondition, NotFound):
                pass  # taken over or already gone: never delete another run's lock


class LazyFirestoreLock:
    """Builds the Firestore client only when a run starts, and turns a missing credential
    or an unreachable Firestore into a refusal: no lock, no run."""

    def __init__(
        self,
        project: str,
        collection: str,
        client_factory=None,
        ttl_s: float = 3600.0,
        tz=None,
        call_timeout_s: float = CALL_TIMEOUT_S,
    ):
        self.project, self.collection, self.ttl_s, self.tz = project, collection, ttl_s, tz
        self.call_timeout_s = call_timeout_s
        self.client_factory = client_factory
        self._lock: FirestoreLock | None = None

    def _get(self) -> FirestoreLock:
        if self._lock is None:
            factory = self.client_factory or self._client
            self._lock = FirestoreLock(factory(), self.collection, self.ttl_s, self.tz, self.call_timeout_s)
        return self._lock

    def _client(self) -> Any:
        from google.cloud import firestore  # imported on first use: the local backend never needs it

        return firestore.Client(project=self.project)

    def acquire(self, owner: dict[str, Any]) -> None:
        try:
            self._get().acquire(owner)
        except LockHeld:
            raise
        except Exception as exc:  # credentials, network, permissions
            raise LockHeld(f"cannot take the Firestore run lock: {type(exc).__name__}: {exc}") from exc

    def holder(self) -> dict[str, Any] | None:
        """Who holds the Firestore lock (for the header: issue 26); raises like every read."""
        return self._get().holder()

    def refresh(self, owner: dict[str, Any]) -> None:
        self._call("refresh", owner)

    def verify(self, owner: dict[str, Any]) -> None:
        self._call("verify", owner)

    def _call(self, what: str, owner: dict[str, Any]) -> None:
        if self._lock is None:
            raise LockLost("lock lost: the Firestore lock was never taken")
        try:
            getattr(self._lock, what)(owner)
        except LockLost:
            raise
        except Exception as exc:  # unreachable: cannot prove we hold it
            raise LockLost(f"cannot confirm the Firestore run lock: {type(exc).__name__}: {exc}") from exc

    def release(self, owner: dict[str, Any]) -> None:
        if self._lock is not None:
            try:
                self._lock.release(owner)
            except Exception:  # noqa: BLE001, S110 - it expires; releasing must not hide the run's own outcome
                pass
