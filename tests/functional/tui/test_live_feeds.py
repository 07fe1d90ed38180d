"""The live feeds (console/tui/live_feeds.py) between refreshes: the sequential panel follows
the analytics log stream and a violation is announced at once; on a backend that pushes
document changes (Firestore on_snapshot on gcp) the Phase 3 panel follows them, and its
listeners are closed when the date changes and when the app exits. And the demo replay's `e`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console.backends.local_backend import LocalBackend
from console.core.clock import DEMO_START, FixedClock
from console.core.errors import ErrorKind, SourceError
from console.core.models import Status
from tests.functional.conftest import FEB3, FEB4, SIZE, settle, until

# ---------------------------------------------------------------- the log stream


async def test_race_is_notified_from_the_stream(make_recording_app):
    app = make_recording_app(FEB3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: any("Sequential violation" in n.message for n in app.told))
        note = next(n for n in app.told if "Sequential violation" in n.message)
        assert note.severity == "error" and "PlayerGameSummaryProcessor" in note.message


async def test_level_lines_move_the_panel_between_refreshes(make_recording_app, demo_settings):
    # 07:10 ET on the demo morning: Level 1 has started, nothing else yet.
    clock = FixedClock(DEMO_START + timedelta(hours=1, minutes=10))
    slow = demo_settings.model_copy(update={"refresh_seconds": 3600})  # no refresh will run again
    app = make_recording_app(FEB4, clock=clock, settings=slow)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        state = app.states["sequential_execution"]
        assert state.result.status is Status.UNKNOWN and "Level 1" in state.result.summary
        clock.advance(timedelta(minutes=50))  # 08:00 ET: both levels done, by the stream alone
        await until(pilot, lambda: state.result.status is Status.OK)
        assert "Level 1 then Level 2" in state.result.summary
        assert not any("Sequential violation" in n.message for n in app.told)


async def test_good_morning_raises_no_alert(make_recording_app):
    app = make_recording_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(0.5)
        assert app.states["sequential_execution"].result.status is Status.OK
        assert not any(n.severity == "error" for n in app.told)


async def test_e_ends_the_demo_replay_and_every_panel_shows_the_finished_morning(make_recording_app, demo_settings):
    from console.core.clock import DEMO_END, ReplayClock

    clock = ReplayClock(DEMO_START + timedelta(minutes=55), speed=1.0, end=DEMO_END)  # 06:55 ET, real time
    app = make_recording_app(FEB4, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.states["grading_coverage"].result.value.graded == 0
        assert app.check_action("replay_end", ()) is True
        await pilot.press("e")
        await settle(pilot)
        await until(pilot, lambda: app.states["sequential_execution"].result.status is Status.OK)
        assert app.states["grading_coverage"].result.value.graded == 743
        assert app.states["phase3_completion"].result.value.completed == 5
        assert app.check_action("replay_end", ()) is False  # nothing left to skip


async def test_e_is_not_offered_on_a_real_or_fixed_clock(make_recording_app):
    app = make_recording_app(FEB4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.check_action("replay_end", ()) is False


# ---------------------------------------------------------------- pushed documents


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
