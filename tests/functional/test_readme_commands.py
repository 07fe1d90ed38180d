"""The README and the docs are executable (issue 23): every shell command of the code blocks
(```bash and the like) of README.md and docs/*.md is run as written, each on a fresh copy of
one seeded demo (data, state, config and cache dirs, and HOME), and ends with the exit code the
text states (a trailing comment `exit N`; otherwise 0) and without a traceback.

- A command that runs until stopped is run on a pseudo-terminal and stopped as a person
  would, each step bounded: the console (`make run`) is quit with `q` once it has drawn its
  panels; `serve` is stopped with ctrl+c once it says where it listens; a playbook run that
  asks is answered (y, and the target's name where a dangerous step wants it typed).
- A synopsis (a line with `[options]`, `a | b` alternatives, `...` or an UPPERCASE
  placeholder such as FILE) is not a command: every subcommand and flag it names is checked
  against the parser instead.
- A block that is a file (its first line names it, `# ~/.config/...`) is not run here; the
  recipes that use it are (tests/gcp/test_readme_recipes.py).
- `<!-- README test: not run: REASON -->` above a block, or `` `COMMAND` not run: REASON ``
  for some of its lines (tests/helpers/readme_blocks.py), leaves them out with the reason.

Substituted, because it cannot be counted on here: `serve`'s port 8765 (a free port; the
machine is shared). `pytest -rs` does not list these; `test_every_readme_command_is_run_or_skipped_with_a_reason`
prints what ran and what did not (`pytest -s`).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from console.cli import build_parser
from tests.helpers.pty_session import PtySession
from tests.helpers.readme_blocks import ROOT, Block, blocks, doc_files, split_files

pytestmark = pytest.mark.slow  # every test here takes about 3 s or more (pytest --durations)

SHELL = {"bash", "sh", "shell", "console", "zsh"}
PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9_]*")  # FILE, RUN_ID, S: a word to fill in
TIMEOUT_S = 90  # one command, start to end (the slowest, `make run`, takes a few seconds)


@dataclass(frozen=True)
class Command:
    text: str  # as written, continuation lines joined
    comment: str  # its trailing comment
    line: int
    block: Block
    skip: str | None = None  # why it is not run
    synopsis: bool = False

    @property
    def expected(self) -> int:
        m = re.search(r"\bexit (\d+)\b", self.comment)
        return int(m.group(1)) if m else 0


def split_comment(line: str) -> tuple[str, str]:
    """`cmd  # comment` -> (cmd, comment), a `#` inside quotes or a word being no comment."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line.rstrip(), ""


def is_synopsis(text: str) -> bool:
    try:
        words = shlex.split(text)
    except ValueError:
        return True
    ours = words[0] == "nba-console" or words[:3] == ["python", "-m", "console"]
    return any(
        w.startswith("[")
        or w == "..."
        or PLACEHOLDER.fullmatch(w)
        or (ours and (w == "|" or ("|" in w and not w.startswith("-"))))
        for w in words
    )  # else: a pipe


def line_skip(block: Block, text: str) -> str | None:
    for note in block.notes:
        m = re.fullmatch(r"not run: (.+)", note, re.S)
        if m:
            return m.group(1)
        m = re.fullmatch(r"`([^`]+)` not run: (.+)", note, re.S)
        if m and text.startswith(m.group(1)):
            return m.group(2)
    return None


def readme_commands() -> list[Command]:
    out = []
    for block in blocks():
        if block.lang not in SHELL:
            continue
        files = split_files(block.body)
        if files:
            out.append(
                Command(
                    files[0][0],
                    "",
                    block.line + 1,
                    block,
                    skip=f"a file ({files[0][0]}), not commands: tests/gcp/test_readme_recipes.py "
                    "runs the recipes that read it",
                )
            )
            continue
        pending: tuple[str, str, int] | None = None
        for number, raw in enumerate(block.body.splitlines(), start=block.line + 1):
            text, comment = split_comment(raw)
            if pending is not None:  # a continued line: `\` at the end, or a synopsis wrapped
                joined = pending[0].rstrip("\\").rstrip() + " " + text.strip()
                pending = (joined, (pending[1] + " " + comment).strip(), pending[2])
            elif text.strip():
                pending = (text.strip(), comment, number)
            else:
                continue
            nxt = block.body.splitlines()[number - block.line : number - block.line + 1]
            wraps = (
                bool(nxt) and nxt[0].startswith(" ") and split_comment(nxt[0])[0].strip() and is_synopsis(pending[0])
            )
            if pending[0].endswith("\\") or wraps:
                continue
            text, comment, start = pending
            pending = None
            out.append(Command(text, comment, start, block, skip=line_skip(block, text), synopsis=is_synopsis(text)))
    return out


COMMANDS = readme_commands()
RUNNABLE = [c for c in COMMANDS if not c.skip and not c.synopsis]


# ------------------------------------------------------------------ how each kind of command is run


@pytest.fixture(scope="module")
def template(_seeded_demo_dir, tmp_path_factory) -> Path:
    """One seeded demo laid out as a user's XDG dirs, its SQL cache warmed once."""
    root = tmp_path_factory.mktemp("readme-template")
    shutil.copytree(_seeded_demo_dir, root / "data" / "nba-console", symlinks=True)
    for name in ("state", "config", "cache", "home"):
        (root / name).mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "console", "check", "--date", "2026-02-04"],
        env=user_env(root),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return root


def user_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBA_CONSOLE_", "XDG_", "PYTEST"))}
    env.update(
        HOME=str(root / "home"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_STATE_HOME=str(root / "state"),
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_CACHE_HOME=str(root / "cache"),
        TERM="xterm-256color",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    )  # this checkout's nba-console
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_free_port(text: str) -> str:
    port = free_port()
    if "--port" in text:
        return re.sub(r"--port[ =]\d+", f"--port {port}", text)
    return SERVE.sub(lambda m: f"{m.group(0)} --port {port}", text, count=1)


@dataclass
class Outcome:
    command: Command
    code: int | None
    output: str
    steps: list[str]


def interactive(command: Command, env: dict[str, str], cwd: Path) -> Outcome:
    """A command that runs until stopped, or that asks: on a pty, as a person would."""
    text = command.text
    if SERVE.search(text):
        text = with_free_port(text)
    session = PtySession(["bash", "-c", text], env, str(cwd))
    if SERVE.search(text):
        if "--allow-playbooks" in text and session.expect(r"Type the project name \(([\w-]+)\)", 20):
            session.send(re.search(r"Type the project name \(([\w-]+)\)", session.screen).group(1) + "\n")
        if session.expect(r"Ctrl\+C to stop", 30):
            session.send("\x03")
        result = session.finish(15)
        # ctrl+c ends the server (exit 0); make, in between, dies of the signal as it should
        code = 0 if result.returncode in (0, -signal.SIGINT, 130) else result.returncode
    elif re.search(r"\bplaybook run\b", text):  # asks before every step: agree, type names asked for
        answered = 0
        while session.proc.poll() is None and answered < 20:
            if not session.expect(r"(\[y/N\] |to confirm: )$", 20):
                break
            screen = session.screen.rstrip("\n")
            typed = re.findall(r"type '([^']+)' to confirm: $", screen)
            session.raw.clear()
            session.send((typed[0] if typed else "y") + "\n")
            answered += 1
        result = session.finish(30)
        code = result.returncode
    else:  # the console: quit once the panels are drawn
        if session.expect(r"success criteria", 60):
            session.send("q")
        result = session.finish(20)
        code = result.returncode
    return Outcome(command, code, result.screen, result.steps)


SERVE = re.compile(r"(?:^|[\s\"])serve(?=[\s\"]|$)")


def runs_until_stopped(text: str) -> bool:
    return bool(
        SERVE.search(text)
        or text == "make run"
        or (re.search(r"\bplaybook run\b", text) and not re.search(r"--yes|--dry-run", text))
    )


def run(command: Command, template: Path, tmp_root: Path) -> Outcome:
    root = tmp_root / f"{command.block.path.stem}-line{command.line}"
    shutil.copytree(template, root, symlinks=True)
    env = user_env(root)
    cwd = ROOT if command.text.startswith("make ") else root / "home"  # make needs the Makefile
    if runs_until_stopped(command.text):
        return interactive(command, env, cwd)
    proc = subprocess.Popen(
        ["bash", "-c", command.text],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )  # its own group: a timeout ends everything it started
    try:
        output, _ = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        return Outcome(command, None, output, [f"still running after {TIMEOUT_S} s: killed"])
    return Outcome(command, proc.returncode, output, [])


# ------------------------------------------------------------------ the tests


def test_readme_commands_run_as_written(template, tmp_path):
    assert len(RUNNABLE) >= 10, [c.text for c in RUNNABLE]
    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(lambda c: run(c, template, tmp_path), RUNNABLE))
    print()
    for o in outcomes:  # `pytest -s`: what each did
        print(
            f"{o.command.block.file}:{o.command.line}: `{o.command.text}` exit {o.code}"
            + (f" ({'; '.join(o.steps)})" if o.steps else "")
        )
    failed = [
        f"{o.command.block.file}:{o.command.line}: `{o.command.text}` exited {o.code} "
        f"(documented: {o.command.expected}); "
        f"{'; '.join(o.steps)}\n{o.output[-1500:]}"
        for o in outcomes
        if o.code != o.command.expected or "Traceback (most recent call last)" in o.output
    ]
    assert not failed, "\n\n".join(failed)


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def flags(parser: argparse.ArgumentParser) -> set[str]:
    return {opt for action in parser._actions for opt in action.option_strings}


def check_synopsis(text: str) -> list[str]:
    """What a synopsis line names that the parser does not have."""
    root = build_parser()
    words = shlex.split(text)
    if words[:3] == ["python", "-m", "console"]:
        words = ["nba-console", *words[3:]]
    if words[0] != "nba-console":
        return [f"{text}: a synopsis of something other than nba-console"]
    problems = []
    segments, current = [], []
    for w in words[1:]:
        if w == "|":
            segments.append(current)
            current = []
        else:
            current.append(w)
    segments.append(current)
    path: list[str] = []
    for i, segment in enumerate(segments):
        if i:  # an alternative: a sibling of the last subcommand named
            path = path[:-1]
        parser = root
        for p in path:
            parser = subcommands(parser)[p]
        for raw in segment:
            word = raw.strip("[]")
            subs = subcommands(parser)
            if word in subs and not word.startswith("-"):
                parser = subs[word]
                path.append(word)
            elif word.startswith("-"):
                flag = word.split("=", 1)[0]
                if flag not in flags(parser) | flags(root):
                    problems.append(f"{text}: {' '.join(path) or 'nba-console'} has no {flag}")
    return problems


@pytest.mark.parametrize(
    "command", [c for c in COMMANDS if c.synopsis and not c.skip], ids=lambda c: f"{c.block.file}:{c.line}"
)
def test_readme_synopses_name_real_subcommands_and_flags(command):
    assert check_synopsis(command.text) == []


def test_every_readme_command_is_run_or_skipped_with_a_reason():
    """The list the closing note of issue 23 gives; a skip without a reason fails."""
    print()
    for c in COMMANDS:
        kind = (
            f"skipped: {c.skip}"
            if c.skip
            else "synopsis, checked against the parser"
            if c.synopsis
            else f"runs, exit {c.expected}"
            + (" (on a terminal: answered or stopped as a person would)" if runs_until_stopped(c.text) else "")
        )
        print(f"{c.block.file}:{c.line}: {c.text}  -> {kind}")
    assert all(c.skip is None or c.skip.strip() for c in COMMANDS)
    # every shell block is accounted for: it gave at least one command, run or skipped
    shell_blocks = {(b.file, b.line) for b in blocks() if b.lang in SHELL}
    assert shell_blocks == {(c.block.file, c.block.line) for c in COMMANDS}


INLINE = re.compile(r"(?<!`)`(nba-console [^`]+)`(?!`)")


def inline_synopses() -> list[tuple[str, str]]:
    """(file, text) of every `nba-console ...` in inline code outside the code blocks: the
    README's table of commands, and the commands the docs name in passing."""
    found = []
    for path in doc_files():
        text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
        for m in INLINE.finditer(text):
            span = " ".join(m.group(1).replace("\\|", "|").split())
            found += [(str(path.relative_to(ROOT)), part.strip()) for part in span.split(" && ")]
    return found


@pytest.mark.parametrize(("where", "text"), inline_synopses(), ids=lambda v: v if len(v) < 60 else v[:60])
def test_inline_commands_name_real_subcommands_and_flags(where, text):
    assert check_synopsis(text) == [], where
