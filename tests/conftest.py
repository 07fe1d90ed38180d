"""Shared fixtures: settings isolated from the user's machine, and the seeded demo."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# DEMO_END: the demo's morning after everything ran (11:00 ET), re-exported for the tests.
from console.core.clock import DEMO_END  # noqa: F401 - re-exported: tests import it from here
from console.core.config import Settings, load_settings

# Hypothesis' budget: `default` is the full suite's; `make test-fast` selects `fast` (a tenth of
# the examples, tests/helpers/examples.py scales the counts tests set themselves).
settings.register_profile("default", settings())
settings.register_profile("fast", max_examples=10)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_addoption(parser):
    # Never the default: a golden file changes only when someone asks, then reads the diff.
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite tests/functional/golden/*.json from the code under test",
    )


def pytest_configure(config):
    # The console refuses a state directory that group or others may write (issue 24): the
    # directories tests make with mkdir() must not depend on the runner's umask (002 on some
    # CI images would make them 0775). Tests that need another umask set it in a child.
    os.umask(0o022)


# Folders whose every test needs more than the venv: marked here, left out by `make test-fast`.
FOLDER_MARKERS = {"gcp": "gcp", "emulators": "gcp", "browser": "browser"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here) and (marker := FOLDER_MARKERS.get(item.path.relative_to(here).parts[0])):
            item.add_marker(marker)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """No test reads the developer's config, data or state."""
    for key in list(os.environ):
        if key.startswith("NBA_CONSOLE_"):
            monkeypatch.delenv(key, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))


@pytest.fixture(scope="session")
def _seeded_demo_dir(tmp_path_factory) -> Path:
    from console.cli.local_command import seed_demo

    data = tmp_path_factory.mktemp("demo-data")
    seed_demo(Settings(data_dir=data, state_dir=data / "state"))
    return data


@pytest.fixture
def demo_settings(_seeded_demo_dir, tmp_path) -> Settings:
    """Settings on a private copy of the seeded demo (tests may mutate it)."""
    data = tmp_path / "data"
    shutil.copytree(_seeded_demo_dir, data, symlinks=True)
    return load_settings(data_dir=data, state_dir=tmp_path / "state")


@pytest.fixture
def demo_backend(demo_settings):
    from console.backends.local_backend import LocalBackend

    backend = LocalBackend(demo_settings)
    yield backend
    backend.close()


@pytest.fixture
def cli_env(tmp_path):
    """The console CLI on gcp against a fake gcloud and a real git checkout: (env, folder)."""
    from tests.helpers.playbook_cli import cli_env_for

    return cli_env_for(tmp_path)
