"""The pictures in docs/images/ are the snapshot tests' SVGs (issue 25 item 8): each is a byte
copy of the snapshot docs/images/sources.txt names, so a screen changed and its snapshot updated
without `make docs-images` fails here, and every picture the docs show is one of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.readme_blocks import DOCS, ROOT, doc_files

IMAGES = DOCS / "images"


def sources() -> dict[str, Path]:
    found = {}
    for line in (IMAGES / "sources.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, snapshot = line.split()
            found[name] = ROOT / snapshot
    return found


@pytest.mark.parametrize("name", sorted(sources()))
def test_image_equals_its_snapshot(name):
    snapshot = sources()[name]
    assert snapshot.is_file(), f"docs/images/sources.txt: {name} <- {snapshot.relative_to(ROOT)}: no such snapshot"
    assert (IMAGES / name).read_bytes() == snapshot.read_bytes(), (
        f"docs/images/{name} differs from {snapshot.relative_to(ROOT)}: run `make docs-images`"
    )


def test_every_image_is_a_snapshot_and_every_snapshot_copy_is_shown():
    on_disk = {p.name for p in IMAGES.glob("*.svg")}
    assert on_disk == set(sources()), "docs/images/*.svg and docs/images/sources.txt disagree"
    shown = {
        Path(target).name
        for page in doc_files()
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", page.read_text(encoding="utf-8"))
    }
    assert set(sources()) <= shown, f"not shown on any page: {sorted(set(sources()) - shown)}"
