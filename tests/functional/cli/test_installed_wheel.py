"""Issue 14, nba-console as a command-line tool: `--version`, shell completion (driven through
a real bash), and the wheel installed outside the repository running `check`, the
playbooks and the console's styles from its own files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from console.cli import main

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
CALL_TIMEOUT_S = 120  # each subprocess; the whole wheel test is about 15 s on an idle machine


def test_version_comes_from_the_package_metadata(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"nba-console {version('nba-console')}\n"


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nospace -o default -o bashdefault -F _python_argcomplete nba-console"),
        ("zsh", "#compdef nba-console"),
    ],
)
def test_completion_prints_the_script_for_the_shell(capsys, shell, marker):
    assert main(["completion", shell]) == 0
    out = capsys.readouterr().out
    assert marker in out and "_ARGCOMPLETE=1" in out


def test_completion_refuses_other_shells(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["completion", "fish"])
    assert exc.value.code == 2 and "invalid choice: 'fish'" in capsys.readouterr().err


@pytest.fixture
def completer(tmp_path, demo_settings):
    """TAB in a real bash with the printed script loaded: what COMPREPLY holds for a line."""
    if not shutil.which("bash"):
        pytest.skip("no bash")
    config = tmp_path / "c.toml"
    config.write_text('[services]\ncloud_run = ["nba-scrapers", "my-new-service"]\n')

    def complete(*lines: str) -> list[list[str]]:
        script = [
            "source <(nba-console completion bash)",
            'try() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$1";'
            ' [[ "$1" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMP_TYPE=9;'
            ' COMPREPLY=(); _python_argcomplete nba-console; echo "${COMPREPLY[*]}"; }',
        ]
        script += [f"try {shlex_quote(line)}" for line in lines]
        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "NBA_CONSOLE_DATA_DIR": str(demo_settings.data_dir),
            "C": str(config),
        }
        out = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            capture_output=True,
            text=True,
            env=env,
            timeout=CALL_TIMEOUT_S,
            cwd=tmp_path,
        )
        assert out.returncode == 0, out.stderr
        return [line.split() for line in out.stdout.splitlines()]

    complete.config = config
    return complete


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


@pytest.mark.slow
def test_completion_in_bash_offers_commands_check_ids_playbooks_and_services(completer):
    commands, only, playbooks, services, params, values, configured = completer(
        "nba-console ",
        "nba-console check --only g",
        "nba-console playbook show re",
        "nba-console tail --service nba-",
        "nba-console playbook run redeploy-service --param ",
        "nba-console playbook run redeploy-service --param service=nba-s",
        f"nba-console --config {completer.config} tail --service my",
    )
    assert {"check", "report", "playbook", "audit", "tail", "completion", "--version"} <= set(commands)
    assert only == ["grading_coverage"]
    assert playbooks == ["redeploy-service"]
    assert services == ["nba-phase3-analytics-processors", "nba-phase4-precompute", "nba-scrapers"]
    assert params == ["service=", "commit="]
    assert values == ["nba-scrapers"]  # bash breaks the word at '=': the value completes
    assert configured == ["my-new-service"]  # the names come from the config the line names


# ------------------------------------------------------------------ the wheel, outside the repo


def _source_copy(dest: Path) -> Path:
    """The files git would ship (tracked, plus new ones not ignored), so a build never sees
    the developer's .venv, caches or build/ leftovers, and never writes into the checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            timeout=30,
            check=True,
        ).stdout.split(b"\0")
        files = [REPO / name.decode() for name in listed if name]
    except (OSError, subprocess.SubprocessError):  # not a git checkout: everything but the usual clutter
        skip = {".git", ".venv", "build", "dist", ".pytest_cache", ".hypothesis", "__pycache__", "test-artifacts"}
        files = [p for p in REPO.rglob("*") if p.is_file() and not skip & set(p.relative_to(REPO).parts)]
    for path in files:
        if path.is_file():
            target = dest / path.relative_to(REPO)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return dest


def _run(argv: list, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("NBA_CONSOLE_")}
    return subprocess.run(
        [str(a) for a in argv],
        capture_output=True,
        text=True,
        timeout=CALL_TIMEOUT_S,
        env={**env, **kwargs.pop("env", {})},
        **kwargs,
    )


@pytest.mark.slow
def test_the_wheel_carries_its_files_and_runs_check_outside_the_repo(tmp_path):
    """Build the wheel offline from a copy of the sources, install it without dependencies
    into a new venv outside the repository, give that venv the dev venv's third-party
    packages (a .pth line: its editable install of this project is not activated that way),
    and run the console from a directory outside the repo. Every module and data file of the
    project's packages must be in the wheel, and the code must find them there."""
    src = _source_copy(tmp_path / "src")
    dist = tmp_path / "dist"
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            dist,
            src,
        ],
        cwd=src,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(dist.glob("nba_console-*.whl"))

    # Every source and data file of the packages travels (a new .sql, .toml, .tcss or subpackage too).
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        str(p.relative_to(src))
        for top in ("console", "panels", "queries", "playbooks")
        for p in (src / top).rglob("*")
        if p.suffix in (".py", ".sql", ".toml", ".tcss")
    }
    assert shipped - in_wheel == set()
    assert {"console/tui/app.tcss", "queries/grading_coverage.sql", "playbooks/redeploy-service.toml"} <= in_wheel

    venv = tmp_path / "tool-venv"
    base_python = getattr(sys, "_base_executable", None) or shutil.which("python3")
    assert _run([base_python, "-m", "venv", "--without-pip", venv]).returncode == 0
    py = venv / "bin" / "python"
    installed = _run([sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--no-index", "-q", wheel])
    assert installed.returncode == 0, installed.stderr[-2000:]
    site = _run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    (Path(site) / "dev-venv-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "elsewhere"  # not the repo, not the source copy
    work.mkdir()
    data, state = tmp_path / "data", tmp_path / "state"
    tool = venv / "bin" / "nba-console"
    env = {"NBA_CONSOLE_STATE_DIR": str(state), "HOME": str(tmp_path / "home")}

    where = _run(
        [
            py,
            "-c",
            "import console, queries, playbooks, panels; "
            "print(console.__file__, queries.__file__, playbooks.__file__, panels.__file__)",
        ],
        cwd=work,
    )
    assert where.returncode == 0, where.stderr
    assert all(path.startswith(str(venv)) for path in where.stdout.split()), where.stdout

    version_out = _run([tool, "--version"], cwd=work, env=env)
    assert version_out.stdout == f"nba-console {version('nba-console')}\n"

    assert _run([tool, "--data-dir", data, "local", "seed-demo"], cwd=work, env=env).returncode == 0
    check = _run([tool, "--data-dir", data, "check", "--date", "2026-02-04", "--json"], cwd=work, env=env)
    assert check.returncode == 1, check.stderr  # the drift of nba-scrapers, as in the repo
    assert '"summary": "743/759 graded (97.9%) across 8 systems"' in check.stdout
    feb3 = _run(
        [tool, "--data-dir", data, "check", "--date", "2026-02-03", "--only", "usage_rate_coverage"], cwd=work, env=env
    )
    assert "189/217" in feb3.stdout and "87.1%" in feb3.stdout

    playbooks = _run([tool, "--data-dir", data, "playbook", "list"], cwd=work, env=env)
    assert playbooks.returncode == 0 and len(playbooks.stdout.splitlines()) == len(
        list((src / "playbooks").glob("*.toml"))
    )

    # The console itself starts with its stylesheet read from the installed package.
    tui = textwrap.dedent(f"""
        import asyncio
        from datetime import date
        from pathlib import Path
        from console.core.clock import DEMO_END, FixedClock
        from console.core.config import load_settings
        from console.tui.app import NbaConsoleApp

        async def main():
            app = NbaConsoleApp(load_settings(data_dir=Path({str(data)!r}), state_dir=Path({str(state)!r})),
                                clock=FixedClock(DEMO_END), game_date=date(2026, 2, 4))
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                sheets = [str(key[0]) for key in app.stylesheet.source]
                print("\\n".join(s for s in sheets if s.endswith(".tcss")))
                app.exit()

        asyncio.run(main())
    """)
    started = _run([py, "-c", tui], cwd=work, env=env)
    assert started.returncode == 0, started.stderr[-2000:]
    sheets = started.stdout.split()
    assert sheets and all(s.startswith(str(venv)) and Path(s).is_file() for s in sheets), started.stdout
