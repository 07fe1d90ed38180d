"""The local log follower against hostile files (issue 11): truncate-and-regrow within one
poll loses nothing, and a FIFO or a device in the logs folder neither blocks nor floods."""

from __future__ import annotations

import os
import threading

import pytest

from console.backends.local_log_source import FileFollower, LocalLogSource, load_log_file
from console.core.safefile import UnsafeFileError
from tests.helpers.log_lines import line, texts


def test_truncate_and_regrow_past_the_old_size_within_one_poll_loses_nothing(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_bytes(line(1) + line(2))
    f = FileFollower(path)
    assert texts(f.poll()) == ["line 1", "line 2"]
    inode = os.stat(path).st_ino
    with open(path, "r+b") as fh:  # copytruncate, then more written than there was before
        fh.truncate(0)
        fh.write(line(3, "longer than before " * 5) + line(4) + line(5))
    assert os.stat(path).st_ino == inode and os.stat(path).st_size > len(line(1) + line(2))
    assert texts(f.poll()) == ["longer than before " * 5, "line 4", "line 5"]
    assert f.stats.truncations == 1
    with open(path, "ab") as fh:  # and plain growth afterwards is still read once
        fh.write(line(6))
    assert texts(f.poll()) == ["line 6"]


def test_growth_alone_is_not_taken_for_a_rewrite(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_bytes(line(1))
    f = FileFollower(path, from_start=False)
    for i in range(2, 6):
        with open(path, "ab") as fh:
            fh.write(line(i))
        assert texts(f.poll()) == [f"line {i}"]
    assert f.stats.truncations == 0


def _in_thread(func, timeout: float = 10.0):
    """Run func; a call that blocks (a FIFO opened for reading) fails the test instead of hanging it."""
    result: dict = {}

    def target():
        try:
            result["value"] = func()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "blocked"
    if "error" in result:
        raise result["error"]
    return result.get("value")


def test_a_fifo_or_device_in_the_logs_folder_is_reported_not_read(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "good.ndjson").write_bytes(line(1))
    os.mkfifo(logs / "pipe.ndjson")
    (logs / "zero.ndjson").symlink_to("/dev/zero")
    source = LocalLogSource(logs)
    entries = _in_thread(source.poll)
    assert texts(entries) == ["line 1"]
    assert source.error and ("FIFO" in source.error or "character device" in source.error)
    assert _in_thread(source.poll) == []


@pytest.mark.parametrize("kind", ["fifo", "zero", "directory"])
def test_replay_refuses_what_is_not_a_regular_file(tmp_path, kind):
    path = tmp_path / "x.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    with pytest.raises(UnsafeFileError, match="not a regular file"):
        _in_thread(lambda: load_log_file(path))


def test_replay_refuses_a_file_over_the_limit(tmp_path):
    path = tmp_path / "big.ndjson"
    path.write_bytes(line(1) * 1000)
    with pytest.raises(UnsafeFileError, match="over the limit"):
        load_log_file(path, max_bytes=1000)
