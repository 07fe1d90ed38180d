"""The console's remembered state (the theme): written atomically, an unreadable file ignored with a note."""

from __future__ import annotations

import os

from console.services import ui_state


def test_theme_round_trip(demo_settings):
    assert ui_state.load(demo_settings) == ui_state.Loaded()  # no file yet: nothing, no note
    assert ui_state.save_theme(demo_settings, "nord") is None
    assert ui_state.load(demo_settings).theme == "nord"
    assert not [p for p in ui_state.state_path(demo_settings).parent.iterdir() if p.name.endswith(".tmp")]


def test_unreadable_files_are_ignored_with_a_note(demo_settings):
    path = ui_state.state_path(demo_settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    for content in (b"{not json", b"[1, 2]", b'{"theme": 42}', b"\xff\xfe"):
        path.write_bytes(content)
        loaded = ui_state.load(demo_settings)
        assert loaded.theme is None, content
        if content != b"[1, 2]":
            assert loaded.note and str(path) in loaded.note
    path.unlink()
    os.mkfifo(path)  # a FIFO in its place must not block the console
    assert "FIFO" in ui_state.load(demo_settings).note
    path.unlink()
    path.mkdir()  # a directory in its place: the save says why, never raises
    assert "cannot save the theme" in ui_state.save_theme(demo_settings, "nord")
