"""Fuzzing what the console parses besides scenario directories: timestamps (against DuckDB),
log entries, the config loader and the command-line flags. Nothing may raise out of a
parser, every refusal is one line, and nothing accepted can overflow later."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import orjson
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from console.cli.logs_command import format_plain
from console.core.config import ConfigError, load_settings
from console.core.timestamps import MAX_UTC, MIN_UTC, RFC3339, parse_timestamp
from console.logs.parse import MalformedLog, entry_from_dict, parse_json_document, parse_ndjson_lines, scan_ndjson
from tests.helpers.examples import examples
from tests.helpers.fuzz_support import run_cli
from tests.helpers.outcome import outcome

FUZZ = settings(
    max_examples=examples(int(os.environ.get("FUZZ_EXAMPLES", "50")) * 2),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ZONES = [ZoneInfo("America/New_York"), ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Etc/GMT+12"), UTC]
ODD = [
    "2026-W06-3",
    "20260203T115233Z",
    "2026-02-03X11:52:33Z",
    "2026-02-03T11",
    "2026-02-03T11:52:33,5Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-02-03T11:52:33",
    "2026-02-03t11:52:33z",
    "2026-02-03T11:52:33.123456789+05:30",
    "0001-01-02T00:00:00Z",
    "9999-12-30T00:00:00Z",
    "2026-02-03T11:52:33.Z",
    "2026-02-03T11:52:33.1234567890Z",
    "2026-02-03T11:52:33+05:30:00",
    "2026-02-03T11:52:33+0530",
    "2026-02-03T11:52:33+05",
    "2026-02-03T11:52:33.5,5Z",
    "2026-02-03T11:52Z",
    "2026-034T11:52:33Z",
    "2026-W06-3T11:52:33Z",
    "2026-02-03T11:52:33.١Z",
    "2026-02-03T11:5２:33Z",
]


@st.composite
def rfc3339_texts(draw):
    """Well-formed RFC 3339 at any moment Python holds, any offset, 0-9 fraction digits."""
    moment = draw(
        st.datetimes(
            min_value=datetime(1, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds (offset drawn below)
            max_value=datetime(9999, 12, 31, 23, 59, 59),  # noqa: DTZ001 - hypothesis wants naive bounds
        )
    )
    minutes = draw(st.integers(-(24 * 60 - 1), 24 * 60 - 1))
    offset = (
        "Z"
        if minutes == 0 and draw(st.booleans())
        else f"{'+-'[minutes < 0]}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    )
    digits = draw(st.integers(0, 9))
    fraction = "" if digits == 0 else "." + f"{moment.microsecond:06d}{draw(st.integers(0, 999)):03d}"[:digits]
    return f"{moment:%Y-%m-%d}{draw(st.sampled_from('T '))}{moment:%H:%M:%S}{fraction}{offset}"


timestamp_text = st.one_of(
    st.sampled_from(ODD), rfc3339_texts(), st.from_regex(RFC3339, fullmatch=True), st.text(max_size=40)
)


# ------------------------------------------------------------------ timestamps

_DUCK = duckdb.connect()


@FUZZ
@given(st.one_of(rfc3339_texts(), rfc3339_texts(), timestamp_text))
def test_what_the_parser_accepts_is_rfc3339_in_range_and_duckdb_reads_it_the_same(text):
    parsed = parse_timestamp(text)
    event("refused" if parsed is None else "accepted")
    if parsed is None:
        return
    assert RFC3339.fullmatch(text)
    assert MIN_UTC <= parsed <= MAX_UTC and parsed.tzinfo is UTC
    duck = _DUCK.execute("SELECT CAST(? AS TIMESTAMPTZ)", [text]).fetchone()[0]
    assert duck == parsed  # the same instant: the validator and the engine agree
    for zone in ZONES:  # shown in any zone, moved by a day: never an overflow
        (parsed.astimezone(zone) + timedelta(hours=20)) - timedelta(hours=20)


@pytest.mark.parametrize(
    "text",
    [
        "2026-W06-3",
        "20260203T115233Z",
        "2026-02-03X11:52:33Z",
        "2026-02-03T11",
        "2026-02-03T11:52:33,5Z",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "2026-02-03T11:52:33",
        "2026-02-30T10:00:00Z",
        "",
        None,
        5,
        "２０２６-02-03T11:52:33Z",
    ],
)
def test_the_issues_timestamps_are_refused(text):
    assert parse_timestamp(text) is None


def test_datetimes_out_of_range_are_refused_and_in_range_are_utc():
    assert parse_timestamp(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))) is None
    assert parse_timestamp(datetime(9999, 12, 31, 23, tzinfo=UTC)) is None
    moment = parse_timestamp("2026-02-05T06:00:00-05:00")
    assert moment == datetime(2026, 2, 5, 11, tzinfo=UTC) and moment.tzinfo is UTC


# ------------------------------------------------------------------ log entries

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    timestamp_text,
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)
entry_like = st.fixed_dictionaries(
    {},
    optional={
        "timestamp": json_value,
        "receiveTimestamp": json_value,
        "severity": json_value,
        "textPayload": json_value,
        "jsonPayload": json_value,
        "insertId": json_value,
        "resource": st.one_of(
            json_value,
            st.fixed_dictionaries(
                {"labels": st.dictionaries(st.sampled_from(["service_name", "function_name"]), json_value)}
            ),
        ),
    },
)


def _shown_everywhere(entries) -> None:
    for entry in entries:
        assert MIN_UTC <= entry.timestamp <= MAX_UTC
        for zone in ZONES:
            format_plain(entry, zone)


@pytest.mark.slow
@FUZZ
@given(st.lists(st.one_of(entry_like, json_value), max_size=6), st.binary(max_size=40))
def test_the_log_parser_never_raises_and_every_entry_can_be_shown(items, noise):
    lines = [orjson.dumps(item) for item in items] + [noise]
    ndjson = b"\n".join(lines)
    _shown_everywhere(parse_ndjson_lines(ndjson.split(b"\n")))
    _shown_everywhere(scan_ndjson(ndjson))
    _shown_everywhere(parse_json_document(orjson.dumps(items)))
    # A document that is no log at all is refused naming its line, never a crash.
    refused = outcome(lambda: _shown_everywhere(parse_json_document(noise)), MalformedLog)  # a generator
    assert refused is None or str(refused).startswith("line ")
    for item in items:
        entry = entry_from_dict(item)
        if entry is not None:
            _shown_everywhere([entry])


# ------------------------------------------------------------------ config

SECTIONS = {
    "": ["backend", "project", "region", "timezone", "data_dir", "refresh_seconds", "read_only", "grading_due"],
    "thresholds": ["grading_trigger_pct", "coverage_monitor_pct", "dnp_window_days", "usage_rate_max_pct", "bogus"],
    "services": ["analytics", "cloud_run", "functions", "watched_env", "bogus"],
    "log_patterns": ["level_start", "processor_start", "dependency_failure"],
    "logs": ["buffer_entries", "poll_seconds"],
    "local": ["max_file_mb", "lock_timeout_s", "keep_previous_s"],
    "tui": ["theme", "retry_base_seconds"],
    "deadlines": ["grading", "phase3"],
    "keys": ["refresh", "help", "bogus"],
    "watch": ["every", "retry_max_wait_s", "until"],
    "bogus_section": ["x"],
}
toml_scalar = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.booleans(),
    st.text(max_size=15),
    st.sampled_from(
        [
            "--help",
            "$(id)",
            "(",
            "(?P<level>x)",
            "nba-scrapers",
            "",
            "UTC",
            "Level (?P<x>",
            "09:00",
            "ctrl+r",
            "not a key!!",
            "nord",
            "5m",
            "us-west2",
            "mars-1",
        ]
    ),
)
toml_value = st.one_of(toml_scalar, st.lists(toml_scalar, max_size=3))


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if value != value
            else ("inf" if value == float("inf") else "-inf" if value == float("-inf") else repr(value))
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)  # a TOML basic string


@st.composite
def toml_documents(draw):
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=60))  # not TOML at all
    lines = []
    for section in draw(st.lists(st.sampled_from(sorted(SECTIONS)), unique=True, max_size=3)):
        if section:
            lines.append(f"[{section}]")
        keys = draw(st.lists(st.sampled_from(SECTIONS[section]), unique=True, max_size=3))
        lines.extend(f"{key} = {_toml(draw(toml_value))}" for key in keys)
    return "\n".join(lines) + "\n"


@FUZZ
@given(
    toml_documents(),
    st.sampled_from(
        [
            None,
            ("NBA_CONSOLE_REFRESH_SECONDS", "inf"),
            ("NBA_CONSOLE_DATA_DIR", ""),
            ("NBA_CONSOLE_THRESHOLDS", "{"),
            ("NBA_CONSOLE_THRESHOLDS__BOGUS", "1"),
            ("NBA_CONSOLE_SERVICES__CLOUD_RUN", '["--help"]'),
        ]
    ),
)
def test_the_config_loader_loads_or_refuses_in_one_line(tmp_path, text, env):
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    if env:
        os.environ[env[0]] = env[1]
    try:
        settings_ = load_settings(path)
    except ConfigError as exc:
        event("refused")
        message = str(exc)
        assert "\n" not in message.strip() and message
        assert str(path) in message or "$NBA_CONSOLE_" in message or "environment" in message
        return
    finally:
        if env:
            del os.environ[env[0]]
    event("accepted")
    # Accepted: everything in range, so nothing downstream can overflow or misread it.
    assert 1 <= settings_.refresh_seconds <= 86400
    assert settings_.thresholds.coverage_monitor_pct <= settings_.thresholds.grading_trigger_pct
    assert all(not name.startswith("-") for name in settings_.services.cloud_run + settings_.services.functions)
    # issue 24: what is accepted is what was meant (no 900 read as 00:15, no "not a key!!").
    from console.core.config_checks import GCP_REGIONS, THEMES, key_problem

    assert settings_.region in GCP_REGIONS and settings_.tui.theme in THEMES
    assert all(key_problem(k.strip()) is None for keys in settings_.keys.values() for k in keys.split(","))
    # A number read as seconds past midnight would be an aware time (00:15 UTC for 900).
    assert settings_.deadlines.grading.tzinfo is None and settings_.deadlines.phase3.tzinfo is None


# ------------------------------------------------------------------ flags

flag_text = st.one_of(
    st.sampled_from(
        [
            "inf",
            "-inf",
            "nan",
            "0",
            "-1",
            "1e309",
            "999999d",
            "0s",
            "1e400",
            "10w",
            "5m",
            "2h",
            "0001-01-01",
            "9999-12-31",
            "2026-02-04",
            "20260204",
            "2026-W06-3",
            "07:30",
            "25:00",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "2026-02-05T08:30",
            "",
            " ",
            "--help",
        ]
    ),
    st.text(max_size=12).filter(lambda t: not t.startswith("-")),
)


@pytest.fixture(scope="module")
def one_entry_log(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("flags") / "one.json"
    path.write_bytes(
        orjson.dumps(
            [
                {
                    "timestamp": "2026-02-05T12:00:00Z",
                    "textPayload": "Level 1: running 1 processors: X",
                    "resource": {"labels": {"service_name": "nba-phase3-analytics-processors"}},
                }
            ]
        )
    )
    return path


@FUZZ
@given(
    st.sampled_from(["tail-since", "replay-speed", "replay-gap", "check-date", "check-at", "tail-interval"]), flag_text
)
def test_flags_are_refused_in_one_line_or_work(demo_settings, one_entry_log, which, value):
    base = ["--data-dir", str(demo_settings.data_dir)]
    argv = {
        "tail-since": [*base, "tail", "--no-follow", "--since", value],
        "tail-interval": [*base, "tail", "--no-follow", "--service", "none", "--interval", value],
        "replay-speed": [*base, "replay", str(one_entry_log), "--speed", value],
        "replay-gap": [*base, "replay", str(one_entry_log), "--max-gap", value],
        "check-date": [*base, "check", "--json", "--only", "phase3_completion", "--date", value],
        "check-at": [*base, "check", "--json", "--only", "phase3_completion", "--date", "2026-02-04", "--at", value],
    }[which]
    run = run_cli(argv)
    assert run.code in (0, 1, 2), (argv, run.err)
    assert "Traceback" not in run.err
    event(f"{which}: exit {run.code}")
    if run.code == 2:
        assert run.err.strip(), argv


# ------------------------------------------------------------------ audit reader

audit_record = st.one_of(
    json_value,
    st.fixed_dictionaries(
        {"run_id": st.sampled_from(["r1", "r2"])},
        optional={
            "ts": json_value,
            "event": st.one_of(
                st.sampled_from(["run_start", "run_resume", "step_start", "step_end", "step_skipped", "run_end"]),
                json_value,
            ),
            "step": json_value,
            "ok": json_value,
            "params": json_value,
            "operator": json_value,
            "total_steps": json_value,
            "argv": json_value,
            "output_tail": json_value,
            "playbook": json_value,
            "status": json_value,
        },
    ),
)


@pytest.mark.slow
@FUZZ
@given(st.lists(audit_record, max_size=6), st.binary(max_size=20))
def test_the_audit_reader_lists_or_refuses_in_one_line(tmp_path, records, noise):
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    (state / "audit.jsonl").write_bytes(b"\n".join([orjson.dumps(r) for r in records] + [noise]))
    config = tmp_path / "c.toml"
    config.write_text(f"state_dir = {json.dumps(str(state))}\n")
    for argv in (["audit"], ["audit", "show", "r1"]):
        run = run_cli(["--config", str(config), "--data-dir", str(tmp_path / "d"), *argv])
        assert run.code in (0, 2), (argv, run.err)
