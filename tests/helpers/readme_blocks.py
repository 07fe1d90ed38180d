"""The fenced code blocks of README.md and docs/*.md, as the tests that run them read them
(tests/functional/test_readme_commands.py, tests/gcp/test_readme_recipes.py).

A block may be preceded by HTML comments that tell those tests about it, on the lines right
above the fence: `<!-- README test: not run: REASON -->` (the block is not run, and is listed
as skipped with the reason) or `` <!-- README test: `COMMAND` not run: REASON --> `` (only the
lines that start with COMMAND). They read as notes to the human reader of the Markdown source
and are invisible in the rendered page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
OPERATIONS = DOCS / "operations.md"  # the production recipes (tests/gcp/test_readme_recipes.py)
FENCE = re.compile(r"^```([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
MARKER = re.compile(r"<!--\s*README test:\s*(.*?)\s*-->")


@dataclass(frozen=True)
class Block:
    lang: str
    body: str
    line: int  # 1-based line of the opening fence
    section: str  # the nearest heading above the block
    notes: tuple[str, ...]  # the texts of the `<!-- README test: ... -->` lines right above the fence
    path: Path = README  # the Markdown file it is in

    @property
    def file(self) -> str:
        return str(self.path.relative_to(ROOT))

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line} ({self.section})"


def doc_files() -> list[Path]:
    """README.md, then docs/*.md: the guide and the reference, read as one."""
    return [README, *sorted(DOCS.glob("*.md"))]


def blocks(text: str | None = None, path: Path | None = None) -> list[Block]:
    """The blocks of README.md and docs/*.md; of one file with `path`; of `text` if given."""
    if text is None:
        return [b for f in ([path] if path else doc_files()) for b in _blocks(f.read_text(encoding="utf-8"), f)]
    return _blocks(text, path or README)


def _blocks(text: str, path: Path) -> list[Block]:
    out = []
    for m in FENCE.finditer(text):
        before = text[: m.start()]
        headings = re.findall(r"^#{1,6} (.+)$", FENCE.sub("", before), re.M)  # not a `# comment` in a block
        notes = []
        for above in reversed(before.rstrip("\n").split("\n")):
            marker = MARKER.fullmatch(above.strip())
            if not marker:
                break
            notes.insert(0, marker.group(1))
        out.append(
            Block(
                lang=m.group(1),
                body=m.group(2),
                line=before.count("\n") + 1,
                section=headings[-1] if headings else "",
                notes=tuple(notes),
                path=path,
            )
        )
    return out


def section(title: str, text: str | None = None, path: Path | None = None) -> list[Block]:
    """The blocks under the heading `title` (up to the next heading of its level or above)."""
    found = [b for b in blocks(text, path) if b.section == title]
    assert found, f"no code block under a heading {title!r} in README.md or docs/*.md"
    return found


def file_blocks(text: str | None = None, path: Path | None = None) -> dict[str, Block]:
    """Blocks that are a file's content: their first line is a comment naming the file
    (`# ~/.config/nba-console/watch.env (chmod 600)`); the key is the path as written.
    A block holding several files (a unit and its timer) is split at each such line."""
    out = {}
    for block in blocks(text, path):
        for name, body in split_files(block.body):
            out[name] = Block(block.lang, body, block.line, block.section, block.notes, block.path)
    return out


FILE_LINE = re.compile(r"^# ((?:~|/)[\w./-]+)(?: \(.*\))?\s*$")


def split_files(body: str) -> list[tuple[str, str]]:
    files: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        m = FILE_LINE.match(line)
        if m:
            files.append((m.group(1), []))
        elif files:
            files[-1][1].append(line)
        elif line.strip():
            return []  # text before the first file line: not a file block
    return [(path, "\n".join(lines).strip("\n") + "\n") for path, lines in files]
