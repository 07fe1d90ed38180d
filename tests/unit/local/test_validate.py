"""Issue 13: the block-at-a-time table check (validate_rows_fast) never accepts a line the
row-by-row check refuses, and accepts the ordinary valid file (so loads take the fast path)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core.errors import ScenarioError
from console.core.schema import BY_LOGICAL
from console.local.validate import _column_plan, _Reader, _validate_table_rows, validate_rows_fast
from tests.helpers.examples import examples

SPEC = BY_LOGICAL["player_game_summary"]
PLAN = _column_plan(SPEC)
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

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(1 << 70), max_value=1 << 70),
    st.floats(allow_nan=False),
    st.sampled_from(
        [
            "2026-03-01",
            "2026-3-1",
            "1899-12-31",
            "3000-01-01",
            "2026-02-30",
            "2026-03-01T00:00:00Z",
            "2026-03-02T12:00:00+01:00",
            "2026-03-02T12:00:00",
            "2026-03-02 12:00:00Z",
            "",
            "PHX",
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:00:00+01:00",
        ]
    ),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
)
KEYS = st.sampled_from([c.name for c in SPEC.columns] + ["unknown", "Points"])


def _encode(row: dict, spacing: str, duplicate: str | None) -> bytes:
    text = json.dumps(row, separators=(",", spacing))
    if duplicate is not None and row:
        text = text[:-1] + f',"{duplicate}":null}}' if len(row) else text
    return text.encode() + b"\n"


LINE = st.builds(
    _encode,
    st.one_of(
        st.just(GOOD),
        st.builds(
            lambda changes, drop: {k: v for k, v in {**GOOD, **changes}.items() if k not in drop},
            st.dictionaries(KEYS, VALUES, max_size=3),
            st.sets(KEYS, max_size=2),
        ),
    ),
    st.sampled_from([":", ": ", " :"]),
    st.one_of(st.none(), KEYS),
) | st.sampled_from([b"\n", b"  \n", b"[]\n", b"{}\n", b'{"game_date": "2026-03-01"} {}\n', b"nul\n", b"1\n"])


def _slow_accepts(tmp_path, data: bytes) -> bool:
    path = tmp_path / "t.ndjson"
    path.write_bytes(data)
    try:
        _validate_table_rows(_Reader(tmp_path, 1 << 30, None), path, SPEC)
        return True
    except ScenarioError:
        return False


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(LINE, max_size=6))
def test_fast_never_accepts_what_the_row_check_refuses(tmp_path, lines):
    fast = validate_rows_fast([line for line in lines if not line.isspace()], PLAN)
    if fast is not None:
        assert _slow_accepts(tmp_path, b"".join(lines))
        assert fast == sum(1 for line in lines if not line.isspace())


def test_ordinary_valid_rows_take_the_fast_path():
    lines = [
        json.dumps({**GOOD, "points": i, "usage_rate": None}, separators=(",", ":")).encode() + b"\n"
        for i in range(100)
    ]
    assert validate_rows_fast(lines, PLAN) == 100
    assert validate_rows_fast([], PLAN) == 0
