from __future__ import annotations

import pytest

from console.core.config import ConfigError, load_settings


def test_defaults_are_the_handoffs():
    s = load_settings()
    t = s.thresholds
    assert (s.backend, s.project, s.region, s.timezone) == (
        "local",
        "nba-props-platform",
        "us-west2",
        "America/New_York",
    )
    assert (t.grading_trigger_pct, t.coverage_monitor_pct, t.usage_rate_target_pct, t.dnp_pollution_max_pct) == (
        80,
        70,
        90,
        0,
    )
    assert (t.phase3_processors, t.expected_predictions, t.expected_games) == (5, 759, 7)
    assert s.processors_at(1) == [
        "TeamOffenseGameSummaryProcessor",
        "TeamDefenseGameSummaryProcessor",
        "UpcomingTeamGameContextProcessor",
    ]
    assert s.processors_at(2) == ["PlayerGameSummaryProcessor", "UpcomingPlayerGameContextProcessor"]


def test_toml_file_in_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nba-console.toml").write_text('project = "staging"\n[thresholds]\ngrading_trigger_pct = 85\n')
    s = load_settings()
    assert s.project == "staging" and s.thresholds.grading_trigger_pct == 85


def test_user_config_dir_is_read(tmp_path, monkeypatch):
    folder = tmp_path / "cfg" / "nba-console"
    folder.mkdir(parents=True)
    (folder / "nba-console.toml").write_text('region = "us-east1"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    assert load_settings().region == "us-east1"


def test_env_overrides_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nba-console.toml").write_text("[thresholds]\ngrading_trigger_pct = 85\n")
    monkeypatch.setenv("NBA_CONSOLE_THRESHOLDS__GRADING_TRIGGER_PCT", "90")
    monkeypatch.setenv("NBA_CONSOLE_DATA_DIR", str(tmp_path / "d"))
    s = load_settings()
    assert s.thresholds.grading_trigger_pct == 90 and s.data_dir == tmp_path / "d"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[thresholds]\ngrading_trigger_pct = 'high'\n", "thresholds.grading_trigger_pct"),
        ("[thresholds]\ngrading_trigger_pct = 180\n", "thresholds.grading_trigger_pct"),
        ('backend = "aws"\n', "backend"),
        ('timezone = "Mars/Olympus"\n', "timezone"),
        ("[tables]\nprediction_accuracy = 'no dots here'\n", "tables.prediction_accuracy"),
        ("colour = 'blue'\n", "`colour`: unknown key"),
    ],
)
def test_bad_config_names_the_key(tmp_path, text, key):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert key in str(info.value) and str(path) in str(info.value)


def test_toml_syntax_error_is_one_message(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("project = \n")
    with pytest.raises(ConfigError, match=r"broken\.toml"):
        load_settings(path)


def test_cli_reports_bad_config_and_exits_2(tmp_path, capsys):
    from console.cli import main

    path = tmp_path / "bad.toml"
    path.write_text("[thresholds]\ncoverage_monitor_pct = -1\n")
    assert main(["--config", str(path), "check"]) == 2
    err = capsys.readouterr().err
    assert "thresholds.coverage_monitor_pct" in err and "Traceback" not in err
