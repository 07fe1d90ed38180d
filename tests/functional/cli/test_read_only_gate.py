"""`--read-only` closes the gate on every path (issue 10): every subcommand of the CLI,
enumerated from the parser itself, runs with `--read-only` on a seeded data dir and on an
empty one, and the data dir does not change in any way. In the state dir only the console's
own memory may change (issue 23: the watch's state and outbox, the UI state); no audit
record, no playbook lock, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.cli import build_parser, main
from tests.helpers.cli_commands import leaf_commands


def argv_for(command: tuple[str, ...], tmp: Path, scenario: Path, logs: Path) -> list[list[str]]:
    """Invocations that exercise each command's writing paths (a new command fails the test
    until it is listed here)."""
    table = {
        ("check",): [["check"], ["check", "--json"]],
        ("report",): [["report", "-o", str(tmp / "out" / "report.md")]],
        ("config",): [["config"]],
        ("local", "seed-demo"): [["local", "seed-demo"]],
        ("local", "ensure-demo"): [["local", "ensure-demo"]],
        ("local", "load"): [["local", "load", str(scenario)]],
        ("local", "export"): [["local", "export", str(tmp / "out" / "export")]],
        ("playbook", "list"): [["playbook", "list"]],
        ("playbook", "show"): [
            ["playbook", "show", "redeploy-service", "--param", "service=nba-scrapers", "--param", "commit=06934c94"],
            ["playbook", "show", "redeploy-service", "--json"],
        ],
        ("playbook", "run"): [
            ["playbook", "run", "disable-sequential-execution", "--yes"],
            [
                "playbook",
                "run",
                "redeploy-service",
                "--param",
                "service=nba-scrapers",
                "--param",
                "commit=06934c94",
                "--dry-run",
            ],
            ["playbook", "run", "--resume", "20260205T000000Z-abcdef", "--yes"],
        ],
        ("audit",): [["audit"], ["audit", "--oldest-first"]],
        ("audit", "show"): [["audit", "show", "20260205T000000Z-abcdef"]],
        ("tail",): [["tail", "--no-follow"], ["tail", "--no-follow", "--service", "nope"]],
        ("replay",): [["replay", str(logs), "--speed", "100000"]],
        ("demo",): [["demo", "--headless", "--speed", "1000000"]],
        ("logs", "search"): [
            ["logs", "search", str(logs), "--severity", "ERROR"],
            ["logs", "search", str(logs), "--sql", "SELECT count(*) FROM entries"],
        ],
        ("logs", "open"): [["logs", "open", str(logs)]],  # no terminal here: refused (exit 2)
        ("history",): [["history"], ["history", "--json", "--days", "3"]],
        ("watch",): [["watch", "--once", "--notify", "stdout"], ["watch", "status"]],
        ("ack",): [
            ["ack", "usage_rate_coverage", "--reason", "on it"],
            ["ack", "clear", "usage_rate_coverage"],
            ["ack", "list"],
        ],
        ("note",): [["note", "add", "a note"], ["note", "list"]],
        ("completion",): [["completion", "bash"], ["completion", "zsh"]],
        # serving itself blocks; what can write before it binds is the demo seeding (gated) and
        # the playbooks switch (refused with --read-only)
        ("serve",): [["serve", "--port", "0"], ["serve", "--allow-playbooks", "--yes"]],
    }
    assert command in table, f"new subcommand {' '.join(command)}: add it to the read-only test"
    return table[command]


# The console's own memory: what read-only leaves writable (console/core/safety.py). Named here,
# not imported, so a new file the code starts writing under read-only fails this test.
CONSOLE_MEMORY = {
    "watch-state.json",
    "watch-state.json.lock",
    "console-state.json",
    # issue 26: the watch's heartbeat and a console's presence are its own memory (acks and notes are not)
    "watch-heartbeat.json",
    "team-presence.json",
    "team.lock",
}


def snapshot(*roots: Path, ignore: set[str] = frozenset()) -> dict[str, tuple]:
    out = {}
    for root in roots:
        if not root.exists():
            continue
        # with files to ignore, the root's own mtime moves with them; its entries are compared
        for path in [*([] if ignore else [root]), *sorted(root.rglob("*"))]:
            if path.parent == root and path.name in ignore:
                continue
            st = path.lstat()
            out[str(path)] = (st.st_mode, st.st_size, st.st_mtime_ns, path.is_symlink() and str(path.readlink()))
    return out


@pytest.fixture
def scenario(tmp_path_factory, _seeded_demo_dir):
    from console.core.config import load_settings
    from console.local.scenario import export_scenario

    dest = tmp_path_factory.mktemp("scenario")
    export_scenario(load_settings(data_dir=_seeded_demo_dir, state_dir=dest / "unused"), dest / "s")
    return dest / "s"


@pytest.mark.slow
@pytest.mark.parametrize("seeded", [True, False], ids=["seeded", "empty"])
def test_no_subcommand_changes_the_data_dir_with_read_only(
    seeded, demo_settings, scenario, tmp_path, monkeypatch, capsys
):
    data = demo_settings.data_dir if seeded else tmp_path / "empty-data"
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    (tmp_path / "out").mkdir()  # outside the data dir: `report -o` and `local export` may write there
    monkeypatch.setenv("NBA_CONSOLE_STATE_DIR", str(state))
    commands = leaf_commands(build_parser())
    assert ("playbook", "run") in commands and ("local", "seed-demo") in commands and ("demo",) in commands
    before = snapshot(data, state, ignore=CONSOLE_MEMORY)
    ran = 0
    for command in commands:
        for argv in argv_for(command, tmp_path, scenario, scenario / "logs" / "phase3.json"):
            code = main(["--read-only", "--data-dir", str(data), *argv])
            assert isinstance(code, int), argv
            ran += 1
            assert snapshot(data, state, ignore=CONSOLE_MEMORY) == before, (
                f"{' '.join(argv)} changed the data dir, or the state dir beyond the console's memory"
            )
    out = capsys.readouterr()
    assert ran >= 18
    assert not (state / "audit.jsonl").exists() and not (state / "playbook.lock").exists()
    # read-only is the platform's, not the console's memory: the watch ran and kept what it told
    assert "refusing to keep" not in out.err
    assert (state / "watch-state.json").exists() or not seeded
    assert "read-only mode: refusing to seed" in out.err or seeded
    assert "read-only mode: refusing to replace the local data" in out.err
    assert "read-only mode: refusing to run playbook disable-sequential-execution" in out.err


def test_a_read_only_watch_posts_and_keeps_its_memory(demo_settings, httpserver, monkeypatch, tmp_path, capsys):
    """Issue 23: `NBA_CONSOLE_READ_ONLY=true nba-console watch --once --notify …` (the README's
    production setup) posts, exits 0 and keeps its state, and changes no data."""
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    state = tmp_path / "state"
    monkeypatch.setenv("NBA_CONSOLE_READ_ONLY", "true")
    monkeypatch.setenv("NBA_CONSOLE_STATE_DIR", str(state))
    monkeypatch.setenv("NBA_CONSOLE_NOTIFY", '[{"name":"oncall","kind":"slack","url_env":"HOOK"}]')
    monkeypatch.setenv("HOOK", httpserver.url_for("/hook"))
    data = demo_settings.data_dir
    before = snapshot(data)
    code = main(
        ["--data-dir", str(data), "watch", "--once", "--date", "2026-02-03", "--at", "07:00", "--notify", "oncall"]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert len(httpserver.log) == 1 and b"Sequential execution" in httpserver.log[0][0].get_data()
    assert (state / "watch-state.json").exists() and "refusing" not in err
    assert snapshot(data) == before
