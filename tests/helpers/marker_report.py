"""A pytest plugin for tests/unit/test_markers.py: prints each collected test with its markers
(`-p tests.helpers.marker_report --collect-only`)."""

from __future__ import annotations


def pytest_collection_finish(session):
    for item in session.items:
        print("MARKERS", item.nodeid, " ".join(sorted({m.name for m in item.iter_markers()})))
