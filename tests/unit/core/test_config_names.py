"""The names the configuration is checked against (console/core/config_checks.py) are static
lists, so `check` never imports Textual; these tests hold them equal to what exists: the
binding ids the console's screens declare, Textual's themes and key names. A Textual upgrade
or a new binding that changes them fails here, loudly, until the list is updated."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.core import config_checks
from console.core.config import ConfigError, load_settings
from console.core.config_checks import BINDING_IDS, NAMED_KEYS, THEMES, key_problem
from tests.helpers.examples import examples


def _declared_binding_ids() -> set[str]:
    from textual.binding import Binding
    from textual.dom import DOMNode

    import console.tui

    modules = [
        importlib.import_module(info.name) for info in pkgutil.walk_packages(console.tui.__path__, "console.tui.")
    ]
    ids: set[str] = set()
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__ == module.__name__:
                for binding in cls.__dict__.get("BINDINGS", []):
                    if isinstance(binding, Binding) and binding.id:
                        ids.add(binding.id)
    return ids


def test_the_binding_ids_are_the_ones_the_screens_declare():
    assert _declared_binding_ids() == BINDING_IDS


def test_the_themes_are_textuals_and_the_consoles_own():
    from textual.theme import BUILTIN_THEMES

    from console.tui.themes import COLORBLIND_THEME

    assert set(BUILTIN_THEMES) | {COLORBLIND_THEME.name} == THEMES


def _resolves(name: str) -> bool:
    """A character's Unicode name (or alias: TAB, ESCAPE ...) with underscores for spaces."""
    import unicodedata

    try:
        unicodedata.lookup(name.replace("_", " ").upper())
    except KeyError:
        return False
    return True


def _textual_key_names() -> set[str]:
    """Textual's key names of more than one character that are not a character's Unicode name."""
    from textual import keys

    names = {k.value.rpartition("+")[2] for k in keys.Keys if not k.value.startswith("<")}
    names |= set(keys.KEY_NAME_REPLACEMENTS.values())
    names |= {alias.rpartition("+")[2] for aliases in keys.KEY_ALIASES.values() for alias in aliases}
    # Characters, ctrl-at (ctrl+@ internally), and names Python resolves as a character's
    # (SPACE, TAB, ESCAPE ... are Unicode names or aliases) are accepted without the list.
    return {n for n in names if len(n) > 1 and n != "ctrl-at" and not _resolves(n)}


def test_the_named_keys_are_textuals():
    assert {n for n in NAMED_KEYS if not _resolves(n)} == _textual_key_names()
    assert all(key_problem(n) is None for n in NAMED_KEYS)


@settings(max_examples=examples(300), deadline=None)
@given(st.characters(min_codepoint=0x21, max_codepoint=0x24F, blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")))
def test_every_key_textual_names_for_a_character_is_accepted(char):
    from console.adapters.textual_private import key_name_of

    name = key_name_of(char)
    assert key_problem(name) is None, (char, name)
    assert key_problem(f"ctrl+{name}") is None


@pytest.mark.parametrize(
    "key",
    [
        "ctrl+r",
        "f5",
        "f24",
        "question_mark",
        "P",
        "shift+tab",
        "ctrl+shift+left",
        "escape",
        "comma",
        "full_stop",
        "space",
        "alt+enter",
        "super+c",
    ],
)
def test_keys_a_person_writes_are_accepted(key):
    assert key_problem(key) is None


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("not a key!!", "is not a key name"),
        ("", "an empty key"),
        ("ctrl+", "an empty key"),
        ("+", "an empty key"),
        ("F5", "lowercase: 'f5'"),
        ("cmd+r", "'cmd' is not a modifier"),
        ("ctrl+f25", "is not a key name"),
        ("Question_Mark", "lowercase: 'question_mark'"),
        ("ctrl+ ", "is not a key"),
        ("pagedn", "is not a key name"),
    ],
)
def test_keys_that_are_not_keys_are_refused(key, why):
    assert why in (key_problem(key) or "")


@settings(max_examples=examples(200), deadline=None)
@given(st.text(alphabet=string.ascii_lowercase + "_", min_size=3, max_size=20))
def test_a_made_up_name_is_accepted_only_when_it_names_a_character_or_a_key(name):
    import itertools
    import unicodedata

    words = name.upper().split("_")
    spellings = (
        words[0] + "".join(s + w for s, w in zip(seps, words[1:], strict=True))
        for seps in itertools.product(" -", repeat=len(words) - 1)
    )
    real = name in NAMED_KEYS or any(_lookup(unicodedata, spelling) for spelling in spellings)
    assert (key_problem(name) is None) == real


def test_regions_include_the_platforms_and_refuse_the_rest(tmp_path):
    assert "us-west2" in config_checks.GCP_REGIONS
    assert all(r == r.lower() and r[-1].isdigit() for r in config_checks.GCP_REGIONS)
    path = tmp_path / "c.toml"
    for region, ok in (
        ("us-west2", True),
        ("europe-west12", True),
        ("mars-1", False),
        ("us-west", False),
        ("US-WEST2", False),
    ):
        path.write_text(f'region = "{region}"\n')
        if ok:
            assert load_settings(path).region == region
        else:
            with pytest.raises(ConfigError, match="region"):
                load_settings(path)


def test_checking_names_never_imports_textual():
    import subprocess
    import sys

    code = (
        "import sys; from console.core.config import Settings; "
        "Settings(keys={'refresh': 'ctrl+r,f5'}, tui={'theme': 'nord'}, region='europe-west1'); "
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def _lookup(unicodedata, spelling: str) -> bool:
    try:
        unicodedata.lookup(spelling)
    except KeyError:
        return False
    return True
