"""Searching a big export in parts (console/logs/forked_parts.py): the parts cover the file on
line boundaries, the candidates of the parts are the candidates of the whole, and the answers
are the one-process answers, in part order, whether the children answer, fail or are never
forked."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.logs import forked_parts, severity_scan
from console.logs.query import SEVERITIES, LogQuery
from tests.helpers.log_exports import decoded_then_filtered, exports

ROOT = Path(__file__).resolve().parents[3]
FLOORS = [s for s in SEVERITIES if s != "DEFAULT"]
needs_hyperscan = pytest.mark.skipif(not severity_scan.available(), reason="hyperscan has no wheel here")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")), max_size=30), st.booleans(), st.integers(1, 9)
)
def test_parts_cover_the_data_in_order_and_cut_only_after_a_newline(lines, final_newline, n):
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    ranges = forked_parts.parts(data, n)
    assert 1 <= len(ranges) <= n
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    for (_, stop), (start, _) in itertools.pairwise(ranges):
        assert stop == start and data[stop - 1 : stop] == b"\n"
    assert all(a < b for a, b in ranges) or data == b""


@pytest.mark.slow
@needs_hyperscan
@settings(max_examples=150, deadline=None)
@given(exports(), st.sampled_from(FLOORS), st.integers(1, 6))
def test_candidates_of_the_parts_are_the_candidates_of_the_whole(data, floor, n):
    names = LogQuery(severity=floor).severity_names
    whole = severity_scan.line_bounds(data, names)
    in_parts = [
        b for start, stop in forked_parts.parts(data, n) for b in severity_scan.line_bounds(data, names, start, stop)
    ]
    assert in_parts == whole


def test_without_fork_every_part_is_searched_here_in_order(monkeypatch):
    data = b"a\n" * 100
    seen = []

    def count_part(start, stop):
        seen.append((start, stop))
        return data[start:stop].count(b"a")

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # another thread alive: forking is not safe
    other.start()
    try:
        assert sum(forked_parts.run(data, count_part, workers=4, min_part=10)) == 100
    finally:
        stop.set()
        other.join()
    assert seen == forked_parts.parts(data, 4)


def _in_a_fresh_interpreter(code: str) -> str:
    """Forking is only done by a process running one thread; pytest's may run more."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_children_answer_for_their_parts_and_a_failed_childs_part_is_searched_here():
    out = _in_a_fresh_interpreter("""
        import os
        from console.logs import forked_parts
        data = b"a\\nb\\n" * 5000
        parent = os.getpid()
        here = []

        def count_part(start, stop):
            if os.getpid() == parent:
                here.append(start)
            elif start == forked_parts.parts(data, 4)[2][0]:
                raise RuntimeError("this child fails")
            elif start == forked_parts.parts(data, 4)[3][0]:
                os._exit(0)  # answers nothing
            return data[start:stop].count(b"a")

        answers = forked_parts.run(data, count_part, workers=4, min_part=100)
        ranges = forked_parts.parts(data, 4)
        print(sum(answers), len(ranges), here == [ranges[0][0], ranges[2][0], ranges[3][0]], len(answers))
    """)
    assert out.split() == ["5000", "4", "True", "4"]


@pytest.mark.slow
@needs_hyperscan
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
@settings(max_examples=20, deadline=None)
@given(exports(), st.sampled_from(FLOORS))
def test_search_in_forked_parts_is_decode_then_filter(tmp_path_factory, data, floor):
    path = tmp_path_factory.mktemp("export") / "export.ndjson"
    path.write_bytes((data + b"\n") * 20)  # enough lines for several parts
    out = _in_a_fresh_interpreter(f"""
        from console.logs import forked_parts, search
        from console.logs.query import LogQuery
        forked_parts.MIN_PART = 1
        forked_parts.cores = lambda: 3
        query = LogQuery(severity={floor!r})
        try:
            n = search.count([{str(path)!r}], query)[0]
            files = search.find([{str(path)!r}], query)
            ids = [e.insert_id for e in search.entries(files)]
        except search.SearchError:  # not a log
            n, ids = 0, []
        print(n, ",".join(ids))
    """)
    expected = decoded_then_filtered((data + b"\n") * 20, LogQuery(severity=floor))
    count, _, ids = out.strip().partition(" ")
    assert int(count) == len(expected)
    assert sorted(filter(None, ids.split(","))) == sorted(expected)  # the time order: test_log_search.py
