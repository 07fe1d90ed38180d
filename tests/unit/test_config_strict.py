"""Strict configuration (issue 11): every problem of the issue's "Config too permissive"
list is refused with one line naming the key (and the variable, when it came from one)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from console.core.config import ConfigError, Section, Settings, load_settings


def _refused(tmp_path, text: str) -> str:
    path = tmp_path / "nba-console.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


@pytest.mark.parametrize("text, expected", [
    ("[thresholds]\ndnp_window_dayz = 3\n", "`thresholds.dnp_window_dayz`: unknown key; did you mean `thresholds.dnp_window_days`?"),
    ("[thresholds]\nbogus = 1\n", "`thresholds.bogus`: unknown key; did you mean `thresholds."),
    ("[logs]\npoll_second = 1\n", "did you mean `logs.poll_seconds`?"),
    ("[[processors]]\nname = 'X'\nlevel = 1\nkind = 'team'\nlvl = 2\n", "`processors.0.lvl`: unknown key"),
    ("refresh_second = 5\n", "did you mean `refresh_seconds`?"),
    ("[log_patterns]\nlevel_start = '('\n", "`log_patterns.level_start`: not a valid regular expression"),
    ("[log_patterns]\nprocessor_start = '^Starting (\\w+)'\n", "needs the named group(s) (?P<processor>...)"),
    ("refresh_seconds = inf\n", "`refresh_seconds`: Input should be a finite number"),
    ("refresh_seconds = 0.5\n", "`refresh_seconds`: Input should be greater than or equal to 1"),
    ("refresh_seconds = 86401\n", "`refresh_seconds`: Input should be less than or equal to 86400"),
    ("[thresholds]\ndnp_pollution_max_pct = 101\n", "`thresholds.dnp_pollution_max_pct`"),
    ("[thresholds]\nusage_rate_max_pct = nan\n", "`thresholds.usage_rate_max_pct`"),
    ("[thresholds]\ncoverage_monitor_pct = 85\n", "coverage_monitor_pct (85) must not be above grading_trigger_pct (80)"),
    ("[services]\ncloud_run = ['--help', '$(id)']\n", "'--help' is not a valid Cloud Run / Functions name"),
    ("[services]\nfunctions = ['Grading']\n", "'Grading' is not a valid Cloud Run / Functions name"),
    ("[services]\nanalytics = '-x'\n", "`services.analytics`"),
    ("[services]\nwatched_env = ['A B']\n", "not an environment variable name"),
    ("data_dir = ''\n", "`data_dir`: must not be empty"),
    ("[local]\nmax_file_mb = 0\n", "`local.max_file_mb`"),
])
def test_config_problems_are_refused_in_one_line(tmp_path, text, expected):
    assert expected in _refused(tmp_path, text)


@pytest.mark.parametrize("name, value, expected", [
    ("NBA_CONSOLE_THRESHOLDS", "not json", "$NBA_CONSOLE_THRESHOLDS: not a valid value for `thresholds`"),
    ("NBA_CONSOLE_REFRESH_SECONDS", "inf", "`refresh_seconds` (from $NBA_CONSOLE_REFRESH_SECONDS): Input should be a finite"),
    ("NBA_CONSOLE_THRESHOLDS__BOGUS", "1", "`thresholds.bogus` (from $NBA_CONSOLE_THRESHOLDS__BOGUS): unknown key"),
    ("NBA_CONSOLE_DATA_DIR", "", "`data_dir` (from $NBA_CONSOLE_DATA_DIR): must not be empty"),
    ("NBA_CONSOLE_STATE_DIR", "  ", "(from $NBA_CONSOLE_STATE_DIR): must not be empty"),
    ("NBA_CONSOLE_REFRESH_SECOND", "5", "$NBA_CONSOLE_REFRESH_SECOND: unknown setting; did you mean $NBA_CONSOLE_REFRESH_SECONDS?"),
])
def test_environment_problems_name_the_variable(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_every_section_refuses_unknown_keys():
    """A section added later (e.g. [deadlines]) must derive from config.Section too."""
    def sections(model: type[BaseModel]):
        for field in model.model_fields.values():
            for candidate in (field.annotation, *getattr(field.annotation, "__args__", ())):
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    yield candidate
                    yield from sections(candidate)

    found = list(sections(Settings))
    assert len(found) >= 8
    for section in found:
        assert issubclass(section, Section) and section.model_config.get("extra") == "forbid", section.__name__


def test_a_config_path_that_is_a_directory_or_fifo_is_refused(tmp_path):
    import os

    os.mkfifo(tmp_path / "fifo.toml")
    for path in (tmp_path, tmp_path / "fifo.toml"):
        with pytest.raises(ConfigError, match="not a regular file"):
            load_settings(path)


def test_the_cli_refuses_an_empty_data_dir_flag(capsys):
    from console.cli import main

    with pytest.raises(SystemExit) as info:
        main(["--data-dir", "", "config"])
    assert info.value.code == 2 and "empty path" in capsys.readouterr().err


def test_valid_settings_still_load(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text("refresh_seconds = 1\n[thresholds]\ncoverage_monitor_pct = 80\n[services]\n"
                    "cloud_run = ['nba-scrapers', 'a1']\n[local]\nkeep_previous_s = 60\n")
    settings = load_settings(path)
    assert settings.local.keep_previous_s == 60 and settings.services.cloud_run == ["nba-scrapers", "a1"]
