"""`nba-console tail | replay | demo` on the seeded demo."""

from __future__ import annotations

import io
import json

import orjson
import pytest

from console.cli import build_parser, main
from console.cli.logs_command import _Out, cmd_tail
from console.local.scenario import current_dir


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr()


def test_tail_filters_and_prints_plain_lines(demo_settings, capsys):
    code, out = run(
        capsys,
        "--data-dir",
        str(demo_settings.data_dir),
        "tail",
        "--no-follow",
        "--service",
        "nba-phase3-analytics-processors",
        "--grep",
        "Level 1",
        "--grep",
        "Level 2",
    )
    lines = out.out.splitlines()
    assert code == 0
    assert [line.split(None, 5)[5] for line in lines] == [
        "📋 Level 1: running 3 processors: TeamOffenseGameSummaryProcessor, TeamDefenseGameSummaryProcessor, "
        "UpcomingTeamGameContextProcessor",
        "✅ Level 1 complete (3/3 succeeded)",
        "📋 Level 2: running 2 processors: PlayerGameSummaryProcessor, UpcomingPlayerGameContextProcessor",
        "✅ Level 2 complete (2/2 succeeded)",
    ]
    assert lines[0].startswith("2026-02-05 07:05:00 EST INFO")  # timestamps in ET


def test_tail_pads_the_service_column_so_messages_start_in_one_column(demo_settings, capsys):
    code, out = run(capsys, "--data-dir", str(demo_settings.data_dir), "tail", "--no-follow", "--since", "3650d")
    lines = out.out.splitlines()
    services = {line.split()[4] for line in lines}
    assert code == 0 and {"grading", "nba-phase3-analytics-processors"} <= services
    # Each message starts two spaces after the longest service name, whatever the line's service.
    starts = {line.index(line.split()[4]) + len("nba-phase3-analytics-processors") + 2 for line in lines}
    assert len(starts) == 1
    [start] = starts
    assert all(line[start - 2 : start] == "  " and line[start] != " " for line in lines)


@pytest.mark.parametrize(
    ("flag", "value", "message"), [("--since", "2 hours", "bad duration"), ("--severity", "loud", "unknown severity")]
)
def test_tail_bad_input_is_a_clear_error(demo_settings, capsys, flag, value, message):
    with pytest.raises(SystemExit) as exc:
        main(["--data-dir", str(demo_settings.data_dir), "tail", flag, value])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_tail_bad_regex_is_a_clear_error(demo_settings, capsys):
    code, out = run(capsys, "--data-dir", str(demo_settings.data_dir), "tail", "--grep", "Level (")
    assert code == 2 and "bad regular expression" in out.err


def test_tail_keeps_following_a_growing_file(demo_settings):
    logs = current_dir(demo_settings) / "logs" / "live.ndjson"
    logs.write_bytes(b"")
    stream = io.StringIO()
    written = []

    def sleep(_):  # the writer: each idle poll, the "service" logs one more line
        if len(written) == 3:
            raise KeyboardInterrupt
        n = len(written)
        with open(logs, "ab") as fh:
            fh.write(
                orjson.dumps(
                    {
                        "insertId": f"live{n}",
                        "timestamp": f"2026-02-05T15:0{n}:00Z",
                        "severity": "ERROR",
                        "textPayload": f"live line {n}",
                        "resource": {"labels": {"service_name": "grading"}},
                    }
                )
                + b"\n"
            )
        written.append(n)

    args = build_parser().parse_args(
        ["--data-dir", str(demo_settings.data_dir), "tail", "--service", "grading", "--severity", "ERROR"]
    )
    with pytest.raises(KeyboardInterrupt):
        cmd_tail(args, _Out(stream), sleep)
    assert [line.split(None, 5)[5] for line in stream.getvalue().splitlines()] == [
        "live line 0",
        "live line 1",
        "live line 2",
    ]


def test_tail_stops_quietly_on_a_closed_pipe(demo_settings):
    class Closed(io.StringIO):
        def write(self, s):
            raise BrokenPipeError

    args = build_parser().parse_args(["--data-dir", str(demo_settings.data_dir), "tail"])
    assert cmd_tail(args, _Out(Closed()), lambda _: None) == 0


def test_replay_of_the_race_prints_the_violation_and_fails(demo_settings, tmp_path, capsys):
    from console.local.demo import log_entries

    race = [e for e in log_entries() if e["timestamp"].startswith("2026-02-04")]
    path = tmp_path / "feb3-race.json"
    path.write_text(json.dumps(race))
    code, out = run(capsys, "--data-dir", str(demo_settings.data_dir), "replay", str(path), "--speed", "1e9")
    lines = out.out.splitlines()
    assert code == 1
    first_alert = next(i for i, line in enumerate(lines) if line.startswith("!!"))
    # The alert comes right after the line that caused it, not at the end.
    assert "Starting PlayerGameSummaryProcessor" in lines[first_alert - 1]
    assert lines[-1].startswith("== verdict 2026-02-04: FAIL PlayerGameSummaryProcessor started 92 min before")


@pytest.mark.slow
def test_demo_headless_unfolds_the_morning(demo_settings, capsys):
    code, out = run(capsys, "--data-dir", str(demo_settings.data_dir), "demo", "--headless", "--speed", "1e6")
    text = out.out
    assert code == 0
    level1, level2 = text.index("📋 Level 1"), text.index("📋 Level 2")
    assert level1 < level2
    # Processors complete one by one in the Firestore state as the clock passes them.
    steps = [text.index(f"phase3_completion: {s}") for s in ("WARN 1/5", "WARN 3/5", "WARN 4/5", "OK 5/5")]
    assert steps == sorted(steps)
    assert text.index("grading_coverage: UNKNOWN 0/759") < text.index("grading_coverage: OK 743/759")
    assert text.rstrip().endswith("== verdict 2026-02-05: OK Level 1 then Level 2, in order (Level lines)")
