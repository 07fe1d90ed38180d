"""uv.lock, which `make run` and `make test` install from (`uv sync --locked`), satisfies
pyproject.toml: every dependency is bounded, the lock holds a version inside each bound, and
the lock was made from these very requirements (`uv lock --check` agrees, offline).

`make` refuses a stale lock at install time; these tests say the same for a checkout whose
venv was installed some other way, and name what differs.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def declared() -> list[tuple[str, Requirement]]:
    """(where, requirement) for the dependencies and every extra."""
    found = [("dependencies", Requirement(text)) for text in PROJECT["dependencies"]]
    for extra, texts in PROJECT.get("optional-dependencies", {}).items():
        found += [(f"optional-dependencies.{extra}", Requirement(text)) for text in texts]
    return found


def locked_versions() -> dict[str, list[Version]]:
    versions: dict[str, list[Version]] = {}
    for package in LOCK["package"]:
        if "version" in package and package["name"] != PROJECT["name"]:
            versions.setdefault(canonicalize_name(package["name"]), []).append(Version(package["version"]))
    return versions


def test_every_dependency_has_a_floor_and_a_ceiling():
    unbounded = [
        f"{where}: {req}" for where, req in declared() if not ({s.operator for s in req.specifier} >= {">=", "<"})
    ]
    assert not unbounded, "each dependency needs `>=` a tested floor and `<` the next major: " + "; ".join(unbounded)


def test_each_ceiling_is_the_next_major_of_its_floor():
    # `>=2.14.4,<3`: a new major (the kind that drops or renames API) needs a deliberate edit.
    wrong = []
    for where, req in declared():
        floor = next(Version(s.version) for s in req.specifier if s.operator == ">=")
        ceiling = next(Version(s.version) for s in req.specifier if s.operator == "<")
        major = floor.release[0]
        if ceiling != Version(str(major + 1)):
            wrong.append(f"{where}: {req} (expected <{major + 1})")
    assert not wrong, "; ".join(wrong)


def test_the_lock_holds_a_version_inside_every_bound():
    versions = locked_versions()
    problems = []
    for where, req in declared():
        name = canonicalize_name(req.name)
        if name not in versions:
            problems.append(f"{req.name} ({where}) is not in uv.lock")
            continue
        outside = [str(v) for v in versions[name] if not req.specifier.contains(v, prereleases=True)]
        if outside:
            problems.append(f"uv.lock has {req.name} {', '.join(outside)}, outside {req.specifier} ({where})")
    assert not problems, "run `make lock`: " + "; ".join(problems)


def test_the_lock_was_made_from_these_requirements():
    # uv records the project's requirements in the lock; `uv sync --frozen` trusts them.
    project = next(p for p in LOCK["package"] if p["name"] == PROJECT["name"])
    recorded = {_key(entry) for entry in project["metadata"]["requires-dist"]}
    wanted = {_requirement_key(req, where) for where, req in declared()}
    assert recorded == wanted, (
        "uv.lock was made from other requirements than pyproject.toml's; run `make lock`. "
        f"only in pyproject: {sorted(wanted - recorded)}; only in uv.lock: {sorted(recorded - wanted)}"
    )


def _key(entry: dict) -> tuple[str, str, str]:
    # uv rewrites environment markers in its own spelling (platform_system == 'Linux' becomes
    # sys_platform == 'linux'): compared here are name, bounds and extra; `uv lock --check`
    # below compares the rest.
    extra = re.search(r"extra == '([^']+)'", entry.get("marker", ""))
    return (
        canonicalize_name(entry["name"]),
        str(Requirement(f"x{entry.get('specifier', '')}").specifier),
        extra.group(1) if extra else "",
    )


def _requirement_key(req: Requirement, where: str) -> tuple[str, str, str]:
    extra = where.split(".", 1)[1] if where.startswith("optional-dependencies.") else ""
    return canonicalize_name(req.name), str(req.specifier), extra


def _uv() -> Path | None:
    """The uv `make` installed (.tools/uv-VERSION, VERSION from the Makefile), or None."""
    version = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    path = ROOT / ".tools" / f"uv-{version.group(1)}" / "bin" / "uv" if version else None
    return path if path is not None and path.exists() else None


def test_uv_agrees_offline_that_the_lock_is_current():
    uv = _uv()
    if uv is None:
        if os.environ.get("CI"):
            pytest.fail("uv is not in .tools/: `make test` installs it before running the tests")
        pytest.skip("uv not installed in .tools/ (make run / make test install it)")
    done = subprocess.run(
        [str(uv), "lock", "--check", "--offline"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )
    assert done.returncode == 0, f"uv.lock does not match pyproject.toml; run `make lock`:\n{done.stderr[-2000:]}"
