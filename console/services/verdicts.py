"""The verdict first, in words: one line per check, the header's `FAIL drift: …`, and one
notice for many status changes (issue 28). Pure: strings in, strings out, no Textual.

Every status reads as a word and a glyph (panels/status_style.py), never as a colour alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from console.core.models import CheckResult
from panels.status_style import STATUS_ORDER, STATUS_WORD

# What the header names: the statuses someone must act on.
ALARMING = ("error", "fail")

_COMMIT = re.compile(r"\b[0-9a-f]{7,40}\b ?")


def rank(status: str) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


def brief(result: CheckResult | None, error: str | None = None) -> str:
    """The check's verdict in one clause: the summary up to its first `;`, without commit
    hashes (`nba-scrapers 49 commits / 13.4 days behind`), its verdict first where the
    clause is `evidence: verdict` (`Level 2 ran before Level 1 finished — PlayerGame…`);
    a source's error when it failed."""
    if error:
        return _first_line(error)
    if result is None:
        return ""
    text = _COMMIT.sub("", _first_line(result.summary).split("; ")[0]).strip()
    evidence, colon, verdict = text.partition(": ")
    return f"{verdict} — {evidence}" if colon and verdict else text


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


@dataclass(frozen=True)
class Verdict:
    """One check as the compact list and the header show it."""

    check_id: str
    name: str  # the short title (`drift`)
    status: str  # a display status: ok, warn, fail, unknown, error, stale, loading
    headline: str = ""  # the panel's number (`13.4 d behind`)
    brief: str = ""  # one clause (`nba-scrapers 49 commits / 13.4 days behind`)


def worst_first(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """Failing ones first, then in their own order (a stable sort by severity)."""
    return sorted(verdicts, key=lambda v: rank(v.status))


def alarm_text(verdicts: Sequence[Verdict], width: int) -> str:
    """`FAIL drift: nba-scrapers 49 commits / 13.4 days behind`, or for several
    `FAIL sequence, dnp, usage, drift · sequence: Level 2 ran …`, cut to `width` with `…`;
    "" when nothing errs or fails."""
    lines = []
    for status in ALARMING:
        hit = [v for v in verdicts if v.status == status]
        if not hit:
            continue
        word = STATUS_WORD[status]
        if len(hit) == 1:
            lines.append(f"{word} {hit[0].name}: {hit[0].brief}" if hit[0].brief else f"{word} {hit[0].name}")
        else:
            names = ", ".join(v.name for v in hit)
            first = f" · {hit[0].name}: {hit[0].brief}" if hit[0].brief else ""
            lines.append(f"{word} {names}{first}")
    return cut(" · ".join(lines), width)


def cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, ending in `…` when cut (a status word is never cut
    alone: the text starts with it)."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)].rstrip() + "…"


def changes_text(changes: Sequence[tuple[str, str, str]]) -> str | None:
    """One notice for a round of status changes (title, before, after): `Drift: ok → fail`
    for one, `4 checks changed: Phase 3 unknown → ok, …` for several; None for none."""
    from console.services.watch import status_change_text

    if not changes:
        return None
    if len(changes) == 1:
        return status_change_text(*changes[0])
    return f"{len(changes)} checks changed: " + ", ".join(
        f"{title} {before} → {after}" for title, before, after in changes
    )
