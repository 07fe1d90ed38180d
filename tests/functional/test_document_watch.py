"""On a backend that pushes document changes (Firestore on_snapshot on gcp), the Phase 3 panel
follows them at once; listeners are closed when the date changes and when the app exits."""

from __future__ import annotations

from datetime import UTC, datetime

from console.backends.local_backend import LocalBackend
from console.core.errors import ErrorKind, SourceError
from tests.functional.conftest import FEB3, FEB4, SIZE, settle, until


class Handle:
    def __init__(self, doc_id, changed, failed):
        self.doc_id, self.changed, self.failed, self.closed = doc_id, changed, failed, False

    def unsubscribe(self):
        self.closed = True


class PushingBackend(LocalBackend):
    """The local demo plus a watch_document that tests drive by hand."""

    handles: list[Handle] = []

    def watch_document(self, collection, doc_id, callback, on_error=None):
        assert collection == "phase3_completion"
        handle = Handle(doc_id, callback, on_error)
        PushingBackend.handles.append(handle)
        return handle


async def test_pushed_document_moves_the_panel_without_a_refresh(make_app, demo_settings):
    PushingBackend.handles = []
    slow = demo_settings.model_copy(update={"refresh_seconds": 3600})
    app = make_app(FEB4, settings=slow, backend_factory=PushingBackend)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: PushingBackend.handles)
        handle = PushingBackend.handles[-1]
        assert handle.doc_id == "2026-02-05"
        state = app.states["phase3_completion"]
        assert state.result.value.completed == 5

        # A processor document as Firestore would push it mid-morning: two processors done.
        done = {"status": "success", "completed_at": datetime(2026, 2, 5, 12, 14, tzinfo=UTC)}
        fields = {"TeamOffenseGameSummaryProcessor": done, "TeamDefenseGameSummaryProcessor": done}
        handle.changed(fields)
        await until(pilot, lambda: state.result.value.completed == 2)
        # The app's clock is 11:00 ET, past the 09:00 deadline, on a date with games.
        assert state.display_status == "fail"
        assert state.result.summary == "overdue: 2/5 processors by 09:00 ET"

        handle.failed(SourceError(ErrorKind.PERMISSION, "permission denied: grant roles/datastore.viewer"))
        await until(pilot, lambda: state.display_status == "stale")
        assert "roles/datastore.viewer" in state.error

        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.game_date == FEB3
        await until(pilot, lambda: len(PushingBackend.handles) == 2)
        assert handle.closed and PushingBackend.handles[-1].doc_id == "2026-02-04"
        handle.changed({})  # a late push for the old date must not touch the new one
        await pilot.pause(0.2)
        assert app.states["phase3_completion"].result.value.completed == 5
    assert PushingBackend.handles[-1].closed  # closed on exit
