"""`nba-console serve` before any server starts: the viewer's argv, the token rule, the confirmation."""

from __future__ import annotations

import io
import sys
from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console import cli
from console.cli.serve_command import TOKEN_ENV, child_argv, confirm_playbooks, is_loopback, resolve_token
from console.core.config import ConfigError, load_settings
from console.tui.serve import parse_envelope
from tests.helpers.examples import examples


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _args(*argv: str):
    return cli.build_parser().parse_args([*argv, "serve"])


def test_the_viewer_console_gets_the_servers_effective_settings_as_argv(tmp_path):
    config = tmp_path / "nba-console.toml"
    config.write_text('project = "from-the-file"\n')
    args = _args("--config", str(config), "--data-dir", str(tmp_path / "d"), "--date", "2026-02-03", "--at", "07:30")
    settings = cli.settings_from_args(args)
    argv = child_argv(settings, args, read_only=True)
    assert argv[:3] == [sys.executable, "-m", "console"]
    assert argv[argv.index("--config") + 1] == str(config.resolve())
    assert argv[argv.index("--project") + 1] == "from-the-file"
    assert argv[argv.index("--data-dir") + 1] == str(tmp_path / "d")
    assert argv[argv.index("--backend") + 1] == "local"
    assert "--read-only" in argv and argv[-4:] == ["--date", "2026-02-03", "--at", "07:30"]
    assert "--read-only" not in child_argv(settings, args, read_only=False)
    # The argv parses back to the same settings (it is what the viewer's console runs).
    again = cli.build_parser().parse_args(argv[3:])
    assert again.read_only and again.game_date == date(2026, 2, 3)
    assert cli.settings_from_args(again).model_dump(exclude={"read_only"}) == settings.model_dump(exclude={"read_only"})


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
        ("console.internal", False),
        ("::", False),
    ],
)
def test_only_loopback_goes_without_a_token(host, loopback, monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert is_loopback(host) is loopback
    token, printable = resolve_token(host, require=False)
    assert (token is None) is loopback
    if token is not None:
        assert printable and len(token) >= 32
        assert resolve_token(host, require=False)[0] != token  # random each start
    assert resolve_token(host, require=True)[0] is not None


def test_a_token_from_the_environment_is_used_and_never_printed(monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, "s" * 40)
    assert resolve_token("0.0.0.0", require=False) == ("s" * 40, False)
    monkeypatch.setenv(TOKEN_ENV, "short")
    with pytest.raises(ConfigError, match="at least 16"):
        resolve_token("0.0.0.0", require=False)


def test_allowing_playbooks_needs_the_project_name_typed_on_a_terminal():
    settings = load_settings()
    assert confirm_playbooks(settings, yes=True) is None
    assert "terminal" in confirm_playbooks(settings, yes=False, stdin=io.StringIO("nba-props-platform\n"))
    out = io.StringIO()
    assert confirm_playbooks(settings, yes=False, stdin=_Tty("nba-props-platform\n"), out=out) is None
    assert "THIS server's credentials" in out.getvalue()
    assert "does not match" in confirm_playbooks(settings, yes=False, stdin=_Tty("yes\n"), out=io.StringIO())
    read_only = settings.model_copy(update={"read_only": True})
    assert "contradicts" in confirm_playbooks(read_only, yes=True)


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (["serve", "--allow-playbooks"], "needs a typed confirmation on a terminal"),
        (["--read-only", "serve", "--allow-playbooks", "--yes"], "contradicts --read-only"),
        (["serve", "--port", "70000"], "port 70000 is not 1-65535"),
    ],
)
def test_refused_serves_exit_2_before_anything_starts(argv, why, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal
    started = []
    monkeypatch.setattr("console.tui.serve.ConsoleServer.run", lambda self: started.append(self))
    assert cli.main(["--data-dir", str(tmp_path / "data"), *argv]) == 2
    assert why in capsys.readouterr().err
    assert started == [] and not (tmp_path / "data").exists()  # not even the demo was seeded


@pytest.mark.slow
def test_serve_passes_the_settings_and_limits_to_the_server(monkeypatch, tmp_path):
    captured = []
    monkeypatch.setattr("console.tui.serve.ConsoleServer.run", lambda self: captured.append(self.options))
    monkeypatch.setenv("NBA_CONSOLE_SERVE__MAX_SESSIONS", "3")
    monkeypatch.setenv("NBA_CONSOLE_SERVE__IDLE_MINUTES", "0.5")
    assert cli.main(["--data-dir", str(tmp_path / "data"), "serve", "--host", "0.0.0.0", "--port", "9000"]) == 0
    [options] = captured
    assert (options.host, options.port, options.max_sessions, options.idle_seconds) == ("0.0.0.0", 9000, 3, 30.0)
    assert options.read_only and "--read-only" in options.argv and options.token and options.print_token
    assert (tmp_path / "data").exists()  # an empty local backend gets the demo, as make run does


@hsettings(max_examples=examples(150), deadline=None)
@given(
    st.one_of(
        st.text(),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(),
            lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        ).map(lambda value: __import__("json").dumps(value)),
    )
)
@pytest.mark.slow
def test_any_browser_message_parses_or_is_dropped(text):
    envelope = parse_envelope(text)
    assert envelope is None or (isinstance(envelope, tuple) and isinstance(envelope[0], str))


def test_a_taken_port_is_one_line_and_exit_2_and_no_url_is_printed(tmp_path, capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = cli.main(["--data-dir", str(tmp_path / "data"), "serve", "--port", str(port), "--require-token"])
    out, err = capsys.readouterr()
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err
    assert "token=" not in out + err  # the URL (and its token) only once the server listens


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", ["http://localhost:8765/"]),
        ("::1", ["http://localhost:8765/"]),
        ("10.1.2.3", ["http://10.1.2.3:8765/"]),
        ("fe80::1", ["http://[fe80::1]:8765/"]),
        ("0.0.0.0", ["http://build-box:8765/", "http://localhost:8765/"]),
        ("::", ["http://build-box:8765/", "http://localhost:8765/"]),
    ],
)
def test_the_printed_address_is_one_a_person_can_open(host, expected, monkeypatch):
    """Issue 28: never `http://0.0.0.0:PORT/`: a wildcard bind prints this machine's name and localhost."""
    import socket

    from console.tui.serve import open_urls

    monkeypatch.setattr(socket, "gethostname", lambda: "build-box")
    assert open_urls(host, 8765) == expected
