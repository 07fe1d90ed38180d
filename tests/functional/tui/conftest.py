"""TUI fixtures on top of tests/functional/conftest.py: the console with what it tells
recorded, and with refresh timers the test fires by hand."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.fake_timers import FakeTimers
from tests.helpers.recording_app import RecordingApp


@pytest.fixture
def timers() -> FakeTimers:
    return FakeTimers()


@pytest.fixture
def make_recording_app(demo_settings, clock):
    """`make_app`'s twin whose app records every notification (`app.told`, `app.messages()`)."""

    def make(game_date: date | None = None, **kwargs) -> RecordingApp:
        kwargs.setdefault("clock", clock)
        return RecordingApp(kwargs.pop("settings", demo_settings), game_date=game_date, **kwargs)

    return make
