"""Every number in the configuration is bounded at both ends (issue 24 item 7):
`retry_max_wait_s = 1e18` and `poll_seconds = 1e-300` were accepted. Walks every section, so
a setting added later without its bounds fails here, and loads each numeric key's extremes
through the file, as a user writes them."""

from __future__ import annotations

import os
import typing
from datetime import time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from console.core.config import ConfigError, Settings, load_settings
from tests.helpers.examples import examples
from tests.helpers.outcome import outcome

FUZZ = settings(
    max_examples=examples(int(os.environ.get("FUZZ_EXAMPLES", "50")) * 2),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _numeric_fields(model: type[BaseModel] = Settings, prefix: tuple[str, ...] = ()):
    """(dotted key, the field's model, field name, scalar type) of every int/float/timedelta
    setting, sections and `[[processors]]` / `[[notify]]` items included."""
    for name, info in model.model_fields.items():
        annotation = info.annotation
        inner = [annotation, *typing.get_args(annotation)]
        section = next((a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if section is not None:
            yield from _numeric_fields(section, (*prefix, name))
        elif annotation in (int, float, timedelta):
            yield ".".join((*prefix, name)), model, name, annotation


NUMERIC = list(_numeric_fields())
# `[[processors]]` and `[[notify]]` keys are written inside an item, not as `section.key`.
LIST_ITEMS = {
    "processors": '[[processors]]\nname = "X"\nkind = "team"\nlevel = 1\n',
    "notify": '[[notify]]\nname = "x"\nkind = "stdout"\n',
}


def _toml_for(key: str, literal: str) -> str:
    *section, name = key.split(".")
    if section and section[0] in LIST_ITEMS:
        head = LIST_ITEMS[section[0]]
        lines = [line for line in head.splitlines() if not line.startswith(f"{name} =")]
        return "\n".join(lines) + f"\n{name} = {literal}\n"
    return (f"[{'.'.join(section)}]\n" if section else "") + f"{name} = {literal}\n"


def _bounds(model: type[BaseModel], name: str) -> tuple[float | None, bool, float | None]:
    """(lower, lower inclusive, upper) from the field's Field(ge/gt/le/lt) metadata."""
    low, inclusive, high = None, True, None
    for meta in model.model_fields[name].metadata:
        for attr, is_low, incl in (("ge", True, True), ("gt", True, False), ("le", False, True), ("lt", False, False)):
            value = getattr(meta, attr, None)
            if value is not None:
                if is_low:
                    low, inclusive = value, incl
                else:
                    high = value
    return low, inclusive, high


def test_there_are_numeric_settings_to_check():
    assert len(NUMERIC) >= 40, [k for k, *_ in NUMERIC]


@pytest.mark.parametrize(
    ("key", "model", "name", "kind"),
    [p for p in NUMERIC if p[3] is not timedelta],
    ids=[p[0] for p in NUMERIC if p[3] is not timedelta],
)
def test_every_number_has_both_bounds_and_a_floor_that_means_something(key, model, name, kind):
    low, inclusive, high = _bounds(model, name)
    assert low is not None and high is not None, f"{key}: Field(ge=..., le=...) on both ends"
    # gt=0 lets 1e-300 through: a floor is either 0 itself (0 means "none"/"at once") or a
    # real minimum.
    assert inclusive, f"{key}: use ge=<the least sensible value>, not gt"


def _extremes():
    for key, model, name, kind in NUMERIC:
        low = _bounds(model, name)[0] if kind is not timedelta else 1
        for literal in ("1e18", "-1e18", "1e-300"):
            if kind is int and literal != "-1e18":
                continue  # a TOML float for an int is refused as a float: nothing to learn
            if literal == "1e-300" and low == 0:
                continue  # 0 means something here (none, at once): anything down to it is fine
            yield key, literal


@pytest.mark.parametrize(("key", "literal"), list(_extremes()), ids=lambda v: str(v))
def test_extremes_are_refused_from_the_file(tmp_path, key, literal):
    name = key.split(".")[-1]
    path = tmp_path / "c.toml"
    path.write_text(_toml_for(key, literal))
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert f"{name}`" in str(info.value), str(info.value)  # the key is named


@FUZZ
@given(st.sampled_from([p for p in NUMERIC if p[3] is float]), st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_setting_is_accepted_exactly_within_its_bounds(tmp_path_factory, field, value):
    key, model, name, _ = field
    low, _, high = _bounds(model, name)
    path = tmp_path_factory.mktemp("b") / "c.toml"
    path.write_text(_toml_for(key, repr(value)))
    loaded = outcome(lambda: load_settings(path), ConfigError)
    if isinstance(loaded, ConfigError):
        inside = low <= value <= high
        # Inside its own bounds a value may still break a rule between two keys.
        assert not inside or "must not be above" in str(loaded) or "must be below" in str(loaded), str(loaded)
        return
    assert low <= value <= high
    assert loaded is not None


def test_durations_are_bounded_too(tmp_path):
    for literal in ('"0s"', '"100000d"', "1e18", '"2d"'):
        path = tmp_path / "c.toml"
        path.write_text(f"[watch]\nevery = {literal}\n")
        with pytest.raises(ConfigError, match=r"watch\.every"):
            load_settings(path)


def test_times_of_day_stay_times(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[deadlines]\ngrading = "10:15"\n[watch]\nuntil = 11:30:00\n')
    settings = load_settings(path)
    assert settings.deadlines.grading == time(10, 15) and settings.watch.until == time(11, 30)
