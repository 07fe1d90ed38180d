"""The configuration reference (docs/configuration.md) is `nba-console config --reference`,
generated from the settings model (issue 25 item 8): the file is the command's output, every
key of the model is on it with a description, and each environment variable it names sets the
key it is listed for."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import orjson
import pytest
from pydantic import BaseModel

from console.cli import main
from console.core.config import ConfigError, Settings, load_settings
from console.core.config_reference import setting_rows, toml_value

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "configuration.md"
ROW = re.compile(
    r"^\| `(?P<key>[a-z0-9_.]+)` \| (?P<type>.*?) \| (?P<default>.*?) \| (?P<bounds>.*?) \| "
    r"`(?P<env>[A-Z0-9_]+)`(?: \(JSON\))? \| (?P<description>.*) \|$"
)


def reference(capsys) -> str:
    assert main(["config", "--reference"]) == 0
    return capsys.readouterr().out


def rows() -> dict[str, dict[str, str]]:
    """The settings table rows of docs/configuration.md, by key path."""
    found = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            found[m["key"]] = m.groupdict()
    return found


def test_configuration_reference_is_current(capsys):
    assert PAGE.read_text(encoding="utf-8") == reference(capsys), (
        "docs/configuration.md is not what `nba-console config --reference` prints: run `make docs`"
    )


def model_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every key path of the model, walked here independently of the generator."""
    keys = set()
    for name, info in model.model_fields.items():
        inner = info.annotation
        if getattr(inner, "__origin__", None) is list:
            inner = inner.__args__[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            keys |= model_keys(inner, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def test_every_key_of_the_model_is_on_the_page_with_a_description():
    page = PAGE.read_text(encoding="utf-8")
    listed = set(rows())
    for key in sorted(model_keys(Settings)):
        section, _, name = key.rpartition(".")
        if section in ("processors", "notify"):  # a [[list]]'s item keys: a table of their own
            assert f"### `[[{section}]]`" in page and f"| `{name}` |" in page, key
        else:
            assert key in listed, f"{key} is not in docs/configuration.md"
            assert rows()[key]["description"].strip(), f"{key} has no description (Field(description=...))"


def test_every_section_says_what_it_is_for():
    for path, info in setting_rows():
        assert info.description, f"{'.'.join(path)}: no Field(description=...)"
    for name, info in Settings.model_fields.items():
        inner = info.annotation
        inner = inner.__args__[0] if getattr(inner, "__origin__", None) is list else inner
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            assert inner.__dict__.get("__doc__"), f"[{name}]: its class has no docstring"


def env_text(toml_default: str) -> str:
    """The default as the page shows it (a TOML value), as an environment variable holds it."""
    value = tomllib.loads(f"v = {toml_default}")["v"]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return orjson.dumps(value).decode()
    return str(value)


def value_at(settings: Settings, key: str):
    value = settings
    for part in key.split("."):
        value = getattr(value, part)
    return value


def test_each_variable_on_the_page_sets_the_key_it_is_listed_for(monkeypatch, tmp_path):
    """Every variable set at once to the default the page shows for its key: nothing is refused as
    an unknown setting, and each key reads back as the page shows it."""
    for name in [v for v in os.environ if v.startswith("NBA_CONSOLE_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no ./nba-console.toml
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    shown = {key: row for key, row in rows().items() if row["default"].startswith("`")}
    assert len(shown) > 60, len(shown)
    for row in shown.values():
        monkeypatch.setenv(row["env"], env_text(row["default"].strip("`")))
    settings = load_settings()
    for key, row in shown.items():
        assert f"`{toml_value(value_at(settings, key))}`" == row["default"], key


@pytest.mark.parametrize(
    ("variable", "text", "key", "expected"),
    [
        ("NBA_CONSOLE_THRESHOLDS__GRADING_TRIGGER_PCT", "85", "thresholds.grading_trigger_pct", 85.0),
        ("NBA_CONSOLE_WATCH__EVERY", "2m", "watch.every", "2m"),
        ("NBA_CONSOLE_GCP", '{"query_timeout_s": 30}', "gcp.query_timeout_s", 30.0),  # a whole section as JSON
        ("NBA_CONSOLE_REFRESH_SECONDS", "5", "refresh_seconds", 5.0),
    ],
)
def test_a_variable_changes_its_key(monkeypatch, tmp_path, variable, text, key, expected):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv(variable, text)
    value = value_at(load_settings(), key)
    assert (toml_value(value).strip('"') if key == "watch.every" else value) == expected


def test_a_misspelt_variable_is_refused_so_the_page_test_would_see_a_wrong_name(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("NBA_CONSOLE_THRESHOLDS__GRADING_TRIGER_PCT", "85")
    with pytest.raises(ConfigError, match="grading_triger_pct"):
        load_settings()


def test_the_reference_reads_no_configuration(tmp_path, capsys):
    """A broken config file stops `config`, not `config --reference`: the page is the model's."""
    bad = tmp_path / "nba-console.toml"
    bad.write_text("refresh_seconds = true\n")
    assert main(["--config", str(bad), "config"]) == 2
    assert "refresh_seconds" in capsys.readouterr().err
    assert main(["--config", str(bad), "config", "--reference"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!-- Generated by `nba-console config --reference`")
    assert "| `refresh_seconds` | number | `60` | 1 to 86400 | `NBA_CONSOLE_REFRESH_SECONDS` |" in out
