"""Every ```toml example in README.md and docs/*.md is a configuration the console accepts
(issue 25 item 8): loaded as nba-console.toml by the strict loader, so a key renamed, removed or
re-bounded in the settings model fails here until the example follows."""

from __future__ import annotations

import os

import pytest

from console.core.config import load_settings
from tests.helpers.readme_blocks import blocks

EXAMPLES = [b for b in blocks() if b.lang == "toml"]


def test_the_docs_have_toml_examples():
    assert len(EXAMPLES) >= 8, [b.where for b in EXAMPLES]


@pytest.mark.parametrize("block", EXAMPLES, ids=lambda b: f"{b.file}:{b.line}")
def test_toml_example_is_an_accepted_configuration(block, tmp_path, monkeypatch):
    for name in [v for v in os.environ if v.startswith("NBA_CONSOLE_")]:
        monkeypatch.delenv(name)
    config = tmp_path / "nba-console.toml"
    config.write_text(block.body, encoding="utf-8")
    load_settings(config)  # a ConfigError names the file and the key
