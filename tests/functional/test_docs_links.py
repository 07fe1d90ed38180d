"""Every relative link and #anchor in README.md and docs/*.md resolves (issue 25 item 8): a page
moved or a heading renamed breaks the test, not the reader. Anchors are GitHub's: the heading in
lower case, punctuation dropped, spaces as hyphens, `-1`, `-2` for repeats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.readme_blocks import DOCS, README, ROOT, doc_files

FENCE = re.compile(r"^```.*?^```[ \t]*$", re.S | re.M)
CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)


def prose(text: str) -> str:
    """The Markdown without its code blocks and code spans (a `[x](y)` there is not a link)."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def anchors(path: Path) -> set[str]:
    """GitHub's anchor for each heading of a Markdown file."""
    seen: dict[str, int] = {}
    found = set()
    for m in HEADING.finditer(FENCE.sub("", path.read_text(encoding="utf-8"))):
        slug = re.sub(r"[^\w\- ]", "", m.group(2).lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def links() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(ROOT)), target)
        for path in doc_files()
        for target in LINK.findall(prose(path.read_text(encoding="utf-8")))
        if not re.match(r"[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto:
    ]


@pytest.mark.parametrize(("page", "target"), links())
def test_link_resolves(page, target):
    source = ROOT / page
    file_part, _, anchor = target.partition("#")
    resolved = (source.parent / file_part).resolve() if file_part else source
    assert resolved.exists(), f"{page}: {target}: no such file"
    assert resolved.is_relative_to(ROOT), f"{page}: {target} leaves the repository"
    if anchor:
        assert resolved.suffix == ".md", f"{page}: {target}: an anchor into a file that is not Markdown"
        assert anchor in anchors(resolved), f"{page}: {target}: no heading with that anchor in {file_part or page}"


def test_the_link_reader_sees_links_and_anchors():
    text = "See [a](docs/x.md#b-c) and ![pic](i.svg), not `[c](d)`.\n```\n[e](f)\n```\n"
    assert LINK.findall(prose(text)) == ["docs/x.md#b-c", "i.svg"]


def test_anchors_follow_github(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("# Log screen (`a/b_c.py`, `F(x, y)`)\n## Two words\n## Two words\n```\n# not a heading\n```\n")
    assert anchors(page) == {"log-screen-ab_cpy-fx-y", "two-words", "two-words-1"}


def test_every_page_of_docs_is_linked_from_the_readme():
    linked = {t.partition("#")[0] for p, t in links() if p == "README.md"}
    for page in sorted(DOCS.glob("*.md")):
        assert str(page.relative_to(ROOT)) in linked, f"README.md does not link {page.relative_to(ROOT)}"


def test_the_readme_is_a_guide():
    """Under ~200 lines, opening with what it is and a picture of the console."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200, "README.md is the guide: reference goes to docs/"
    first_section = text.split("\n## ", 1)[0]
    assert "](docs/images/console-main.svg)" in first_section
