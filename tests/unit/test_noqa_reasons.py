"""`make lint`'s rule that every noqa and type-ignore comment says why (issue 25): the
Makefile's NOQA_BARE pattern, run by `grep -P` exactly as `make lint` runs it, flags a
suppression without its reason and passes one with it; and the tree has none outside
NOQA_SCOPE (the files other branches still own while issue 25's branches land).

The forms (`#` written `H` here, or the tree check would find these lines):
`H noqa: CODE[, CODE] - why` (ruff reads the codes and stops at the dash) and
`H type: ignore[code]  H why` (mypy allows only a second comment after its own).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")

pytestmark = pytest.mark.skipif(shutil.which("grep") is None, reason="grep is not installed")


def make_variable(name: str, required: bool = True) -> str:
    """A `NAME := value` of the Makefile as make expands it (`\\#` is a literal `#`)."""
    found = re.search(rf"^{name} := (.*)$", MAKEFILE, re.M)
    assert found or not required, f"{name} is not defined in the Makefile"
    return found.group(1).replace("\\#", "#") if found else ""


def bare_lines(text: str, tmp_path: Path) -> list[int]:
    """The line numbers `make lint`'s grep reports in a .py file holding `text`."""
    (tmp_path / "sample.py").write_text(text, encoding="utf-8")
    proc = subprocess.run(
        ["grep", "-rnP", "--include=*.py", make_variable("NOQA_BARE"), "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode in (0, 1), proc.stderr  # 2: grep could not run the pattern
    return [int(line.split(":")[1]) for line in proc.stdout.splitlines()]


H = "#"  # the examples spell it through H: written out, the tree check would report them

BARE = [
    f"import os  {H} noqa",
    f"import os  {H} noqa: F401",
    f"import os  {H} noqa: F401,F403",
    f"x = 1  {H} noqa: E501 (a reason, but not after a dash)",
    f"x = 1  {H} noqa: E501 -",
    f"x: int = 'a'  {H} type: ignore",
    f"x: int = 'a'  {H} type: ignore[assignment]",
    f"x: int = 'a'  {H} type: ignore[assignment] - a dash is not mypy's form",
]
REASONED = [
    f"except Exception:  {H} noqa: BLE001 - a bug in one check must not take down the others",
    f"except Exception:  {H} noqa: BLE001, S110 - closing must never fail the app",
    f"x: int = 'a'  {H} type: ignore[assignment]  {H} argcomplete's attribute",
    f"x = 1  {H} an ordinary comment that mentions neither",
]


@pytest.mark.parametrize("line", BARE)
def test_a_suppression_without_its_reason_is_reported(line, tmp_path):
    assert bare_lines(f"{line}\n", tmp_path) == [1]


@pytest.mark.parametrize("line", REASONED)
def test_a_suppression_with_its_reason_passes(line, tmp_path):
    assert bare_lines(f"{line}\n", tmp_path) == []


CODE = st.from_regex(r"[A-Z]{1,4}[0-9]{1,4}", fullmatch=True)  # ruff's: B905, PGH004
ERROR_CODE = st.from_regex(r"[a-z]{1,8}(-[a-z]{1,8})?", fullmatch=True)  # mypy's: attr-defined
REASON = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="#"), min_size=1).map(
    lambda s: "x" + s
)


@given(
    codes=st.lists(CODE, min_size=1, max_size=3),
    error_codes=st.lists(ERROR_CODE, min_size=1, max_size=3),
    reason=REASON,
    separator=st.sampled_from([",", ", "]),
)
def test_any_codes_with_a_reason_pass_and_without_one_fail(codes, error_codes, reason, separator):
    pattern = re.compile(make_variable("NOQA_BARE"))  # Python's re reads this PCRE subset alike
    noqa = f"{H} noqa: {separator.join(codes)}"
    assert pattern.search(f"x = 1  {noqa} - {reason}") is None
    assert pattern.search(f"x = 1  {noqa}") is not None
    ignore = f"{H} type: ignore[{', '.join(error_codes)}]"
    assert pattern.search(f"x = 1  {ignore}  {H} {reason}") is None
    assert pattern.search(f"x = 1  {ignore}") is not None


def test_the_tree_has_no_suppression_without_its_reason():
    scope = shlex.split(make_variable("NOQA_SCOPE", required=False))  # gone once issue 25 has landed
    proc = subprocess.run(
        [
            "grep",
            "-rnP",
            "--include=*.py",
            *scope,
            make_variable("NOQA_BARE"),
            "console",
            "panels",
            "benchmarks",
            "tests",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr  # 1: nothing found
