"""`nba-console logs search` agrees with decode-then-filter on any export: every line decoded
(orjson + entry_from_dict), `LogQuery.matches` applied, the matches put in time order. For
`--json` (the lines unchanged), `--count` and the printed lines, over generated exports with
every severity spelling the parser accepts (escaped keys and values, any case, dotless i,
nested and duplicate keys, truncated lines), timestamps in any order, as NDJSON and as JSON
arrays."""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.cli import main
from console.logs.parse import entry_from_dict, parse_line
from console.logs.plain_line import plain_text
from console.logs.query import SEVERITIES, LogQuery
from tests.helpers.log_exports import exports, raw_entries, services

FLOORS = [s for s in SEVERITIES if s != "DEFAULT"]
ZONE = "America/New_York"


def run(argv: list[str]) -> tuple[int, bytes]:
    """The command's exit code and what it wrote on stdout."""
    out = io.BytesIO()
    saved, wrapper = sys.stdout, io.TextIOWrapper(out, encoding="utf-8")
    sys.stdout = wrapper
    try:
        code = main(argv)
        wrapper.flush()
    finally:
        sys.stdout = saved
        wrapper.detach()  # leaves `out` open
    return code, out.getvalue()


def lines_of(out: bytes) -> list[bytes]:
    """NDJSON lines as written (`splitlines` would also cut at a \r inside one)."""
    return out.split(b"\n")[:-1]


def reference(lines: list[bytes], query: LogQuery) -> list[tuple[bytes, object]]:
    """(line, entry) of the matches in the search's time order: file order when the matches'
    times ascend, backwards when they descend (gcloud's newest first), else sorted (stable)."""
    kept = []
    for line in lines:
        entry = parse_line(line)
        if entry is not None and query.matches(entry):
            kept.append((line, entry))
    times = [e.timestamp for _, e in kept]
    if all(a <= b for a, b in pairwise(times)):
        return kept
    if all(a >= b for a, b in pairwise(times)):
        return kept[::-1]
    return sorted(kept, key=lambda pair: pair[1].timestamp)


queries = st.builds(
    LogQuery,
    service=st.one_of(st.none(), services.filter(bool)),
    severity=st.one_of(st.none(), st.sampled_from(FLOORS)),
    patterns=st.one_of(st.just(()), st.tuples(st.sampled_from(["Level 1", "level", "Level [12]", "m1", "x"]))),
)


def flags(query: LogQuery) -> list[str]:
    out = []
    if query.service:
        out += ["--service", query.service]
    if query.severity:
        out += ["--severity", query.severity]
    for p in query.patterns:
        out += ["--grep", p]
    return out


@st.composite
def timed_exports(draw) -> list[bytes]:
    """Lines of the severity strategy, each with a timestamp drawn from a few (ties, any order)."""
    lines = draw(exports()).split(b"\n")
    out = []
    for i, line in enumerate(lines):
        second = draw(st.integers(0, 5))
        out.append(line.replace(b"12:00:%02d" % (i % 60), b"12:00:%02d" % second, 1))
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=timed_exports(), query=queries)
def test_search_json_count_and_lines_are_decode_then_filter(tmp_path_factory, lines, query):
    path = tmp_path_factory.mktemp("export") / "export.ndjson"
    path.write_bytes(b"\n".join(lines))
    expected = reference(lines, query)
    base = ["logs", "search", str(path), *flags(query)]
    code, out = run([*base, "--json"])
    assert code in (0, 1, 2)
    if code == 2:  # a file none of whose lines is an entry: not a log, said on stderr
        assert not any(parse_line(line) for line in lines)
        return
    assert lines_of(out) == [line for line, _ in expected]
    assert code == (0 if expected else 1)
    code, out = run([*base, "--count"])
    assert int(out) == len(expected)
    code, out = run(base)  # as `tail` prints them, in the configured zone (ET by default)
    assert out.decode().split("\n")[:-1] == [plain_text(e, ZoneInfo(ZONE)) for _, e in expected]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raws=st.lists(raw_entries(), max_size=12),
    query=queries,
    newest_first=st.booleans(),
    indent=st.booleans(),
)
def test_a_json_array_is_searched_as_its_entries(tmp_path_factory, raws, query, newest_first, indent):
    """gcloud's `--format=json` (indented, newest first): each element an entry, NDJSON out."""
    items = sorted(raws, key=lambda r: str(r.get("timestamp")), reverse=newest_first)
    path = tmp_path_factory.mktemp("export") / "export.json"
    path.write_bytes(orjson.dumps(items, option=orjson.OPT_INDENT_2 if indent else 0))
    entries = [e for e in (entry_from_dict(r) for r in items) if e is not None and query.matches(e)]
    lines = [orjson.dumps(r) for r in items if (e := entry_from_dict(r)) is not None and query.matches(e)]
    expected = reference(lines, query)
    code, out = run(["logs", "search", str(path), "--json", *flags(query)])
    assert code == (0 if entries else 1)
    assert lines_of(out) == [line for line, _ in expected]


def test_files_are_merged_by_time_and_a_newest_first_file_is_read_backwards(tmp_path):
    def entry(second: int, text: str) -> dict:
        return {"timestamp": f"2026-02-05T12:00:{second:02d}Z", "severity": "ERROR", "textPayload": text}

    (tmp_path / "a.json").write_bytes(orjson.dumps([entry(5, "a5"), entry(3, "a3"), entry(1, "a1")]))
    (tmp_path / "b.ndjson").write_bytes(b"\n".join(orjson.dumps(entry(s, f"b{s}")) for s in (2, 4, 6)))
    code, out = run(["logs", "search", str(tmp_path), "--json"])
    assert code == 0
    assert [orjson.loads(line)["textPayload"] for line in out.splitlines()] == ["a1", "b2", "a3", "b4", "a5", "b6"]


def test_since_and_until_bound_the_time(tmp_path):
    path = tmp_path / "x.ndjson"
    path.write_bytes(
        b"\n".join(orjson.dumps({"timestamp": f"2026-02-05T12:00:{s:02d}Z", "textPayload": f"t{s}"}) for s in range(10))
    )
    code, out = run(
        ["logs", "search", str(path), "--json", "--since", "2026-02-05T12:00:03Z", "--until", "2026-02-05T07:00:05"]
    )  # the second without an offset: the configured zone (ET by default)
    assert code == 0 and [orjson.loads(x)["textPayload"] for x in out.splitlines()] == ["t3", "t4", "t5"]
    assert datetime(2026, 2, 5, 12, tzinfo=UTC)  # the export's own day, for the reader


@pytest.mark.parametrize("bad", ["yesterday", "2026-02-30", "5 minutes"])
def test_a_bad_moment_is_one_line_and_exit_2(tmp_path, capsys, bad):
    path = tmp_path / "x.ndjson"
    path.write_bytes(b'{"timestamp":"2026-02-05T12:00:00Z"}\n')
    code = main(["logs", "search", str(path), "--since", bad])
    err = capsys.readouterr().err
    assert code == 2 and "is not a moment" in err and len(err.splitlines()) == 1
