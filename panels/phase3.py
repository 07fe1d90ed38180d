"""Phase 3 completion: the phase3_completion/{processing_date} document (Firestore).

Ok when every expected processor completed; a failed processor fails it; past the Phase 3
deadline, on a date with games, fewer than expected is overdue.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.errors import ErrorKind, SourceError, validation_line
from console.core.freshness import with_data_at
from console.core.models import CheckResult, Phase3Document, Status
from console.core.phase3_doc import FAILED_STATUSES
from console.core.schema import PHASE3_COLLECTION as PHASE3_COLLECTION  # re-exported for the live listener
from console.core.timefmt import for_people
from panels.common import Due, hhmm, iso, note_skipped, overdue, phase3_due
from panels.spec import CheckSpec

if TYPE_CHECKING:
    from rich.text import Text

ID = "phase3_completion"
TITLE = "Phase 3 completion"


# ------------------------------------------------------------------ judge (pure)


def phase3_completion(
    doc: Phase3Document | None, settings: Settings, processing_date: date, due: Due | None = None
) -> CheckResult:
    """`due`: the Phase 3 deadline; past it, on a date with games, fewer than the expected
    processors complete is a failure ("overdue: 0/5 processors by 09:00 ET")."""
    expected = settings.thresholds.phase3_processors
    base = dict(id=ID, title=TITLE)
    if doc is None:
        result = CheckResult(
            **base,
            status=Status.UNKNOWN,
            summary=f"no {PHASE3_COLLECTION}/{processing_date.isoformat()} document yet",
            value={"completed": 0, "expected": expected, "document": None, "processors": []},
        )
        return overdue(result, due, settings, f"0/{expected} processors", may_be_no_games=True)
    levels = {p.name: p.level for p in settings.processors}
    rows = [
        _row(name, levels.get(name), doc)
        for name in [p.name for p in settings.processors]
        + sorted((set(doc.processors) | set(doc.malformed)) - set(levels))
    ]
    # Only the platform's record of a success counts (phase3_doc.py); every other field is
    # named with why. `failed`/`error` in any case fail the check.
    completed = sum(1 for e in doc.processors.values() if e.complete)
    failed = [n for n, e in doc.processors.items() if e.failed]
    not_complete = [f"{n}: {e.problem}" for n, e in doc.processors.items() if not e.complete and not e.failed]
    malformed = [f"{n}: {why}" for n, why in doc.malformed.items()]
    value = {
        "completed": completed,
        "expected": expected,
        "document": doc.doc_id,
        "triggered": bool(doc.metadata.get("_triggered")),
        "triggered_at": iso(doc.metadata.get("_triggered_at")),
        "processors": rows,
    }
    if failed:
        status, summary = Status.FAIL, f"{completed}/{expected} processors, failed: {', '.join(failed)}"
    elif completed >= expected and not not_complete and not malformed:
        status, summary = Status.OK, f"{completed}/{expected} processors complete"
    else:
        missing = [r["name"] for r in rows if r["status"] == "pending"]
        status = Status.WARN
        summary = f"{completed}/{expected} processors" + (f", waiting for {', '.join(missing)}" if missing else "")
    if value["triggered"]:
        summary += "; grading triggered"
    result = CheckResult(**base, status=status, summary=summary, value=value)
    result = overdue(
        result,
        due,
        settings,
        f"{completed}/{expected} processors",
        may_be_no_games=not doc.processors and not doc.malformed,
    )
    if not_complete:
        result.value["not_complete"] = not_complete
        result.summary += f"; not complete: {', '.join(not_complete)}"
    if malformed:
        result = note_skipped(result, len(malformed))
        result.value["malformed_fields"] = malformed
        result.summary += f" ({', '.join(malformed)})"
    return result


def _row(name: str, level: int | None, doc: Phase3Document) -> dict[str, Any]:
    """One processor's row: panel, --json and drill-down. `problem` says why a field present
    in the document is not a completion; a processor with no field is `pending`."""
    entry = doc.processors.get(name)
    if entry is None:
        row: dict[str, Any] = {
            "name": name,
            "level": level,
            "status": "malformed" if name in doc.malformed else "pending",
            "completed_at": None,
            "record_count": None,
        }
        if name in doc.malformed:
            row["problem"] = doc.malformed[name]
        return row
    row = {
        "name": name,
        "level": level,
        "status": entry.status,
        "completed_at": entry.completed_at.isoformat() if entry.completed_at else None,
        "record_count": entry.record_count,
    }
    if entry.problem:
        row["problem"] = entry.problem
    return row


# ------------------------------------------------------------------ fetch


def fetch(backend: Backend, ctx: CheckContext) -> CheckResult:
    fields = backend.get_document(PHASE3_COLLECTION, ctx.processing_date.isoformat())
    result = phase3_from_fields(fields, ctx, backend)
    value = result.value  # the data's age: the newest completion (or the trigger) it shows
    return with_data_at(
        result, [p.get("completed_at") for p in value.get("processors", [])] + [value.get("triggered_at")]
    )


def phase3_from_fields(fields: dict[str, Any] | None, ctx: CheckContext, backend: Backend | None = None) -> CheckResult:
    """Judge a phase3_completion document's fields: a read, or a push from a live listener.
    With the backend, past the deadline, a missing or incomplete document is overdue."""
    doc_id = ctx.processing_date.isoformat()
    try:
        doc = Phase3Document.from_fields(doc_id, fields) if fields is not None else None
    except ValidationError as exc:  # one line on the panel, not pydantic's multi-line report
        raise SourceError(ErrorKind.MALFORMED, f"{PHASE3_COLLECTION}/{doc_id}: {validation_line(exc)}") from None
    if doc is not None:
        # --at: a processor that completed after the moment asked about is still pending.
        visible = {n: p for n, p in doc.processors.items() if p.completed_at is None or p.completed_at <= ctx.as_of}
        triggered_at = doc.metadata.get("_triggered_at")
        meta = dict(doc.metadata)
        if isinstance(triggered_at, datetime) and triggered_at > ctx.as_of:
            meta.pop("_triggered", None)
            meta.pop("_triggered_at", None)
        keep = visible or meta or doc.malformed
        doc = (
            Phase3Document(doc_id=doc.doc_id, processors=visible, metadata=meta, malformed=doc.malformed)
            if keep
            else None
        )
    result = phase3_completion(doc, ctx.settings, ctx.processing_date)
    if result.status in (Status.OK, Status.FAIL):
        return result  # nothing a deadline could change: no need to ask about games
    return phase3_completion(doc, ctx.settings, ctx.processing_date, phase3_due(backend, ctx))


def drill(backend: Backend, ctx: CheckContext) -> list[dict[str, Any]]:
    return fetch(backend, ctx).value.get("processors", [])


# ------------------------------------------------------------------ render


def render(result: CheckResult, tz: ZoneInfo) -> tuple[str, Text]:
    from rich.text import Text  # rich: only when drawn (`check --json` never draws)

    v = result.value
    body = Text()
    for row in v.get("processors", []):
        status = str(row.get("status") or "?")
        if status == "malformed" or status.casefold() in FAILED_STATUSES:
            style = "red"
        else:
            style = "yellow" if row.get("problem") or status != "success" else "green"
        body.append(f"L{row.get('level') or '?'} ", style="dim")
        body.append(f"{row['name'].removesuffix('Processor'):<28.28}")
        # `malformed` whole (nothing follows it: such a row has no time); others in 8 columns.
        body.append(f" {status}" if status == "malformed" else f" {status:<8.8}", style=style)
        body.append(f" {hhmm(row.get('completed_at'), tz)}\n")
    if v.get("triggered"):
        body.append(f"grading triggered {hhmm(v.get('triggered_at'), tz)}\n", style="green")
    return f"{v.get('completed', 0)}/{v.get('expected', '?')}", body


def headline(result: CheckResult) -> str:
    v = result.value
    return f"{v.get('completed', 0)}/{v.get('expected', '?')}"


def markdown(value: dict, tz: ZoneInfo | None = None) -> list[str]:
    if not value.get("processors"):
        return []
    out = ["", "| Processor | Level | Status | Completed |", "|---|---:|---|---|"]
    out += [
        f"| {_cell(p['name'])} | {p['level']} | {_cell(p.get('problem') or p['status'])} | "
        f"{for_people(p['completed_at'], tz, missing='')} |"
        for p in value["processors"]
    ]
    return out


def _cell(text: object) -> str:
    """A document's own text in a Markdown table cell: no pipe or line break ends the cell."""
    return " ".join(str(text).replace("|", "\\|").split())


SPEC = CheckSpec(ID, TITLE, fetch, drill, render, headline, short_title="phase3", source="firestore", markdown=markdown)
