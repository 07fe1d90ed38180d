"""A JSON array file streamed element by element (console/logs/json_stream.py) gives exactly
what decoding the whole document gives, or says it cannot (then the caller decodes it whole):
never a different value, for any document, chunk size or layout."""

from __future__ import annotations

import io

import orjson
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.logs.json_stream import NotStreamable, iter_objects
from tests.helpers.examples import examples

tricky = st.sampled_from(["}", "},", "}]", "} ,", '\\"},', "{", "[", "]", ",", " ", "x"])
texts = st.lists(st.one_of(tricky, st.text(max_size=8)), max_size=6).map("".join)
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=10,
)
objects = st.dictionaries(texts, values, max_size=4)


def layout(items, style: str) -> bytes:
    if style == "indent":
        return orjson.dumps(items, option=orjson.OPT_INDENT_2)
    if style == "compact":
        return orjson.dumps(items)
    # whitespace of every kind between the elements, as other writers leave it
    return b"\r\n [ \t" + b" ,\n\t".join(orjson.dumps(i) for i in items) + b"\n]\n\n"


@hsettings(max_examples=examples(300), deadline=None)
@given(st.lists(objects, max_size=8), st.sampled_from(["indent", "compact", "loose"]), st.integers(1, 64))
def test_arrays_of_objects_stream_to_the_same_values(items, style, chunk):
    data = layout(items, style)
    assert list(iter_objects(io.BytesIO(data), chunk)) == orjson.loads(data)


@hsettings(max_examples=examples(300), deadline=None)
@given(
    st.binary(max_size=60)
    | st.lists(values, max_size=4).map(orjson.dumps)
    | st.lists(objects, max_size=3).map(lambda i: orjson.dumps(i)[:-1]),
    st.integers(1, 16),
)
def test_anything_else_streams_the_same_or_is_left_to_the_whole_decoder(data, chunk):
    try:
        got = list(iter_objects(io.BytesIO(data), chunk))
    except NotStreamable:
        return
    try:
        whole = orjson.loads(data) if data.strip(b" \t\r\n") else []
    except orjson.JSONDecodeError:
        pytest.fail(f"streamed {got!r} out of invalid JSON {data!r}")
    assert got == whole


def test_whitespace_only_is_no_entries():
    assert list(iter_objects(io.BytesIO(b" \n\t "), 2)) == []
