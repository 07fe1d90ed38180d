"""Validating a scenario directory so that DuckDB and the checks accept everything it lets
through; the first problem is refused as one line `path:line: reason` (ScenarioError).

- Only regular files are read (never a FIFO, a device or a directory in a file's place), no
  symlink may lead out of the scenario directory, and no file may exceed `local.max_file_mb`.
- Table rows are checked against the types DuckDB is given (schema.py), one compiled
  checker per column: INT64 within 64 bits, DATE `YYYY-MM-DD` within 1900-2999, TIMESTAMP
  by the console's one RFC 3339 parser, no duplicate keys (DuckDB refuses them). A block of
  lines is checked a column at a time first (the set of types each column holds, each
  distinct date and timestamp once); only a block with a problem is checked row by row,
  which words the refusal (issue 13: a season loads in ~2x DuckDB's own read_json).
- Documents and deploy state are validated with the pydantic models the checks use.
- With `stage`, every validated file is also copied there: the load then builds from those
  bytes, never from the source again (which could change, or be a FIFO, in between).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from itertools import repeat
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson
from pydantic import ValidationError

from console.core.errors import ScenarioError, validation_line
from console.core.safefile import UnsafeFileError, check_inside, open_regular, read_regular
from console.core.schema import BY_LOGICAL, PHASE3_COLLECTION, TableSpec
from console.core.timestamps import MAX_DATE, MIN_DATE, parse_timestamp

if TYPE_CHECKING:
    from console.core.config import Settings

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


# ------------------------------------------------------------------ column checkers


def _valid_date(value: Any) -> bool:
    if type(value) is not str or _DATE.fullmatch(value) is None:
        return False
    try:
        return MIN_DATE <= date.fromisoformat(value) <= MAX_DATE
    except ValueError:
        return False


_CHECKERS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "STRING": (lambda v: type(v) is str, "a string"),
    "INT64": (lambda v: type(v) is int and _INT64_MIN <= v <= _INT64_MAX, "a 64-bit integer"),
    "FLOAT64": (lambda v: type(v) is float or (type(v) is int), "a number"),
    "BOOL": (lambda v: type(v) is bool, "true or false"),
    "DATE": (_valid_date, f"a date YYYY-MM-DD between {MIN_DATE} and {MAX_DATE}"),
    "TIMESTAMP": (
        lambda v: type(v) is str and parse_timestamp(v) is not None,
        "an RFC 3339 timestamp like 2026-02-05T11:00:00Z",
    ),
}


def column_checkers(spec: TableSpec) -> dict[str, tuple[Callable[[Any], bool], str, bool]]:
    """column -> (check, what it expects, nullable): decided once per file, not per value."""
    return {c.name: (*_CHECKERS[c.type], c.nullable) for c in spec.columns}


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def duplicate_key(line: bytes, decoded: dict[str, Any]) -> str | None:
    """The duplicated key of a JSON object line, if any. orjson keeps the last of duplicate
    keys silently; DuckDB refuses the row. Cheap test first: when every key's closing quote
    is directly followed by `:` (no `" `), counting `":` bounds the number of keys from
    above, so a count equal to the decoded keys proves there is no duplicate."""
    if line.count(b'":') == len(decoded) and b'" ' not in line and b'"\t' not in line and b'"\r' not in line:
        return None
    try:
        json.loads(line, object_pairs_hook=_no_duplicates)
    except ValueError as exc:
        return str(exc)
    return None


def _loads_object(data: bytes, label: str, what: str, line: int | None = None) -> dict[str, Any]:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ScenarioError(label, f"invalid JSON: {exc}", line if line is not None else _lineno(exc)) from None
    if not isinstance(value, dict):
        raise ScenarioError(label, f"{what} must be a JSON object", line)
    if problem := duplicate_key(data, value):
        raise ScenarioError(label, problem, line)
    return value


def _lineno(exc: orjson.JSONDecodeError) -> int | None:
    return getattr(exc, "lineno", None)


# ------------------------------------------------------------------ files


class _Reader:
    """Opens the scenario's files safely and copies what it validated into `stage`."""

    def __init__(self, src: Path, max_bytes: int, stage: Path | None):
        self.src, self.root, self.max_bytes, self.stage = src, src.resolve(), max_bytes, stage

    def label(self, path: Path) -> str:
        return f"{self.src.name or self.root.name}/{path.relative_to(self.src).as_posix()}"

    def open(self, path: Path) -> IO[bytes]:
        try:
            return open_regular(path, self.max_bytes, inside=self.root)
        except UnsafeFileError as exc:
            raise ScenarioError(self.label(path), exc.reason) from None
        except OSError as exc:
            raise ScenarioError(self.label(path), f"cannot read: {exc.strerror or exc}") from None

    def read(self, path: Path) -> bytes:
        try:
            return read_regular(path, self.max_bytes, inside=self.root)
        except UnsafeFileError as exc:
            raise ScenarioError(self.label(path), exc.reason) from None
        except OSError as exc:
            raise ScenarioError(self.label(path), f"cannot read: {exc.strerror or exc}") from None

    def staged(self, path: Path) -> Path | None:
        if self.stage is None:
            return None
        target = self.stage / path.relative_to(self.src)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def folder(self, path: Path) -> list[Path] | None:
        """The entries of a sub-folder, or None when absent; refused when not a folder."""
        if not path.exists() and not path.is_symlink():
            return None
        try:
            check_inside(path, self.root)
        except UnsafeFileError as exc:
            raise ScenarioError(self.label(path), exc.reason) from None
        if not path.is_dir():
            raise ScenarioError(self.label(path), "expected a folder")
        try:
            return sorted(path.iterdir())
        except OSError as exc:
            raise ScenarioError(self.label(path), f"cannot list: {exc.strerror or exc}") from None


def validate_table_file(reader: _Reader, path: Path, spec: TableSpec) -> int:
    """The rows of one table file; the first problem refused with its line and reason.

    A whole block of lines is first checked column by column (validate_rows_fast); only when a
    block has a problem is the file checked row by row, which finds and words it exactly."""
    count = _validate_table_fast(reader, path, spec)
    return count if count is not None else _validate_table_rows(reader, path, spec)


def _validate_table_fast(reader: _Reader, path: Path, spec: TableSpec) -> int | None:
    """The row count when every row is valid; None when some block is not (or looks odd)."""
    plan = _column_plan(spec)
    count, total = 0, 0
    target = reader.staged(path)
    out = target.open("wb") if target else None
    try:
        with reader.open(path) as fh:
            while lines := fh.readlines(_BLOCK_BYTES):
                total += sum(map(len, lines))
                if total > reader.max_bytes:
                    return None
                if out is not None:
                    out.writelines(lines)
                rows = validate_rows_fast([line for line in lines if not line.isspace()], plan)
                if rows is None:
                    return None
                count += rows
    finally:
        if out is not None:
            out.close()
    return count


_BLOCK_BYTES = 1 << 22  # decoded a block at a time: memory stays bounded for any file size
_NONE = type(None)
_ALLOWED_TYPES: dict[str, set[type]] = {
    "STRING": {str},
    "INT64": {int},
    "FLOAT64": {float, int},
    "BOOL": {bool},
    "DATE": {str},
    "TIMESTAMP": {str},
}


# (column -> (type, nullable), the columns checked by value, every column, the required ones)
_Plan = tuple[dict[str, tuple[str, bool]], tuple[str, ...], frozenset[str], frozenset[str]]


def _column_plan(spec: TableSpec) -> _Plan:
    kinds = {c.name: (c.type, c.nullable) for c in spec.columns}
    valued = tuple(c.name for c in spec.columns if c.type in ("INT64", "DATE", "TIMESTAMP"))
    return kinds, valued, frozenset(kinds), frozenset(c.name for c in spec.columns if not c.nullable)


def validate_rows_fast(lines: list[bytes], plan: _Plan) -> int | None:
    """len(lines) when every line is a row the row-by-row check accepts; None otherwise (it
    may be None for a valid block too: then the row-by-row check decides). Not per value:
    each distinct (keys, value types) signature of the block once, then the columns whose
    values matter beyond their type (64-bit range, dates, timestamps), each distinct value once."""
    kinds, valued, known, required = plan
    try:
        rows = list(map(orjson.loads, lines))
    except orjson.JSONDecodeError:
        return None
    if rows and set(map(type, rows)) != {dict}:
        return None
    # Duplicate keys, as duplicate_key() decides for one line, for the whole block at once.
    joined = b"".join(lines)
    if b'" ' in joined or b'"\t' in joined or b'"\r' in joined or joined.count(b'":') != sum(map(len, rows)):
        return None
    # Built by C-level maps only: (the row's keys, the types of its values), usually a handful.
    signatures = set(zip(map(tuple, rows), map(tuple, map(map, repeat(type), map(dict.values, rows))), strict=True))
    for keys, types in signatures:
        shape = frozenset(keys)
        if not shape <= known or not required <= shape:
            return None
        for key, value_type in zip(keys, types, strict=True):
            kind, nullable = kinds[key]
            if value_type is _NONE:
                if not nullable:
                    return None
            elif value_type not in _ALLOWED_TYPES[kind]:
                return None
    for name in valued:
        values: set[Any] = set(map(dict.get, rows, repeat(name)))  # ints or strs by now: hashable
        values.discard(None)
        if not values:
            continue
        kind = kinds[name][0]
        if kind == "INT64":
            if min(values) < _INT64_MIN or max(values) > _INT64_MAX:
                return None
        elif not all(map(_CHECKERS[kind][0], values)):
            return None
    return len(rows)


def _validate_table_rows(reader: _Reader, path: Path, spec: TableSpec) -> int:
    label = reader.label(path)
    checkers = column_checkers(spec)
    required = [c.name for c in spec.columns if not c.nullable]
    count, total = 0, 0
    target = reader.staged(path)
    out = target.open("wb") if target else None
    try:
        with reader.open(path) as fh:
            for lineno, line in enumerate(fh, start=1):
                total += len(line)
                if total > reader.max_bytes:
                    raise ScenarioError(label, "grew over the size limit while being read", lineno)
                if out is not None:
                    out.write(line)
                if not line.strip():
                    continue
                row = _loads_object(line, label, "each line", lineno)
                for column in required:
                    if row.get(column) is None:
                        raise ScenarioError(label, f"missing required column {column!r}", lineno)
                for column, value in row.items():
                    checker = checkers.get(column)
                    if checker is None:
                        raise ScenarioError(label, f"unknown column {column!r} for {spec.default_name}", lineno)
                    if value is None:
                        if not checker[2]:
                            raise ScenarioError(label, f"column {column!r} must not be null", lineno)
                    elif not checker[0](value):
                        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
                        raise ScenarioError(label, f"column {column!r} expects {checker[1]}, got {shown}", lineno)
                count += 1
    finally:
        if out is not None:
            out.close()
    return count


def _check_log_entry(item: Any, label: str, where: int | None, prefix: str) -> None:
    if not isinstance(item, dict):
        raise ScenarioError(label, f"{prefix}a LogEntry must be a JSON object", where)
    if parse_timestamp(item.get("timestamp")) is None:
        shown = repr(item.get("timestamp"))[:60]
        raise ScenarioError(
            label,
            f"{prefix}missing or unreadable 'timestamp' ({shown}; expected RFC 3339 "
            "with an offset, within years 1-9999 in UTC)",
            where,
        )


def validate_logs_file(reader: _Reader, path: Path) -> int:
    label = reader.label(path)
    data = reader.read(path)
    count = 0
    if path.suffix == ".ndjson":
        for lineno, line in enumerate(data.split(b"\n"), start=1):
            if not line.strip():
                continue
            try:
                item = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ScenarioError(label, f"invalid JSON: {exc}", lineno) from None
            _check_log_entry(item, label, lineno, "")
            count += 1
    else:
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise ScenarioError(label, f"invalid JSON: {exc.msg}", _lineno(exc)) from None
        if not isinstance(parsed, list):
            raise ScenarioError(label, "expected a JSON array of LogEntry objects")
        for index, item in enumerate(parsed):
            _check_log_entry(item, label, None, f"entry {index}: ")
        count = len(parsed)
    if target := reader.staged(path):
        target.write_bytes(data)
    return count


def validate_document(reader: _Reader, path: Path) -> None:
    label = reader.label(path)
    if path.suffix != ".json":
        raise ScenarioError(label, "documents must be <doc_id>.json files")
    data = reader.read(path)
    fields = _loads_object(data, label, "a document")
    if path.parent.name == PHASE3_COLLECTION:
        from console.core.phase3_doc import (  # here: a load of tables alone never builds the models
            Phase3Document,
            Phase3RecordError,
        )

        try:
            # A processor field that is not a record (null, "nope", {}, success without its
            # completed_at) is refused with its key; a record of a queued or failed run loads.
            Phase3Document.from_fields(path.stem, fields, strict=True)
        except Phase3RecordError as exc:
            raise ScenarioError(
                label,
                f"processor {exc.key}: {exc.problem} (a processor's field must be a record "
                'like {"status": "success", "completed_at": "2026-02-05T12:14:00Z"})',
            ) from None
        except ValidationError as exc:
            raise ScenarioError(label, validation_line(exc)) from None
    if target := reader.staged(path):
        target.write_bytes(data)


def validate_deploy(reader: _Reader, path: Path) -> int:
    label = reader.label(path)
    data = reader.read(path)
    _loads_object(data, label, "deploy state")
    from console.core.models import DeployState

    try:
        state = DeployState.model_validate_json(data)
    except ValidationError as exc:
        raise ScenarioError(label, validation_line(exc)) from None
    if target := reader.staged(path):
        target.write_bytes(data)
    return len(state.services)


def validate_scenario(
    src: Path,
    settings: Settings,
    stage: Path | None = None,
    fast: Callable[[_Reader, Path, TableSpec], int | None] | None = None,
) -> dict[str, int]:
    """Check every file; returns counts per file. Raises ScenarioError on the first problem.
    `fast` may take a table file instead (fast_load.py): a count, or None to check it here."""
    src = Path(src)
    if not src.is_dir():
        raise ScenarioError(str(src), "not a directory" if src.exists() else "no such directory")
    reader = _Reader(src, int(settings.local.max_file_mb * 1_000_000), stage)
    counts: dict[str, int] = {}
    tables = tables_by_file(settings)
    for path in reader.folder(src / "tables") or []:
        if path.name not in tables:
            known = ", ".join(sorted(tables))
            raise ScenarioError(reader.label(path), f"unknown table file (expected one of: {known})")
        count = fast(reader, path, tables[path.name]) if fast is not None else None
        counts[reader.label(path)] = (
            count if count is not None else validate_table_file(reader, path, tables[path.name])
        )
    for collection in reader.folder(src / "firestore") or []:
        for path in reader.folder(collection) or []:
            validate_document(reader, path)
            counts[reader.label(path)] = 1
    for path in reader.folder(src / "logs") or []:
        if path.suffix not in (".json", ".ndjson"):
            raise ScenarioError(
                reader.label(path), "log files must end in .json (array) or .ndjson (one entry per line)"
            )
        counts[reader.label(path)] = validate_logs_file(reader, path)
    deploy = src / "deploy.json"
    if deploy.exists() or deploy.is_symlink():
        counts[reader.label(deploy)] = validate_deploy(reader, deploy)
    if not counts:
        raise ScenarioError(str(src), "no tables/, firestore/, logs/ or deploy.json: nothing to load")
    return counts


def tables_by_file(settings: Settings) -> dict[str, TableSpec]:
    out = {}
    for logical, spec in BY_LOGICAL.items():
        name = ".".join(getattr(settings.tables, logical).split(".")[-2:])
        out[f"{name}.ndjson"] = spec
    return out
