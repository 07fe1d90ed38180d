"""Phase 3 completion: the phase3_completion/{processing_date} document (Firestore).

Ok when every expected processor completed; a failed processor fails it; past the Phase 3
deadline, on a date with games, fewer than expected is overdue.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import MISSING, ValidationError

from console.core.backend import Backend
from console.core.config import Settings
from console.core.context import CheckContext
from console.core.errors import ErrorKind, SourceError, validation_line
from console.core.freshness import with_data_at
from console.core.models import CheckResult, CheckValue, Status
from console.core.phase3_doc import FAILED_STATUSES, Phase3Document, shown
from console.core.schema import PHASE3_COLLECTION as PHASE3_COLLECTION  # re-exported for the live listener
from console.core.timefmt import for_people
from panels.common import Due, hhmm, note_skipped, overdue, phase3_due, value_as
from panels.spec import CheckSpec, DocumentFeed

if TYPE_CHECKING:
    from rich.text import Text

ID = "phase3_completion"
TITLE = "Phase 3 completion"


# ------------------------------------------------------------------ value


class Phase3Processor(CheckValue):
    """One processor's row: panel, --json and drill-down."""

    name: str
    level: int | None
    status: str  # the record's status, `pending` (no field) or `malformed` (not a record)
    completed_at: str | None
    record_count: int | None
    problem: str | MISSING = MISSING  # why a field present in the document is not a completion


class Phase3Value(CheckValue):
    completed: int
    expected: int
    document: str | None  # the document's id; None: no document yet
    triggered: bool | MISSING = MISSING  # with a document: whether it says grading was triggered
    triggered_at: str | MISSING | None = MISSING
    processors: list[Phase3Processor]
    deadline: str | MISSING = MISSING  # past the deadline (panels/common.py overdue)
    overdue: bool | MISSING = MISSING
    no_games: bool | MISSING = MISSING
    not_complete: list[str] | MISSING = MISSING  # `name: problem` of each record that is not a completion
    malformed_skipped: int | MISSING = MISSING
    malformed_fields: list[str] | MISSING = MISSING  # `name: why` of each field that is not a record


# ------------------------------------------------------------------ judge (pure)


def phase3_completion(
    doc: Phase3Document | None, settings: Settings, processing_date: date, due: Due | None = None
) -> CheckResult:
    """`due`: the Phase 3 deadline; past it, on a date with games, fewer than the expected
    processors complete is a failure ("overdue: 0/5 processors by 09:00 ET")."""
    expected = settings.thresholds.phase3_processors
    if doc is None:
        result = CheckResult(
            id=ID,
            title=TITLE,
            status=Status.UNKNOWN,
            summary=f"no {PHASE3_COLLECTION}/{processing_date.isoformat()} document yet",
            value=Phase3Value(completed=0, expected=expected, document=None, processors=[]),
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
    value = Phase3Value(
        completed=completed,
        expected=expected,
        document=doc.doc_id,
        triggered=bool(doc.metadata.get("_triggered")),
        triggered_at=_moment_text(doc.metadata.get("_triggered_at")),
        processors=rows,
    )
    if failed:
        status, summary = Status.FAIL, f"{completed}/{expected} processors, failed: {', '.join(failed)}"
    elif completed >= expected and not not_complete and not malformed:
        status, summary = Status.OK, f"{completed}/{expected} processors complete"
    else:
        missing = [r.name for r in rows if r.status == "pending"]
        status = Status.WARN
        summary = f"{completed}/{expected} processors" + (f", waiting for {', '.join(missing)}" if missing else "")
    if value.triggered:
        summary += "; grading triggered"
    result = CheckResult(id=ID, title=TITLE, status=status, summary=summary, value=value)
    result = overdue(
        result,
        due,
        settings,
        f"{completed}/{expected} processors",
        may_be_no_games=not doc.processors and not doc.malformed,
    )
    if not_complete:
        result = result.model_copy(
            update={
                "value": value_as(result, Phase3Value).updated(not_complete=not_complete),
                "summary": f"{result.summary}; not complete: {', '.join(not_complete)}",
            }
        )
    if malformed:
        result = note_skipped(result, len(malformed))
        result = result.model_copy(
            update={
                "value": value_as(result, Phase3Value).updated(malformed_fields=malformed),
                "summary": f"{result.summary} ({', '.join(malformed)})",
            }
        )
    return result


def _moment_text(value: object) -> str | None:
    """The trigger's time as the JSON writes it: RFC 3339 for a time (a Firestore timestamp,
    or a scenario's text read as one), text as it is, and anything else quoted as a problem
    would quote it (`12345`): metadata is the platform's, never a reason to fail the check."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return shown(value)


def _row(name: str, level: int | None, doc: Phase3Document) -> Phase3Processor:
    """One processor's row. `problem` says why a field present in the document is not a
    completion; a processor with no field is `pending`."""
    entry = doc.processors.get(name)
    if entry is None:
        return Phase3Processor(
            name=name,
            level=level,
            status="malformed" if name in doc.malformed else "pending",
            completed_at=None,
            record_count=None,
            **({"problem": doc.malformed[name]} if name in doc.malformed else {}),
        )
    return Phase3Processor(
        name=name,
        level=level,
        status=entry.status,
        completed_at=entry.completed_at.isoformat() if entry.completed_at else None,
        record_count=entry.record_count,
        **({"problem": entry.problem} if entry.problem else {}),
    )


# ------------------------------------------------------------------ fetch


def fetch(backend: Backend, ctx: CheckContext) -> CheckResult:
    fields = backend.get_document(PHASE3_COLLECTION, ctx.processing_date.isoformat())
    result = phase3_from_fields(fields, ctx, backend)
    value = value_as(result, Phase3Value)  # the data's age: the newest completion (or the trigger) it shows
    triggered_at = value.triggered_at if value.triggered_at is not MISSING else None
    return with_data_at(result, [p.completed_at for p in value.processors] + [triggered_at])


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
    return [p.model_dump() for p in value_as(fetch(backend, ctx), Phase3Value).processors]


# ------------------------------------------------------------------ render


def render(result: CheckResult, tz: ZoneInfo) -> tuple[str, Text]:
    from rich.text import Text  # rich: only when drawn (`check --json` never draws)

    v = value_as(result, Phase3Value)
    body = Text()
    for row in v.processors:
        status = row.status or "?"
        if status == "malformed" or status.casefold() in FAILED_STATUSES:
            style = "red"
        else:
            style = "yellow" if row.problem is not MISSING or status != "success" else "green"
        body.append(f"L{row.level or '?'} ", style="dim")
        body.append(f"{row.name.removesuffix('Processor'):<28.28}")
        # `malformed` whole (nothing follows it: such a row has no time); others in 8 columns.
        body.append(f" {status}" if status == "malformed" else f" {status:<8.8}", style=style)
        body.append(f" {hhmm(row.completed_at, tz)}\n")
    if v.triggered is True:
        triggered_at = v.triggered_at if v.triggered_at is not MISSING else None
        body.append(f"grading triggered {hhmm(triggered_at, tz)}\n", style="green")
    return headline(result), body


def headline(result: CheckResult) -> str:
    v = value_as(result, Phase3Value)
    return f"{v.completed}/{v.expected}"


def markdown(value: CheckValue | None, tz: tzinfo) -> list[str]:
    if not isinstance(value, Phase3Value) or not value.processors:
        return []
    out = ["", "| Processor | Level | Status | Completed |", "|---|---:|---|---|"]
    out += [
        f"| {_cell(p.name)} | {p.level} | {_cell(p.problem if p.problem is not MISSING else p.status)} | "
        f"{for_people(p.completed_at, tz, missing='')} |"
        for p in value.processors
    ]
    return out


def _cell(text: object) -> str:
    """A document's own text in a Markdown table cell: no pipe or line break ends the cell."""
    return " ".join(str(text).replace("|", "\\|").split())


def notify_rows(value: Phase3Value, tz: tzinfo) -> list[str]:
    return [f"{p.name}: {p.status}" for p in value.processors if p.status != "success"]


def _document(ctx: CheckContext) -> str:
    return ctx.processing_date.isoformat()


SPEC = CheckSpec(
    ID,
    TITLE,
    fetch,
    drill,
    render,
    headline,
    short_title="phase3",
    value_model=Phase3Value,
    rows_title="Phase 3 processors",
    rows_empty="the processing date's document lists no processor yet",
    source="firestore",
    markdown=markdown,
    reads=lambda ctx: f"Firestore document {PHASE3_COLLECTION}/{_document(ctx)}",
    notify_rows=notify_rows,
    # With the backend: past the deadline an incomplete document is judged overdue, as the
    # refresh judges it (whether there were games is remembered from it).
    live=DocumentFeed(PHASE3_COLLECTION, _document, phase3_from_fields),
)
