"""`watch` on the gcp backend (emulators): the same announcements as on the local backend for
the same moments, and nothing again on a second run."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from console.backends.local_backend import LocalBackend
from console.core.config import NotifyChannel
from console.services.notify import Delivery
from console.services.watch import Watcher

FEB3 = date(2026, 2, 3)
MOMENTS = [datetime(2026, 2, 4, 12, 0, tzinfo=UTC), datetime(2026, 2, 4, 16, 0, tzinfo=UTC)]


class _KeepOpen:
    """The fixture's backend, not closed by each watch run (the fixture closes it)."""

    def __init__(self, backend) -> None:
        self._backend = backend

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def close(self) -> None:
        pass


def announced(watcher: Watcher) -> list[list[tuple[str, str, str]]]:
    return [[(c["check"], c["kind"], c["status"]) for c in watcher.run(at).changes] for at in MOMENTS]


def test_watch_tells_the_same_changes_on_gcp_as_on_local(gcp_backend, demo_settings, tmp_path):
    demo_settings = demo_settings.model_copy(update={"state_dir": tmp_path / "local-state"})  # its own memory
    stdout = NotifyChannel(name="stdout", kind="stdout")
    gcp_out, local_out = io.StringIO(), io.StringIO()
    on_gcp = Watcher(
        gcp_backend.settings,
        [stdout],
        FEB3,
        lambda s: _KeepOpen(gcp_backend),
        delivery=Delivery(gcp_backend.settings, out=gcp_out),
    )
    on_local = Watcher(demo_settings, [stdout], FEB3, LocalBackend, delivery=Delivery(demo_settings, out=local_out))
    got, want = announced(on_gcp), announced(on_local)
    assert got == want and got[0]  # the race and the rest of Feb 3 are told at 07:00 ET
    assert not any(status == "error" for run in got for _c, _k, status in run)
    assert "Sequential execution" in gcp_out.getvalue()
    assert list(on_gcp.run(MOMENTS[-1]).changes) == []  # a second run at the same moment: nothing
