"""`nba-console logs search` on the demo's export (`local export DIR`) and on a gcloud-style
export (a JSON array, newest first, indented): the lines `tail --no-follow` prints for the same
filter, in time order; `--json` the entries unchanged; `--count`; `--trace` judged from the
matches; `--sql` over them (file access refused); bad input one line and exit 2."""

from __future__ import annotations

import orjson
import pytest

from console.cli import main
from console.local.demo import log_entries
from tests.unit.logs.test_log_search import run

LEVEL_LINES = ["--service", "nba-phase3-analytics-processors", "--grep", "Level 1", "--grep", "Level 2"]


@pytest.fixture
def exported(demo_settings, tmp_path):
    """The demo's data exported as a scenario directory; its log files are in logs/."""
    out = tmp_path / "export"
    assert main(["--data-dir", str(demo_settings.data_dir), "local", "export", str(out)]) == 0
    return out / "logs"


def gcloud_export(tmp_path):
    """The demo's entries as `gcloud logging read --format=json` writes them: newest first."""
    raws = sorted(log_entries(), key=lambda r: r["timestamp"], reverse=True)
    path = tmp_path / "gcloud.json"
    path.write_bytes(orjson.dumps(raws, option=orjson.OPT_INDENT_2))
    return path, raws


def test_search_prints_what_tail_prints_for_the_same_filter(demo_settings, exported):
    code, searched = run(["--data-dir", str(demo_settings.data_dir), "logs", "search", str(exported), *LEVEL_LINES])
    assert code == 0
    tail_code, tailed = run(["--data-dir", str(demo_settings.data_dir), "tail", "--no-follow", *LEVEL_LINES])
    assert tail_code == 0
    assert searched == tailed
    lines = searched.decode().splitlines()
    assert len(lines) == 4  # Feb 5 (the other mornings log processor lines only): started, complete
    assert "Level 1: running 3 processors" in lines[0] and "Level 2 complete (2/2 succeeded)" in lines[-1]
    code, counted = run(["logs", "search", str(exported), *LEVEL_LINES, "--count"])
    assert (code, counted) == (0, b"4\n")


def test_a_gcloud_newest_first_array_is_printed_oldest_first(tmp_path):
    path, raws = gcloud_export(tmp_path)
    code, out = run(["logs", "search", str(path), "--severity", "WARNING", "--json"])
    assert code == 0
    printed = [orjson.loads(line) for line in out.splitlines()]
    wanted = sorted(
        (r for r in raws if r.get("severity") in ("WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY")),
        key=lambda r: r["timestamp"],
    )
    assert printed == wanted and wanted  # every entry whole, oldest first
    code, plain = run(["logs", "search", str(path), "--severity", "WARNING"])
    assert code == 0 and len(plain.splitlines()) == len(wanted)
    assert all(" WARNING " in line or " ERROR " in line for line in plain.decode().splitlines())


def test_trace_judges_the_matches_and_fails_on_the_race(tmp_path):
    path, _ = gcloud_export(tmp_path)
    code, out = run(["logs", "search", str(path), "--trace", "--since", "2026-02-04", "--until", "2026-02-05"])
    text = out.decode()
    assert code == 1
    assert text.startswith("== trace 2026-02-04: FAIL")
    assert "!! " in text and "started before Level 1 completed" in text


def test_sql_over_the_matches_and_file_access_refused(tmp_path, capsys):
    path, raws = gcloud_export(tmp_path)
    code, out = run(["logs", "search", str(path), "--sql", "SELECT count(*) AS n FROM entries"])
    assert code == 0 and out.decode().split() == ["n", str(len(raws))]
    capsys.readouterr()
    code, out = run(["logs", "search", str(path), "--sql", "SELECT * FROM read_text('/etc/passwd')"])
    assert code == 2 and b"root" not in out
    assert "no file, network or extension access" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "args", "said"),
    [
        (None, [], "No such file or directory"),
        (b"# not a log\n", [], "not a log entry"),
        (b'{"timestamp":"2026-02-05T12:00:00Z"}\n', ["--grep", "Level ("], "bad regular expression"),
        (b'{"timestamp":"2026-02-05T12:00:00Z"}\n', ["--sql", "DELETE FROM entries"], "only a query"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, content, args, said):
    path = tmp_path / "export.ndjson"
    if content is not None:
        path.write_bytes(content)
    code, out = run(["logs", "search", str(path), *args])
    err = capsys.readouterr().err
    assert code == 2 and out == b""
    assert said in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
