"""The Firestore listener (on_snapshot, re-established after it dies) and lazy imports."""

from __future__ import annotations

import subprocess
import sys
import time

from google.cloud import firestore

from tests.emulators.fixtures import TEST_PROJECT


def _wait(predicate, timeout=10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_watch_document_sees_changes(gcp_backend, fs_demo):
    seen: list = []
    handle = gcp_backend.watch_document("phase3_completion", "2026-02-06", seen.append, print)
    try:
        assert _wait(lambda: seen == [None])  # no document yet
        writer = firestore.Client(project=TEST_PROJECT)
        doc = writer.collection("phase3_completion").document("2026-02-06")
        doc.set({"TeamOffenseGameSummaryProcessor": {"status": "success", "record_count": 3}})
        assert _wait(lambda: seen and seen[-1] and "TeamOffenseGameSummaryProcessor" in seen[-1])
        doc.delete()
        writer.close()
    finally:
        handle.unsubscribe()
    assert not handle.active


def test_a_listener_closed_for_good_is_re_established(fs_demo):
    """The library closes a listener for good after a non-recoverable error, and says nothing:
    the watch notices (a health check every 0.1 s here) and opens another."""
    from console.backends.gcp_watch import DocumentWatch

    client = firestore.Client(project=TEST_PROJECT)
    doc = client.collection("phase3_completion").document("2026-02-07")
    seen: list = []
    errors: list = []
    listeners: list = []  # every listener the watch opened, as the library returned it

    def open_listener(on_snapshot):
        listeners.append(doc.on_snapshot(on_snapshot))
        return listeners[-1]

    def deliver(snapshots):
        snap = snapshots[0] if snapshots else None
        seen.append(snap.to_dict() if snap is not None and snap.exists else None)

    handle = DocumentWatch(open_listener, deliver, errors.append, initial_backoff_s=0.1, health_check_s=0.1).start()
    try:
        assert _wait(lambda: seen == [None] and handle.active)
        listeners[0].close()  # what the library does after a non-recoverable error (Watch.close)
        assert _wait(lambda: handle.opened == 2 and handle.active)
        assert errors and "re-establishing" in str(errors[0])
        doc.set({"PlayerGameSummaryProcessor": {"status": "success", "record_count": 9}})
        assert _wait(lambda: seen[-1] and "PlayerGameSummaryProcessor" in seen[-1])
        doc.delete()
    finally:
        handle.unsubscribe()
        client.close()
    assert not handle.active


def test_local_backend_and_cli_do_not_import_google_clients(tmp_path):
    code = (
        "import sys, console.cli\n"
        "from console.core.config import Settings\n"
        "from console.backends import open_backend\n"
        "open_backend(Settings(data_dir=sys.argv[1]))\n"
        "console.cli.main(['--data-dir', sys.argv[1], 'check'])\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('google.cloud', 'grpc')))\n"
        "print(bad)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr
