"""Each load probe of issue 11 ("Why") is refused with one line naming the path (and the line
where there is one), and nothing already loaded changes. Plus the load lock and the
housekeeping of generations."""

from __future__ import annotations

import json
import os
import threading
import time

import filelock
import pytest

from console.core.errors import ScenarioError
from console.local.scenario import LOCK_FILE, SUPERSEDED, current_dir, load_scenario
from tests.helpers.fuzz_support import fingerprint
from tests.helpers.scenarios import write_hand_scenario

PGS = "tables/nba_analytics.player_game_summary.ndjson"
CACHE = "tables/nba_precompute.player_daily_cache.ndjson"
ROW = {
    "game_date": "2026-03-01",
    "game_id": "g",
    "player_lookup": "a",
    "points": 1,
    "processed_at": "2026-03-02T12:00:00Z",
}


def _row(**changes) -> bytes:
    return json.dumps({**ROW, **changes}).encode() + b"\n"  # json: orjson refuses ints over 64 bits


def _write(rel: str, data: bytes):
    def mutate(root):
        (root / rel).write_bytes(data)

    return mutate


def _replace_with(rel: str, make):
    def mutate(root):
        target = root / rel
        target.unlink()
        make(root, target)

    return mutate


TIMESTAMPS = [
    "2026-W06-3",
    "20260203T115233Z",
    "2026-02-03X11:52:33Z",
    "2026-02-03T11",
    "2026-02-03T11:52:33,5Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-02-03T11:52:33",
]

CASES = [
    (
        "duplicate key",
        _write(PGS, b'{"game_date": "2026-03-01", "game_id": "g", "game_id": "h", "player_lookup": "a"}\n'),
        f"{PGS}:1",
        "duplicate key 'game_id'",
    ),
    (
        "duplicate key with spaces",
        _write(PGS, b'{"game_date" : "2026-03-01", "game_id" : "g", "player_lookup": "a", "game_id" : "h"}\n'),
        f"{PGS}:1",
        "duplicate key",
    ),
    ("INT64 2^63", _write(PGS, _row(points=2**63)), f"{PGS}:1", "64-bit integer"),
    ("INT64 2^64-1", _write(PGS, _row() + _row(points=2**64 - 1)), f"{PGS}:2", "64-bit integer"),
    ("INT64 below -2^63", _write(PGS, _row(points=-(2**63) - 1)), f"{PGS}:1", "64-bit integer"),
    *[(f"timestamp {t}", _write(PGS, _row(processed_at=t)), f"{PGS}:1", "RFC 3339") for t in TIMESTAMPS],
    ("date out of range", _write(PGS, _row(game_date="9999-12-31")), f"{PGS}:1", "between 1900-01-01"),
    ("table is a directory", _replace_with(CACHE, lambda r, t: t.mkdir()), CACHE, "a directory"),
    ("table is a dangling symlink", _replace_with(CACHE, lambda r, t: t.symlink_to(r / "gone")), CACHE, "dangling"),
    ("table leaves the folder", _replace_with(CACHE, lambda r, t: t.symlink_to("/etc/hostname")), CACHE, "outside"),
    ("log is a FIFO", _replace_with("logs/tail.ndjson", lambda r, t: os.mkfifo(t)), "logs/tail.ndjson", "FIFO"),
    (
        "log is /dev/zero",
        _replace_with("logs/tail.ndjson", lambda r, t: t.symlink_to("/dev/zero")),
        "logs/tail.ndjson",
        "outside",
    ),
    (
        "log is a directory",
        _replace_with("logs/tail.ndjson", lambda r, t: t.mkdir()),
        "logs/tail.ndjson",
        "a directory",
    ),
    (
        "log timestamp out of UTC",
        _write("logs/tail.ndjson", b'{"timestamp": "0001-01-01T00:00:00+14:00"}\n'),
        "logs/tail.ndjson:1",
        "timestamp",
    ),
    (
        "document is a directory",
        _replace_with("firestore/phase3_completion/2026-03-02.json", lambda r, t: t.mkdir()),
        "firestore/phase3_completion/2026-03-02.json",
        "a directory",
    ),
    (
        "document fields checked by the model",
        _write(
            "firestore/phase3_completion/2026-03-02.json",
            b'{"PlayerGameSummaryProcessor": {"status": 5, "completed_at": "nope"}}',
        ),
        "firestore/phase3_completion/2026-03-02.json",
        "PlayerGameSummaryProcessor: status 5 is not text",
    ),
    (
        "document timestamp out of range",
        _write(
            "firestore/phase3_completion/2026-03-02.json",
            b'{"P": {"status": "success", "completed_at": "0001-01-01T00:00:00+14:00"}}',
        ),
        "firestore/phase3_completion/2026-03-02.json",
        "RFC 3339",
    ),
    (
        "document duplicate key",
        _write("firestore/phase3_completion/2026-03-02.json", b'{"P": {}, "P": {}}'),
        "firestore/phase3_completion/2026-03-02.json",
        "duplicate key",
    ),
    ("deploy.json is a directory", lambda r: (r / "deploy.json").mkdir(), "deploy.json", "a directory"),
    ("deploy.json dangles", lambda r: (r / "deploy.json").symlink_to(r / "nope.json"), "deploy.json", "dangling"),
    (
        "deploy commit time",
        _write("deploy.json", b'{"commits": [{"sha": "a", "time": "2026-W06-3"}]}'),
        "deploy.json",
        "commits.0.time",
    ),
]


@pytest.mark.parametrize(("mutate", "where", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_probe_is_refused_in_one_line_and_nothing_changes(tmp_path, demo_settings, mutate, where, reason):
    root = write_hand_scenario(tmp_path / "s")
    (root / "deploy.json").unlink(missing_ok=True)
    mutate(root)
    before = fingerprint(demo_settings.data_dir)
    with pytest.raises(ScenarioError) as info:
        load_scenario(root, demo_settings)
    message = str(info.value)
    assert f"s/{where}" in message and reason in message and "\n" not in message
    assert fingerprint(demo_settings.data_dir) == before


def test_a_file_over_the_size_limit_is_refused(tmp_path, demo_settings):
    root = write_hand_scenario(tmp_path / "s")
    (root / PGS).write_bytes(_row() * 20_000)  # ~2.5 MB
    small = demo_settings.model_copy(update={"local": demo_settings.local.model_copy(update={"max_file_mb": 1})})
    with pytest.raises(ScenarioError, match=r"player_game_summary.ndjson: .* over the limit of 1 MB"):
        load_scenario(root, small)


def test_a_symlink_inside_the_scenario_is_followed(tmp_path, demo_settings):
    root = write_hand_scenario(tmp_path / "s")
    (root / "spare.ndjson").write_bytes((root / CACHE).read_bytes())
    (root / CACHE).unlink()
    (root / CACHE).symlink_to(root / "spare.ndjson")
    counts = load_scenario(root, demo_settings)
    assert counts[f"s/{CACHE}"] == 2
    assert not (current_dir(demo_settings) / "logs" / "tail.ndjson").is_symlink()  # a copy, not a link


# ------------------------------------------------------------------ lock and generations


def _short_lock(settings, seconds: float):
    return settings.model_copy(update={"local": settings.local.model_copy(update={"lock_timeout_s": seconds})})


def test_a_second_load_is_refused_while_one_runs(tmp_path, demo_settings):
    root = write_hand_scenario(tmp_path / "s")
    settings = _short_lock(demo_settings, 0.2)
    before = current_dir(settings)
    with (
        filelock.FileLock(str(settings.data_dir / LOCK_FILE)),  # another process is loading
        pytest.raises(ScenarioError, match="another load into this data directory is still running"),
    ):
        load_scenario(root, settings)
    assert current_dir(settings) == before


def test_a_second_load_waits_for_the_first(tmp_path, demo_settings):
    root = write_hand_scenario(tmp_path / "s")
    settings = _short_lock(demo_settings, 30)
    lock = filelock.FileLock(str(settings.data_dir / LOCK_FILE), thread_local=False)  # released by a timer thread
    lock.acquire()
    threading.Timer(0.3, lock.release).start()
    started = time.monotonic()
    load_scenario(root, settings)
    assert time.monotonic() - started >= 0.25
    assert (current_dir(settings) / "logs" / "tail.ndjson").exists()


def test_concurrent_loads_are_serialized_and_both_complete(tmp_path, demo_settings):
    roots = [write_hand_scenario(tmp_path / f"s{i}") for i in range(2)]
    errors = []

    def load(root):
        try:
            load_scenario(root, demo_settings)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(r,)) for r in roots]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    gens = [p.name for p in demo_settings.data_dir.glob("gen-*")]
    assert gens == [current_dir(demo_settings).name]  # one generation left, the winner's


def test_abandoned_generations_are_removed_by_the_next_load(tmp_path, demo_settings):
    data = demo_settings.data_dir
    abandoned = data / "gen-20260101T000000-dead00"  # a load killed mid-build
    (abandoned / ".staging" / "tables").mkdir(parents=True)
    (data / ".current-dead00").symlink_to(abandoned.name)  # killed between symlink and replace
    load_scenario(write_hand_scenario(tmp_path / "s"), demo_settings)
    assert not abandoned.exists() and not (data / ".current-dead00").is_symlink()
    assert [p.name for p in data.glob("gen-*")] == [current_dir(demo_settings).name]


def test_the_previous_generation_is_kept_only_as_configured(tmp_path, demo_settings):
    keep = demo_settings.model_copy(update={"local": demo_settings.local.model_copy(update={"keep_previous_s": 3600})})
    first = current_dir(keep)
    load_scenario(write_hand_scenario(tmp_path / "a"), keep)
    assert (first / SUPERSEDED).exists()  # kept for a console still reading it
    second = current_dir(keep)
    os.utime(first / SUPERSEDED, (time.time() - 7200, time.time() - 7200))  # superseded two hours ago
    load_scenario(write_hand_scenario(tmp_path / "b"), keep)
    assert not first.exists() and (second / SUPERSEDED).exists()


def test_should_duckdb_ever_refuse_what_the_validator_let_through_the_refusal_names_file_and_line(
    tmp_path, demo_settings
):
    """The net under the validator: the build maps DuckDB's error back to the file and line."""
    from console.local.scenario import _build_generation

    stage = tmp_path / "stage"
    (stage / "tables").mkdir(parents=True)
    (stage / PGS).write_bytes(
        _row() + b'{"game_date": "2026-03-01", "game_id": "g", "game_id": "h", "player_lookup": "a"}\n'
    )
    (tmp_path / "gen").mkdir()
    with pytest.raises(ScenarioError) as info:
        _build_generation(stage, tmp_path / "gen", demo_settings, "s")
    message = str(info.value)
    assert message.startswith(f"s/{PGS}:2: DuckDB refused it") and "\n" not in message and str(stage) not in message
