"""Issue 13: `local load` lets DuckDB parse a table file (fast_load.py) and falls back to the
row-by-row validator on any doubt. The two must agree exactly: whatever the validator (and
the DuckDB insert after it) refuses is refused with the same message, whatever it accepts is
loaded with the same rows. Compared over generated good and bad files, byte mutations
included, against the load as it was before (validate into a stage, then build from it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core.config import Settings
from console.core.errors import ScenarioError
from console.core.schema import BY_LOGICAL
from console.local import fast_load
from console.local.scenario import DB_FILE, _build_generation, current_dir, load_scenario
from console.local.validate import validate_scenario
from tests.helpers.examples import examples
from tests.helpers.fuzz_support import fingerprint

FILE = "nba_analytics.player_game_summary.ndjson"
TABLE = "nba_analytics.player_game_summary"
SPEC = BY_LOGICAL["player_game_summary"]
GOOD = {
    "game_date": "2026-03-01",
    "game_id": "g",
    "player_lookup": "a",
    "player_name": "A",
    "team_abbr": "PHX",
    "minutes_played": 31.5,
    "points": 12,
    "usage_rate": 22.1,
    "is_dnp": False,
    "processed_at": "2026-03-02T12:00:00Z",
}


def _line(**changes) -> bytes:
    return json.dumps({k: v for k, v in {**GOOD, **changes}.items() if v is not _DROP}).encode() + b"\n"


_DROP = object()


def _load(root: Path, files: dict[str, bytes], fast: bool) -> tuple:
    """("refused", message) or ("loaded", counts, the database file) for a scenario of table files."""
    shutil.rmtree(root, ignore_errors=True)
    src = root / "s"
    (src / "tables").mkdir(parents=True)
    for name, data in files.items():
        (src / "tables" / name).write_bytes(data)
    cfg = Settings(data_dir=root / "d")
    try:
        if fast:
            counts = load_scenario(src, cfg)
            db = current_dir(cfg) / DB_FILE
        else:  # the load before issue 13's fast path: validate into a stage, then build from it
            stage, gen = root / "stage", root / "gen"
            gen.mkdir()
            counts = validate_scenario(src, cfg, stage=stage)
            _build_generation(stage, gen, cfg, src.name)
            db = gen / DB_FILE
    except ScenarioError as exc:
        return ("refused", str(exc))
    return ("loaded", counts, db)


def _rows(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _outcome(root: Path, data: bytes, fast: bool) -> tuple:
    """("refused", message) or ("loaded", counts, rows) for one table file (rows in their order)."""
    outcome = _load(root, {FILE: data}, fast)
    if outcome[0] == "refused":
        return outcome
    return ("loaded", outcome[1], _rows(outcome[2], f"SELECT * FROM {TABLE}"))


def _took_fast_path(root: Path, data: bytes, monkeypatch) -> bool:
    taken = []
    load = fast_load.FastTables.load

    def spy(self, reader, path, spec):
        result = load(self, reader, path, spec)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(fast_load.FastTables, "load", spy)
    _outcome(root, data, fast=True)
    monkeypatch.setattr(fast_load.FastTables, "load", load)
    return taken == [True]


# ------------------------------------------------------------------ what the fast path must not let through

REFUSED = [
    ("unknown key with a null", _line()[:-2] + b',"zz":null}\n'),
    ("unknown key", _line()[:-2] + b',"zz":1}\n'),
    ("trailing comma", _line()[:-2] + b",}\n"),
    ("trailing comma with spaces", _line()[:-2] + b" , }\n"),
    ("NaN", _line(minutes_played=1.5).replace(b"1.5", b"NaN")),
    ("-Infinity", _line(minutes_played=1.5).replace(b"1.5", b"-Infinity")),
    ("1e400", _line(minutes_played=1.5).replace(b"1.5", b"1e400")),
    ("byte order mark", b"\xef\xbb\xbf" + _line()),
    ("vertical tab before an object", b"\x0b" + _line()),
    ("form feed after an object", _line()[:-1] + b"\x0c\n"),
    ("carriage return between objects", _line()[:-1] + b"\r" + _line()),
    ("string where an integer goes", _line(points="12")),
    ("float where an integer goes", _line(points=12.0)),
    ("integer where a string goes", _line(team_abbr=7)),
    ("true where a number goes", _line(usage_rate=True)),
    ("0 where a boolean goes", _line(is_dnp=0)),
    ("timestamp without offset", _line(processed_at="2026-03-02T12:00:00")),
    ("timestamp hour 24", _line(processed_at="2026-03-02T24:00:00Z")),
    ("date out of range", _line(game_date="1899-12-31")),
    ("date not padded", _line(game_date="2026-3-1")),
    ("required column null", _line(game_id=None)),
    ("required column missing", _line(game_id=_DROP)),
    ("INT64 2^63", _line(points=2**63)),
    ("duplicate key", _line()[:-2] + b',"points":3}\n'),
    ("array line", _line() + b"[1]\n"),
    ("nested value", _line(player_name={"a": 1})),
    ("two objects on a line", _line()[:-1] + _line()),
    ("invalid UTF-8", _line(player_name="A").replace(b'"A"', b'"\xff"')),
    ("lone surrogate", _line(player_name="A").replace(b'"A"', b'"\\ud800"')),
]


@pytest.mark.parametrize(("name", "data"), REFUSED, ids=[c[0] for c in REFUSED])
def test_every_refusal_keeps_the_validators_words(tmp_path, name, data):
    before = _outcome(tmp_path / "old", data, fast=False)
    after = _outcome(tmp_path / "new", data, fast=True)
    assert before[0] == "refused", before
    assert after == before


ACCEPTED = [
    ("ordinary rows", _line() + _line(points=30, is_dnp=True)),
    ("nulls and missing nullable columns", _line(usage_rate=None) + _line(usage_rate=_DROP, team_abbr=_DROP)),
    ("colons and commas inside strings", _line(player_name="A: b, c", game_id="1:2,3")),
    ("escapes", _line(player_name='J\u00f6ki\u0107 "x" \\ /')),
    ("spaces as json.dumps writes them", json.dumps(GOOD, separators=(", ", ": ")).encode() + b"\n"),
    ("CRLF and blank lines", b"\r\n  \n" + _line()[:-1] + b"\r\n\t\n"),
    ("offsets and fractions", _line(processed_at="2026-03-02 12:00:00.123456+05:30")),
    ("big float, negative zero", _line(minutes_played=1.7976931348623157e308, usage_rate=-0.0, points=-(2**63))),
    ("empty file", b""),
    (
        "raw UTF-8, slashes and separators, no escape at all",
        json.dumps({**GOOD, "player_name": "a/b\u2028\u2029\x7f\u00e9\U0001f600"}, ensure_ascii=False).encode() + b"\n",
    ),
]


@pytest.mark.parametrize(("name", "data"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_what_the_validator_accepts_loads_the_same_rows(tmp_path, name, data):
    before = _outcome(tmp_path / "old", data, fast=False)
    after = _outcome(tmp_path / "new", data, fast=True)
    assert before[0] == "loaded", before
    assert after == before


def test_ordinary_files_take_the_fast_path(tmp_path, monkeypatch):
    plain = _line() + _line(usage_rate=None, player_name="A: b, c") + _line(team_abbr=_DROP)
    assert _took_fast_path(tmp_path / "a", plain, monkeypatch)
    spaced = json.dumps(GOOD, separators=(", ", ": ")).encode() + b"\n"
    assert _took_fast_path(tmp_path / "b", spaced, monkeypatch)
    assert not _took_fast_path(tmp_path / "c", _line()[:-2] + b',"zz":null}\n', monkeypatch)
    # Not plain: the straight insert stops, the temporary table with the checkers takes it.
    offsets = _line(processed_at="2026-03-02 12:00:00.5+05:30") + _line()
    assert _took_fast_path(tmp_path / "d", offsets, monkeypatch)


def test_a_refused_fast_load_changes_nothing(tmp_path, demo_settings):
    from tests.helpers.scenarios import write_hand_scenario

    load_scenario(write_hand_scenario(tmp_path / "good"), demo_settings)
    before = fingerprint(demo_settings.data_dir)
    bad = write_hand_scenario(tmp_path / "bad")
    (bad / "tables" / FILE).write_bytes(_line() * 50 + _line()[:-2] + b',"zz":null}\n')
    with pytest.raises(ScenarioError, match=f"{FILE}:51: unknown column 'zz'"):
        load_scenario(bad, demo_settings)
    assert fingerprint(demo_settings.data_dir) == before


# ------------------------------------------------------------------ generated files

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(1 << 65), max_value=1 << 65),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "2026-03-01",
            "2026-3-1",
            "1899-12-31",
            "2999-12-31",
            "2026-02-30",
            "2026-03-01T00:00:00Z",
            "2026-03-02T12:00:00+01:00",
            "2026-03-02T12:00:00",
            "2026-03-02 12:00:00Z",
            "",
            "PHX",
            "2026-03-02T12:00:00.1234567Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "a:b,c",
        ]
    ),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=2),
)
KEYS = st.sampled_from([c.name for c in SPEC.columns] + ["unknown", "Points"])
ROW = st.builds(
    lambda changes, drop: {k: v for k, v in {**GOOD, **changes}.items() if k not in drop},
    st.dictionaries(KEYS, VALUES, max_size=3),
    st.sets(KEYS, max_size=2),
)
MUTATIONS = [b"", b"\xef\xbb\xbf", b",}", b"\x0b", b"\x0c", b"\r", b"NaN", b"\\u003a", b'\\"', b' "x": null']


def _encode(rows: list[dict], spacing: tuple[str, str], ascii_only: bool, mutation: bytes, at: int) -> bytes:
    data = b"".join(json.dumps(r, separators=spacing, ensure_ascii=ascii_only).encode() + b"\n" for r in rows)
    if not mutation or not data:
        return data
    at %= len(data)
    if mutation == b",}":
        return data.replace(b"}", b",}", 1)
    if mutation == b"NaN":
        return data.replace(b"31.5", b"NaN", 1)
    if mutation == b"\\u003a":
        return data.replace(b":", b"\\u003a", 2)
    return data[:at] + mutation + data[at:]


FILES = st.builds(
    _encode,
    st.lists(ROW | st.just(GOOD), max_size=5),
    st.sampled_from([(",", ":"), (", ", ": ")]),
    st.booleans(),
    st.sampled_from(MUTATIONS),
    st.integers(min_value=0),
)


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(FILES)
def test_generated_files_load_or_refuse_exactly_as_before(tmp_path, data):
    assert _outcome(tmp_path / "new", data, fast=True) == _outcome(tmp_path / "old", data, fast=False)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
    | st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(Z|z|\+00:00|)\Z")
    | st.text(max_size=24)
)
@pytest.mark.slow
def test_what_sql_calls_surely_valid_the_checkers_accept(value):
    from console.local.fast_load import _SURELY_VALID
    from console.local.validate import _CHECKERS

    con = duckdb.connect()
    text = json.dumps(value)
    for kind in ("DATE", "TIMESTAMP"):
        sure = con.execute(
            f"SELECT {_SURELY_VALID[kind].format(v='v')} FROM (SELECT ?::VARCHAR AS v)", [text]
        ).fetchone()[0]
        assert not sure or _CHECKERS[kind][0](value), (kind, value)
    con.close()


@settings(max_examples=examples(300), deadline=None)
@given(
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
    | st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
    | st.from_regex(
        r"\A(19|2[0-9]|[1-8][0-9])[0-9]{2}-(0[0-9]|1[0-3])-([0-3][0-9])(T(1[0-9]|2[0-4]):[0-6][0-9]:[0-6][0-9]Z)?\Z"
    )
    | st.text(max_size=24)
)
@pytest.mark.slow
def test_what_the_plain_insert_converts_the_checkers_accept(value):
    """The insert straight into the table takes a date or timestamp that matches _PLAIN and
    that DuckDB casts; validate.py's checkers must accept every one of them."""
    import re

    from console.local.fast_load import _PLAIN
    from console.local.validate import _CHECKERS

    con = duckdb.connect()
    text = json.dumps(value)
    for kind, duck in (("DATE", "DATE"), ("TIMESTAMP", "TIMESTAMPTZ")):
        if re.fullmatch(_PLAIN[kind], text) is None:
            continue
        assert con.execute(f"SELECT regexp_full_match(?, '{_PLAIN[kind]}')", [text]).fetchone()[0]
        try:
            con.execute(f"SELECT CAST(CAST(? AS JSON) AS {duck})", [text]).fetchone()
        except duckdb.Error:
            continue  # the statement stops, the validator decides
        assert _CHECKERS[kind][0](value), (kind, value)
    con.close()


def test_a_day_the_month_lacks_and_hour_24_are_refused_as_before(tmp_path):
    for data in (
        _line(game_date="2026-02-30"),
        _line(processed_at="2026-03-02T24:00:00Z"),
        _line(processed_at="2026-02-29T10:00:00Z"),
        _line(game_date="2024-02-29") + _line(game_date="3000-01-01"),
    ):
        before = _outcome(tmp_path / "old", data, fast=False)
        assert before[0] == "refused"
        assert _outcome(tmp_path / "new", data, fast=True) == before


# ------------------------------------------------------------------ several files, loaded side by side

CACHE = "nba_precompute.player_daily_cache.ndjson"
CACHE_ROW = {
    "cache_date": "2026-03-01",
    "player_lookup": "a",
    "player_name": "A",
    "points_avg_last_10": 10.0,
    "games_in_window": 5,
    "created_at": "2026-03-02T13:00:00Z",
}


def _cache(**changes) -> bytes:
    return json.dumps({**CACHE_ROW, **changes}).encode() + b"\n"


def _outcome_of_files(root: Path, files: dict[str, bytes], fast: bool) -> tuple:
    """As _outcome, for a scenario of several table files: ("loaded", counts, rows of every table)."""
    outcome = _load(root, files, fast)
    if outcome[0] == "refused":
        return outcome
    return (
        "loaded",
        outcome[1],
        {name: _rows(outcome[2], f"SELECT * FROM {name[: -len('.ndjson')]} ORDER BY ALL") for name in files},
    )


SEVERAL = [
    ("both plain", {FILE: _line() * 30 + _line(points=3), CACHE: _cache() * 20}),
    (
        "one with offsets (temporary table), one plain",
        {FILE: _line(processed_at="2026-03-02T12:00:00+01:00") * 5, CACHE: _cache() * 5},
    ),
    ("the first refused", {FILE: _line() + _line(points="3"), CACHE: _cache() * 5}),
    ("the second refused", {FILE: _line() * 5, CACHE: _cache() + _cache(games_in_window=1.5)}),
    (
        "both refused: the first in the validator's order is named",
        {FILE: _line() + _line()[:-2] + b',"zz":1}\n', CACHE: _cache(created_at="2026-03-02T25:00:00Z")},
    ),
]


@pytest.mark.parametrize(("name", "files"), SEVERAL, ids=[c[0] for c in SEVERAL])
def test_files_loaded_side_by_side_end_as_one_at_a_time(tmp_path, name, files):
    before = _outcome_of_files(tmp_path / "old", files, fast=False)
    assert _outcome_of_files(tmp_path / "new", files, fast=True) == before


def test_side_by_side_loads_run_on_their_own_cursors(tmp_path, monkeypatch):
    """With two cores or more both files start before the validator asks for the first."""
    monkeypatch.setattr(fast_load.os, "cpu_count", lambda: 2)
    threads = []
    load_on = fast_load.FastTables._load_on

    def spy(self, con, reader, path, spec):
        import threading

        threads.append((path.name, threading.current_thread().name, con is self.con))
        return load_on(self, con, reader, path, spec)

    monkeypatch.setattr(fast_load.FastTables, "_load_on", spy)
    outcome = _outcome_of_files(tmp_path / "new", {FILE: _line() * 3, CACHE: _cache() * 2}, fast=True)
    assert outcome[0] == "loaded"
    assert sorted(name for name, _, _ in threads) == sorted([FILE, CACHE])
    assert all(thread.startswith("fast-load") and not on_main for _, thread, on_main in threads)
