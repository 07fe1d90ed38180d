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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[thresholds]\ndnp_window_dayz = 3\n",
            "`thresholds.dnp_window_dayz`: unknown key; did you mean `thresholds.dnp_window_days`?",
        ),
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
        (
            "[thresholds]\ncoverage_monitor_pct = 85\n",
            "coverage_monitor_pct (85) must not be above grading_trigger_pct (80)",
        ),
        ("[services]\ncloud_run = ['--help', '$(id)']\n", "'--help' is not a valid Cloud Run / Functions name"),
        ("[services]\nfunctions = ['Grading']\n", "'Grading' is not a valid Cloud Run / Functions name"),
        ("[services]\nanalytics = '-x'\n", "`services.analytics`"),
        ("[services]\nwatched_env = ['A B']\n", "not an environment variable name"),
        ("data_dir = ''\n", "`data_dir`: must not be empty"),
        ("[local]\nmax_file_mb = 0\n", "`local.max_file_mb`"),
        # issue 24: strict types, bounds at both ends, names checked against what exists
        (
            "[deadlines]\ngrading = 900\n",
            '`deadlines.grading`: expected a time of day as "HH:MM" (e.g. "09:00"), not a number',
        ),
        ("grading_due = 900.5\n", "`grading_due`: expected a time of day"),
        ("refresh_seconds = true\n", "`refresh_seconds`: expected a number, not true or false"),
        ("[thresholds]\ndnp_window_days = false\n", "`thresholds.dnp_window_days`: expected a number"),
        ("[watch]\nevery = true\n", "`watch.every`: expected a duration, not true or false"),
        ("read_only = 1\n", "`read_only`: expected true or false, not a number"),
        ("[watch]\nretry_max_wait_s = 1e18\n", "`watch.retry_max_wait_s`: Input should be less than or equal to 3600"),
        ("[logs]\npoll_seconds = 1e-300\n", "`logs.poll_seconds`: Input should be greater than or equal to 0.01"),
        ('[watch]\nevery = "2d"\n', "`watch.every`: must be between 1s and 1d"),
        ('[keys]\nrefresh = "not a key!!"\n', "refresh = 'not a key!!': 'not a key!!' is not a key name"),
        ('[keys]\nrefresh = "ctrl+r,F5"\n', "'F5' is not a key name (key names are lowercase: 'f5')"),
        ('[keys]\nrefresh = "cmd+r"\n', "'cmd' is not a modifier"),
        ('[keys]\nrefreshh = "r"\n', "unknown binding id 'refreshh'; did you mean 'refresh'?"),
        ('[tui]\ntheme = "solarized"\n', "`tui.theme`: unknown theme 'solarized'; did you mean 'solarized-dark'?"),
        ('region = "mars-1"\n', "`region`: unknown GCP region 'mars-1'"),
        ('region = "us-west9"\n', "did you mean 'us-west"),
        ('[[notify]]\nname = "hook"\nkind = "webhook"\n', "`notify.0`: a webhook channel needs url_env"),
        ('[[notify]]\nname = "oncall"\nkind = "slack"\n', "a slack channel needs url_env"),
        ('[[notify]]\nname = "pager"\nkind = "command"\n', "a command channel needs command"),
        (
            "a = " + "[" * 3000 + "]" * 3000 + "\n",
            "a value is nested too deeply to read (settings nest at most 8 levels)",
        ),
        ("[keys]\nrefresh = " + "[" * 20 + "]" * 20 + "\n", "`keys.refresh.0.0 ...` is nested more than 8 levels deep"),
        ("x" + ".x" * 40 + " = 1\n", "nested more than 8 levels deep"),
    ],
)
def test_config_problems_are_refused_in_one_line(tmp_path, text, expected):
    assert expected in _refused(tmp_path, text)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("NBA_CONSOLE_THRESHOLDS", "not json", "$NBA_CONSOLE_THRESHOLDS: not a valid value for `thresholds`"),
        (
            "NBA_CONSOLE_REFRESH_SECONDS",
            "inf",
            "`refresh_seconds` (from $NBA_CONSOLE_REFRESH_SECONDS): Input should be a finite",
        ),
        ("NBA_CONSOLE_THRESHOLDS__BOGUS", "1", "`thresholds.bogus` (from $NBA_CONSOLE_THRESHOLDS__BOGUS): unknown key"),
        ("NBA_CONSOLE_DATA_DIR", "", "`data_dir` (from $NBA_CONSOLE_DATA_DIR): must not be empty"),
        ("NBA_CONSOLE_STATE_DIR", "  ", "(from $NBA_CONSOLE_STATE_DIR): must not be empty"),
        (
            "NBA_CONSOLE_REFRESH_SECOND",
            "5",
            "$NBA_CONSOLE_REFRESH_SECOND: unknown setting; did you mean $NBA_CONSOLE_REFRESH_SECONDS?",
        ),
        (
            "NBA_CONSOLE_GCP_QUERY_TIMEOUT_S",
            "5",
            "$NBA_CONSOLE_GCP_QUERY_TIMEOUT_S: unknown setting; did you mean "
            "$NBA_CONSOLE_GCP__QUERY_TIMEOUT_S? (a key inside a section takes two underscores)",
        ),
        ("NBA_CONSOLE_NOTIFY", "[" * 5000 + "]" * 5000, "$NBA_CONSOLE_NOTIFY: nested more than 8 levels deep"),
        ("NBA_CONSOLE_KEYS", '{"refresh": "not a key!!"}', "`keys` (from $NBA_CONSOLE_KEYS): refresh = 'not a key!!'"),
        ("NBA_CONSOLE_REGION", "mars-1", "`region` (from $NBA_CONSOLE_REGION): unknown GCP region 'mars-1'"),
    ],
)
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
    path.write_text(
        "refresh_seconds = 1\n[thresholds]\ncoverage_monitor_pct = 80\n[services]\n"
        "cloud_run = ['nba-scrapers', 'a1']\n[local]\nkeep_previous_s = 60\n"
    )
    settings = load_settings(path)
    assert settings.local.keep_previous_s == 60 and settings.services.cloud_run == ["nba-scrapers", "a1"]


def _setting_variables() -> list[str]:
    from console.core.config_errors import setting_variables

    return [v for v in setting_variables(Settings) if "__" in v]


@pytest.mark.parametrize("variable", _setting_variables())
def test_every_nested_variable_spelled_with_one_underscore_names_the_right_one(monkeypatch, variable):
    """NBA_CONSOLE_GCP_QUERY_TIMEOUT_S was ignored in silence: for every key inside a section,
    the one-underscore spelling is refused naming the two-underscore one."""
    monkeypatch.setenv("NBA_CONSOLE_" + variable.replace("__", "_"), "1")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert f"did you mean $NBA_CONSOLE_{variable}?" in str(info.value)


def test_a_variable_of_the_users_own_is_still_left_alone(monkeypatch):
    monkeypatch.setenv("NBA_CONSOLE_SLACK_WEBHOOK", "https://hooks.example/x")
    monkeypatch.setenv("NBA_CONSOLE_OPS_URL", "https://ops.example/x")
    assert load_settings().refresh_seconds == 60


@pytest.mark.parametrize("where", ["cwd", "user config dir"])
def test_a_directory_named_like_the_config_file_is_refused_not_skipped(tmp_path, monkeypatch, capsys, where):
    from console.cli import main

    monkeypatch.chdir(tmp_path)
    folder = tmp_path if where == "cwd" else tmp_path / "xdg" / "nba-console"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (folder / "nba-console.toml").mkdir(parents=True)
    assert main(["config"]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"nba-console: config file {folder / 'nba-console.toml'} is not a regular file"
    )


def test_deep_nesting_exits_2_with_the_message_never_70(tmp_path, capsys, monkeypatch):
    """It was "internal error (RecursionError)", exit 70."""
    from console.cli import main

    path = tmp_path / "deep.toml"
    path.write_text("[tui]\ntheme = " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert main(["--config", str(path), "config"]) == 2
    err = capsys.readouterr().err
    assert "nested too deeply" in err and "internal error" not in err and err.count("\n") == 1
    monkeypatch.setenv("NBA_CONSOLE_TUI", '{"theme": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main(["config"]) == 2
    assert "$NBA_CONSOLE_TUI: nested more than 8 levels deep" in capsys.readouterr().err


def test_what_the_readme_shows_still_loads(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text(
        'region = "europe-west1"\n[keys]\nrefresh = "ctrl+r,f5"\nprev_date = "comma"\n'
        'help = "question_mark"\n[tui]\ntheme = "nord"\n[deadlines]\ngrading = "09:30"\n'
        "phase3 = 08:45:00\n[watch]\nevery = 300\n"
    )
    settings = load_settings(path)
    assert settings.keys["refresh"] == "ctrl+r,f5" and settings.tui.theme == "nord"
    assert str(settings.deadlines.grading) == "09:30:00" and settings.watch.every.total_seconds() == 300


def test_a_file_that_is_not_utf8_is_refused_in_one_line(tmp_path):
    path = tmp_path / "nba-console.toml"
    path.write_bytes(b"refresh_seconds = 5\n# caf\xe9\n")
    with pytest.raises(ConfigError, match=r"nba-console.toml: not UTF-8 text \(invalid continuation byte at byte 25\)"):
        load_settings(path)


def test_a_config_file_over_a_megabyte_is_refused(tmp_path):
    path = tmp_path / "nba-console.toml"
    path.write_text("# padding\n" * 120_000)
    with pytest.raises(ConfigError, match=r"config file .*nba-console.toml: 1.2 MB is over the limit of 1 MB"):
        load_settings(path)
