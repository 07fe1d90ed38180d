"""Fuzzing `nba-console local load` with mutations of the demo's scenario directory.

For every case: no traceback (main() returns), exit 0 or 2, a refusal names the file, and a
refusal changed nothing: the data directory is byte for byte the same and `check --json`
prints the same report. An accepted mutation is checked to keep `check` running (exit 0, 1
or 2), then the base data is loaded back for the next case.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.helpers.examples import examples
from tests.helpers.fuzz_support import CHECK_AT, fingerprint, run_cli, small_demo_scenario

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))  # FUZZ_EXAMPLES=500 for a longer run

ODD_TIMESTAMPS = [
    "2026-W06-3",
    "20260203T115233Z",
    "2026-02-03X11:52:33Z",
    "2026-02-03T11",
    "2026-02-03T11:52:33,5Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-02-03T11:52:33",
    "2026-02-30T00:00:00Z",
    "2026-02-03T24:00:00Z",
    "2026-02-03t11:52:33z",
    "2026-02-03T11:52:60Z",
    "2026-02-03T11:52:33+24:00",
    "2026-02-03T11:52:33.1234567890Z",
    "+2026-02-03T11:52:33Z",
    "12026-02-03T11:52:33Z",
    "",
    " ",
    "2026-02-03T11:52:33.123456789+05:30",
    "1900-01-01",
    "9999-12-31",
    "0000-01-01",
]
HUGE_NUMBERS = [2**63, 2**63 - 1, 2**64 - 1, -(2**63), -(2**63) - 1, 10**30, 1e308, -1e308, 5e-324, 0.1]
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(HUGE_NUMBERS),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(ODD_TIMESTAMPS),
    st.text(max_size=20),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz-scenario")
    base = small_demo_scenario(root / "base")
    data = root / "data"
    assert run_cli(["--data-dir", str(data), "local", "load", str(base)]).code == 0
    check = run_cli(["--data-dir", str(data), "check", "--json", *CHECK_AT])
    assert check.code in (0, 1) and check.out
    return {"root": root, "base": base, "data": data, "check": check.out, "n": 0}


def _files(scenario: Path) -> list[Path]:
    return sorted(p for p in scenario.rglob("*") if p.is_file())


def _mutate_json_text(data: bytes, draw) -> bytes:
    """Retype one value, or add a duplicate key, in one JSON object (a line, or the document)."""
    lines = data.split(b"\n")
    candidates = [i for i, line in enumerate(lines) if line.strip().startswith(b"{") and line.strip().endswith(b"}")]
    if candidates:  # NDJSON: one line
        i = draw(st.sampled_from(candidates))
        lines[i] = _mutate_object_bytes(lines[i], draw)
        return b"\n".join(lines)
    return _mutate_object_bytes(data, draw)


def _mutate_object_bytes(text: bytes, draw) -> bytes:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return text[: len(text) // 2]
    holder, key = _pick_leaf(value, draw)
    new = draw(json_value)
    if holder is None:
        value = new
    elif draw(st.booleans()) and isinstance(holder, dict):  # a duplicate key: textual, JSON cannot say it
        encoded = _dumps(value)
        dup = _dumps({key: new})[1:-1]
        return encoded.replace(b"{", b"{" + dup + b",", 1) if encoded.startswith(b"{") else encoded
    else:
        holder[key] = new
    return _dumps(value)


def _dumps(value) -> bytes:
    # json, not orjson: integers past 64 bits are part of what is fuzzed.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


def _pick_leaf(value, draw):
    holder, key = None, None
    for _ in range(4):
        if isinstance(value, dict) and value:
            k = draw(st.sampled_from(sorted(value)))
            holder, key, value = value, k, value[k]
        elif isinstance(value, list) and value:
            k = draw(st.integers(0, len(value) - 1))
            holder, key, value = value, k, value[k]
        else:
            break
    return holder, key


KINDS = [
    "truncate",
    "retype",
    "retype",
    "retype",
    "bad_utf8",
    "shape",
    "directory",
    "dangling_symlink",
    "outside_symlink",
    "fifo",
    "empty",
    "huge_line",
]


def mutate(scenario: Path, draw) -> str:
    """Damage one file of a scenario directory; returns what was done."""
    kind = draw(st.sampled_from(KINDS))
    files = _files(scenario)
    target = files[draw(st.integers(0, len(files) - 1))]
    cut = draw(st.floats(0, 1))
    data = target.read_bytes()
    if kind == "truncate":
        target.write_bytes(data[: int(len(data) * cut)])
    elif kind == "retype":
        target.write_bytes(_mutate_json_text(data, draw))
    elif kind == "bad_utf8":
        at = int(len(data) * cut)
        target.write_bytes(data[:at] + b"\xff\xfe\xc3" + data[at:])
    elif kind == "shape":
        target.write_bytes(draw(st.sampled_from([b"[]", b"1", b'"x"', b"null", b"{}", b"[{}]", b"[[]]", b'{"a":'])))
    elif kind == "directory":
        target.unlink()
        target.mkdir()
    elif kind == "dangling_symlink":
        target.unlink()
        target.symlink_to(scenario / "nowhere")
    elif kind == "outside_symlink":
        target.unlink()
        target.symlink_to(draw(st.sampled_from(["/dev/zero", "/etc/hostname", "/"])))
    elif kind == "fifo":
        target.unlink()
        os.mkfifo(target)
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind == "huge_line":
        target.write_bytes(data + b'{"x": "' + b"a" * 100_000 + b'"}\n')
    return f"{kind} {target.relative_to(scenario)}"


@settings(
    max_examples=examples(EXAMPLES),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.slow
@given(draw=st.data())
def test_a_mutated_scenario_is_refused_cleanly_or_loaded(fuzz_world, draw):
    world = fuzz_world
    world["n"] += 1
    scenario = world["root"] / f"case-{world['n']}" / "base"
    shutil.copytree(world["base"], scenario, symlinks=True)
    what = mutate(scenario, draw.draw)
    data = world["data"]
    before = fingerprint(data)
    load = run_cli(["--data-dir", str(data), "local", "load", str(scenario)])
    assert "Traceback" not in load.err + load.out, what
    assert load.code in (0, 2), (what, load.err)
    event(f"{what.split()[0]}: {'refused' if load.code else 'loaded'}")
    if load.code == 2:
        message = load.err.strip()
        assert len(message.splitlines()) == 1, (what, message)
        assert "base/" in message or str(scenario) in message, (what, message)
        assert fingerprint(data) == before, what
        check = run_cli(["--data-dir", str(data), "check", "--json", *CHECK_AT])
        assert check.out == world["check"], what
    else:
        check = run_cli(["--data-dir", str(data), "check", "--json", *CHECK_AT])
        assert check.code in (0, 1, 2) and "Traceback" not in check.err, what
        assert run_cli(["--data-dir", str(data), "local", "load", str(world["base"])]).code == 0
    shutil.rmtree(scenario.parent)
