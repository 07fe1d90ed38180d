"""Every test that needs more than the venv carries the marker that `make test-fast` leaves out:
all of tests/gcp and tests/emulators are `gcp` (the emulators), all of tests/browser `browser`
(chromium). tests/conftest.py marks them by folder; this says nobody can add one unmarked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NEEDS = {"tests/gcp/": "gcp", "tests/emulators/": "gcp", "tests/browser/": "browser"}


@pytest.mark.slow
def test_every_test_in_the_gcp_emulators_and_browser_folders_carries_its_marker():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.helpers.marker_report",
            *NEEDS,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    collected = [line.split(" ", 2)[1:] for line in proc.stdout.splitlines() if line.startswith("MARKERS ")]
    for folder in NEEDS:
        assert any(node.startswith(folder) for node, _ in collected), f"no test collected in {folder}"
    unmarked = [
        node
        for node, markers in collected
        for folder, marker in NEEDS.items()
        if node.startswith(folder) and marker not in markers.split()
    ]
    assert unmarked == []
