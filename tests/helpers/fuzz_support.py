"""Shared by the fuzz tests: running the CLI's main() in-process with its output captured,
a small copy of the demo's scenario, and a fingerprint of a data directory."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from console.cli import main

CHECK_AT = ["--date", "2026-02-04", "--at", "2026-02-05T16:00:00Z"]
ROWS_KEPT = 40  # rows per table in the fuzzed scenario: every mutation loads in milliseconds


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(argv: list[str]) -> Run:
    """main(argv) with stdout/stderr captured. An exception escaping main() is a traceback
    the user would have seen: it fails the calling test as it is."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace")
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse refusing a flag
            code = exc.code if isinstance(exc.code, int) else 2
    out.flush()
    return Run(code, out.buffer.getvalue().decode("utf-8", "replace"), err.getvalue())


def small_demo_scenario(root: Path) -> Path:
    from console.local.demo_scenario import write_scenario

    scenario = write_scenario(root)
    for table in (scenario / "tables").iterdir():
        table.write_bytes(b"".join(table.read_bytes().splitlines(keepends=True)[:ROWS_KEPT]))
    return scenario


def fingerprint(folder: Path) -> str:
    """Names, kinds, link targets and contents of everything under `folder`."""
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            digest.update(str(path.relative_to(folder)).encode())
            if path.is_symlink():
                digest.update(b"->" + os.readlink(path).encode())
            elif path.is_file():
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
