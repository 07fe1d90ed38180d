"""The log screen's filter box: `svc:` matches part of the service name, the regex and `svc:`
are smart-case (all lowercase: any case; an uppercase letter: exact). The byte prefilter must
never change the answer (decode-then-filter is the reference), and the matching must agree
with a plain re-implementation of the rule."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from unittest.mock import patch

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.logs import candidates as logcandidates
from console.logs.parse import entry_from_dict, parse_line, scan_ndjson
from console.logs.query import has_uppercase, parse_filter_text
from tests.helpers.log_exports import encode, raw_entries
from tests.helpers.outcome import outcome

NOW = datetime(2026, 2, 5, 12, tzinfo=UTC)
SERVICE = "nba-phase3-analytics-processors"


def _entry(text="x", service=SERVICE, severity="INFO"):
    return entry_from_dict(
        {
            "timestamp": "2026-02-05T12:00:00Z",
            "severity": severity,
            "textPayload": text,
            "resource": {"labels": {"service_name": service}},
        }
    )


def test_svc_matches_a_prefix_or_substring_of_the_service():
    for text in ("svc:nba-phase3", "svc:phase3", "svc:analytics-pro", f"svc:{SERVICE}"):
        assert parse_filter_text(text, NOW).matches(_entry()), text
    assert not parse_filter_text("svc:grading", NOW).matches(_entry())


def test_smart_case():
    q = parse_filter_text("level 1", NOW)
    assert q.matches(_entry("📋 Level 1: go")) and q.matches(_entry("LEVEL 1"))
    exact = parse_filter_text("Level 1", NOW)  # an uppercase letter: case-sensitive
    assert exact.matches(_entry("📋 Level 1: go")) and not exact.matches(_entry("level 1"))
    assert parse_filter_text("svc:NBA", NOW).matches(_entry(service="NBA-x"))
    assert not parse_filter_text("svc:NBA", NOW).matches(_entry())
    # Escapes such as \S and \W are classes, not uppercase letters.
    assert not has_uppercase(r"level\S+\W\d") and has_uppercase("Level")
    assert parse_filter_text(r"level\s\d", NOW).matches(_entry("Level 2 complete"))


def test_bad_filters_say_why():
    for text, said in (
        ("Level (", "bad regular expression"),
        ("sev:bogus", "unknown severity"),
        ("since:abc", "bad duration"),
    ):
        with pytest.raises(ValueError, match=said):
            parse_filter_text(text, NOW)


def test_gcp_filter_says_the_same():
    q = parse_filter_text("svc:nba-phase3 level 1", NOW)
    assert q.to_filter() == (r'resource.labels.service_name=~"(?i)nba\\-phase3" AND textPayload=~"(?i)level 1"')
    assert parse_filter_text("Level 1", NOW).to_filter() == 'textPayload=~"Level 1"'


def reference(entry, svc: str | None, pattern: str | None) -> bool:
    """The rule written plainly, independent of LogQuery."""
    if svc:
        name = entry.service or ""
        if svc == svc.lower() or not any(c.isupper() for c in re.sub(r"\\.", "", svc)):
            if svc.lower() not in name.lower():
                return False
        elif svc not in name:
            return False
    if pattern:
        flags = 0 if any(c.isupper() for c in re.sub(r"\\.", "", pattern)) else re.IGNORECASE
        return re.search(pattern, entry.text, flags) is not None
    return True


services = st.sampled_from(["phase3", "nba-phase3", "PHASE3", "Phase3", "grading", "kelvin", "ı", "K"])
patterns = st.sampled_from(
    ["level 1", "Level 1", "LEVEL", "level \\d", r"\Slevel", "dependencyfailureerror", "starting", "k", "ß", "İ", "a|b"]
)
service_names = st.sampled_from(
    [SERVICE, "NBA-PHASE3-analytics", "phase3-to-grading", "Grading", "\u212aelvin", "kelvin", "ıİ", ""]
)
texts = st.sampled_from(
    [
        "📋 Level 1: go",
        "LEVEL 1 complete",
        "level 2",
        "DependencyFailureError: x",
        "Starting X",
        "\u212a",
        "ß STRASSE",
        "i̇stanbul",
        "plain",
    ]
)


@st.composite
def entries(draw):
    raw = draw(raw_entries())
    raw["resource"] = {"labels": {"service_name": draw(service_names)}}
    if draw(st.booleans()):
        raw["textPayload"] = draw(st.one_of(texts, st.text(max_size=20)))
    return raw


@pytest.mark.parametrize("anchor_rate", [-1.0, float("inf")])
@given(
    st.lists(st.tuples(entries(), st.integers(0, 1)), max_size=12),
    st.one_of(st.none(), services),
    st.one_of(st.none(), patterns),
)
def test_prefilter_and_matching_agree_with_decode_then_reference(anchor_rate, raws, svc, pattern):
    text = " ".join(part for part in (f"svc:{svc}" if svc else None, pattern) if part)
    query = parse_filter_text(text, NOW)
    data = b"\n".join([encode(r, style) for r, style in raws] + [b"{not json", b""])
    decoded = [e for e in (parse_line(line) for line in data.split(b"\n")) if e is not None]
    expected = [e for e in decoded if reference(e, svc, pattern)]
    assert [e for e in decoded if query.matches(e)] == expected
    with patch.object(logcandidates, "_MAX_ANCHOR_RATE", anchor_rate):
        got = list(scan_ndjson(data, query))
    assert [(e.insert_id, e.text, e.service) for e in got] == [(e.insert_id, e.text, e.service) for e in expected]


@given(st.text(max_size=30))
def test_any_filter_text_parses_or_says_why(text):
    query = outcome(lambda: parse_filter_text(text, NOW), ValueError)
    if isinstance(query, ValueError):
        assert str(query)
    else:
        query.matches(_entry("Level 1"))
        query.raw_may_match(orjson.dumps({"textPayload": text}))
