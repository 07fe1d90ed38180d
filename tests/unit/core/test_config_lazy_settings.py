"""Issue 13 (start): Settings is a plain pydantic model unless a config file or an
NBA_CONSOLE_* variable has something to say, so `check --json` imports neither
pydantic-settings (nor the asyncio it brings) nor rich; with a file or a variable, the same
Settings is read by pydantic-settings as before."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import pytest
from pydantic import ValidationError

from console.core import config
from console.core.config import ConfigError, Settings, load_settings

PROBE = """
import json, sys
from console.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "imported": sorted(m for m in ("pydantic_settings", "asyncio", "rich", "rich.text",
      "textual", "sqlglot", "importlib.resources.readers") if m in sys.modules)}),
      file=sys.stderr)
"""


def _check_imports(argv: list[str]) -> tuple[int, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBA_CONSOLE_")}
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env, timeout=120)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return report["code"], report["imported"]


@pytest.mark.slow
def test_check_json_imports_no_settings_library_and_no_rich(demo_settings):
    # nor the resource readers the query files were read with. (DuckDB's package is imported,
    # and with it `importlib.metadata` and `email.parser` for its `__version__`: the console
    # uses DuckDB through its public package since issue 25, BENCHMARKS.md says what it costs.)
    argv = ["--data-dir", str(demo_settings.data_dir), "check", "--date", "2026-02-04", "--at", "11:00", "--json"]
    _check_imports(argv)  # fills the transpiled-SQL cache (that run imports sqlglot)
    code, imported = _check_imports(argv)
    assert code == 1  # the demo's Feb 4 fails a check, as in the golden file
    assert imported == []


def test_without_file_or_variable_settings_is_the_plain_model(tmp_path):
    settings = load_settings(data_dir=tmp_path, state_dir=tmp_path / "state")
    assert type(settings) is Settings
    assert settings.refresh_seconds == 60.0 and settings._config_file is None


def test_the_plain_and_the_sourced_model_agree(tmp_path):
    kwargs = {"data_dir": tmp_path, "state_dir": tmp_path / "state", "refresh_seconds": 5}
    plain = Settings(**kwargs)
    sourced = config._sourced_settings()(**kwargs)
    assert isinstance(sourced, Settings)
    assert plain.model_dump() == sourced.model_dump()
    assert plain.model_fields_set == sourced.model_fields_set
    assert plain.deadlines.model_fields_set == sourced.deadlines.model_fields_set


def test_a_variable_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("NBA_CONSOLE_REFRESH_SECONDS", "30")
    monkeypatch.setenv("NBA_CONSOLE_THRESHOLDS__GRADING_TRIGGER_PCT", "85")
    settings = load_settings(data_dir=tmp_path)
    assert isinstance(settings, Settings)
    assert settings.refresh_seconds == 30 and settings.thresholds.grading_trigger_pct == 85
    assert Settings(data_dir=tmp_path).refresh_seconds == 30  # direct construction reads it too
    copy = pickle.loads(pickle.dumps(settings))
    assert copy.model_dump() == settings.model_dump()


def test_a_config_file_is_read(tmp_path):
    path = tmp_path / "nba-console.toml"
    path.write_text("refresh_seconds = 42\n[deadlines]\ngrading = '08:30:00'\n", encoding="utf-8")
    settings = load_settings(path, data_dir=tmp_path)
    assert settings.refresh_seconds == 42 and str(settings.deadlines.grading) == "08:30:00"
    assert settings._config_file == path


def test_errors_read_as_before(monkeypatch, tmp_path):
    with pytest.raises(ValidationError, match="validation error for Settings"):
        Settings(refresh_seconds=0)
    monkeypatch.setenv("NBA_CONSOLE_REFRESH_SECONDS", "0")
    with pytest.raises(ConfigError, match=r"\$NBA_CONSOLE_REFRESH_SECONDS"):
        load_settings(data_dir=tmp_path)
    monkeypatch.delenv("NBA_CONSOLE_REFRESH_SECONDS")
    monkeypatch.setenv("NBA_CONSOLE_THRESHOLDS", "not json")
    with pytest.raises(ConfigError, match="a section is given as JSON"):
        load_settings(data_dir=tmp_path)
