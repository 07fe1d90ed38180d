"""Scenario directories: the interchange format of the local backend.

    tables/<dataset>.<table>.ndjson     one row per line (DATE YYYY-MM-DD, TIMESTAMP RFC 3339)
    firestore/<collection>/<doc>.json   a document's fields
    logs/*.json | logs/*.ndjson         LogEntry objects as `gcloud logging read --format=json`
    deploy.json                         {"services": [...], "commits": [...]}

Loading validates everything into a new generation directory and only then swaps the
`current` link, so a broken scenario is refused with its path, line and reason and the
data already loaded stays as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import orjson
from pydantic import ValidationError

from .config import Settings
from .errors import ScenarioError
from .logparse import parse_timestamp, rfc3339
from .models import DeployState
from .schema import BY_LOGICAL, DUCKDB_TYPES, TableSpec

DB_FILE = "warehouse.duckdb"
CURRENT = "current"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ------------------------------------------------------------------ validation


def _tables_by_file(settings: Settings) -> dict[str, TableSpec]:
    out = {}
    for logical, spec in BY_LOGICAL.items():
        name = ".".join(getattr(settings.tables, logical).split(".")[-2:])
        out[f"{name}.ndjson"] = spec
    return out


def _check_value(spec: TableSpec, column: str, value: Any) -> str | None:
    col = spec.column(column)
    if col is None:
        return f"unknown column {column!r} for {spec.default_name}"
    if value is None:
        return None if col.nullable else f"column {column!r} must not be null"
    kind = col.type
    ok = {
        "STRING": isinstance(value, str),
        "INT64": isinstance(value, int) and not isinstance(value, bool),
        "FLOAT64": isinstance(value, (int, float)) and not isinstance(value, bool),
        "BOOL": isinstance(value, bool),
        "DATE": isinstance(value, str) and bool(_DATE.match(value)) and _valid_date(value),
        "TIMESTAMP": isinstance(value, str) and parse_timestamp(value) is not None,
    }[kind]
    if not ok:
        hint = {"DATE": "YYYY-MM-DD", "TIMESTAMP": "an RFC 3339 timestamp"}.get(kind, kind)
        return f"column {column!r} expects {hint}, got {value!r}"
    return None


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return True
    except ValueError:
        return False


def validate_table_file(path: Path, spec: TableSpec, label: str) -> int:
    required = [c.name for c in spec.columns if not c.nullable]
    count = 0
    with path.open("rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ScenarioError(label, f"invalid JSON: {exc}", lineno) from None
            if not isinstance(row, dict):
                raise ScenarioError(label, "each line must be a JSON object", lineno)
            for column in required:
                if row.get(column) is None:
                    raise ScenarioError(label, f"missing required column {column!r}", lineno)
            for column, value in row.items():
                if problem := _check_value(spec, column, value):
                    raise ScenarioError(label, problem, lineno)
            count += 1
    return count


def _json_error(label: str, exc: orjson.JSONDecodeError) -> ScenarioError:
    return ScenarioError(label, f"invalid JSON: {exc.msg}", getattr(exc, "lineno", None))


def validate_logs_file(path: Path, label: str) -> int:
    data = path.read_bytes()
    if path.suffix == ".ndjson":
        items = []
        for lineno, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append((lineno, orjson.loads(line)))
            except orjson.JSONDecodeError as exc:
                raise ScenarioError(label, f"invalid JSON: {exc}", lineno) from None
    else:
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise _json_error(label, exc) from None
        if not isinstance(parsed, list):
            raise ScenarioError(label, "expected a JSON array of LogEntry objects")
        items = [(None, item) for item in parsed]
    for index, (lineno, item) in enumerate(items):
        where = lineno if lineno is not None else None
        prefix = "" if lineno is not None else f"entry {index}: "
        if not isinstance(item, dict):
            raise ScenarioError(label, f"{prefix}a LogEntry must be a JSON object", where)
        if parse_timestamp(item.get("timestamp")) is None:
            raise ScenarioError(label, f"{prefix}missing or unreadable 'timestamp'", where)
    return len(items)


def validate_scenario(src: Path, settings: Settings) -> dict[str, int]:
    """Check every file; returns counts per file. Raises ScenarioError on the first problem."""
    if not src.is_dir():
        raise ScenarioError(str(src), "not a directory")
    counts: dict[str, int] = {}
    tables = _tables_by_file(settings)
    tables_dir = src / "tables"
    if tables_dir.is_dir():
        for path in sorted(tables_dir.iterdir()):
            label = f"{src.name}/tables/{path.name}"
            if path.name not in tables:
                known = ", ".join(sorted(tables))
                raise ScenarioError(label, f"unknown table file (expected one of: {known})")
            counts[label] = validate_table_file(path, tables[path.name], label)
    fs_dir = src / "firestore"
    if fs_dir.is_dir():
        for path in sorted(fs_dir.glob("*/*")):
            label = f"{src.name}/firestore/{path.parent.name}/{path.name}"
            if path.suffix != ".json":
                raise ScenarioError(label, "documents must be <doc_id>.json files")
            try:
                doc = orjson.loads(path.read_bytes())
            except orjson.JSONDecodeError as exc:
                raise _json_error(label, exc) from None
            if not isinstance(doc, dict):
                raise ScenarioError(label, "a document must be a JSON object of fields")
            counts[label] = 1
    logs_dir = src / "logs"
    if logs_dir.is_dir():
        for path in sorted(logs_dir.iterdir()):
            label = f"{src.name}/logs/{path.name}"
            if path.suffix not in (".json", ".ndjson"):
                raise ScenarioError(label, "log files must end in .json (array) or .ndjson (one entry per line)")
            counts[label] = validate_logs_file(path, label)
    deploy = src / "deploy.json"
    if deploy.exists():
        try:
            state = DeployState.model_validate_json(deploy.read_bytes())
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            raise ScenarioError(f"{src.name}/deploy.json", f"{key}: {err['msg']}") from None
        counts[f"{src.name}/deploy.json"] = len(state.services)
    if not counts:
        raise ScenarioError(str(src), "no tables/, firestore/, logs/ or deploy.json: nothing to load")
    return counts


# ------------------------------------------------------------------ build, load, export


def create_tables(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    for logical, spec in BY_LOGICAL.items():
        schema_name, table = getattr(settings.tables, logical).split(".")[-2:]
        columns = ", ".join(
            f"{c.name} {DUCKDB_TYPES[c.type]}{'' if c.nullable else ' NOT NULL'}" for c in spec.columns
        )
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')
        con.execute(f'CREATE TABLE IF NOT EXISTS "{schema_name}"."{table}" ({columns})')


def _build_generation(src: Path, gen: Path, settings: Settings) -> None:
    gen.mkdir(parents=True)
    con = duckdb.connect(str(gen / DB_FILE))
    try:
        create_tables(con, settings)
        for file_name, spec in _tables_by_file(settings).items():
            path = src / "tables" / file_name
            if not path.exists() or path.stat().st_size == 0:
                continue
            schema_name, table = file_name[: -len(".ndjson")].split(".")
            columns = ", ".join(f"'{c.name}': '{DUCKDB_TYPES[c.type]}'" for c in spec.columns)
            names = ", ".join(c.name for c in spec.columns)
            con.execute(
                f'INSERT INTO "{schema_name}"."{table}" ({names}) '
                f"SELECT {names} FROM read_json(?, format='newline_delimited', columns={{{columns}}})",
                [str(path)],
            )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    for sub in ("firestore", "logs"):
        if (src / sub).is_dir():
            shutil.copytree(src / sub, gen / sub)
        else:
            (gen / sub).mkdir()
    if (src / "deploy.json").exists():
        shutil.copy2(src / "deploy.json", gen / "deploy.json")
    else:
        (gen / "deploy.json").write_bytes(orjson.dumps({"services": [], "commits": []}))


def load_scenario(src: Path, settings: Settings) -> dict[str, int]:
    """Validate `src`, build it beside the current data, then atomically switch to it."""
    from .safety import check_writable

    check_writable(settings, f"replace the local data in {settings.data_dir}")
    counts = validate_scenario(src, settings)
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    gen = data_dir / f"gen-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    try:
        _build_generation(src, gen, settings)
    except Exception:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    _switch_current(data_dir, gen)
    return counts


def _switch_current(data_dir: Path, gen: Path) -> None:
    link = data_dir / CURRENT
    previous = link.resolve() if link.is_symlink() else None
    tmp = data_dir / f".{CURRENT}-{uuid.uuid4().hex[:6]}"
    os.symlink(gen.name, tmp)
    os.replace(tmp, link)  # atomic: readers see the old or the new generation, never neither
    if previous is not None and previous != gen.resolve() and previous.parent == data_dir.resolve():
        shutil.rmtree(previous, ignore_errors=True)


def current_dir(settings: Settings) -> Path | None:
    link = settings.data_dir / CURRENT
    return link.resolve() if link.exists() else None


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def export_scenario(settings: Settings, dest: Path) -> dict[str, int]:
    src = current_dir(settings)
    if src is None:
        raise ScenarioError(str(settings.data_dir), "no local data to export (run `nba-console local seed-demo`)")
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "tables").mkdir(exist_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(src / DB_FILE), read_only=True)
    try:
        for file_name, spec in _tables_by_file(settings).items():
            schema_name, table = file_name[: -len(".ndjson")].split(".")
            names = [c.name for c in spec.columns]
            cursor = con.execute(f'SELECT {", ".join(names)} FROM "{schema_name}"."{table}" ORDER BY {spec.partition}')
            n = 0
            # Written beside the target and renamed, so a reader never sees half a file.
            with tempfile.NamedTemporaryFile("wb", dir=dest / "tables", delete=False) as fh:
                while batch := cursor.fetchmany(5000):
                    for row in batch:
                        fh.write(orjson.dumps({k: _json_value(v) for k, v in zip(names, row)}) + b"\n")
                        n += 1
            os.replace(fh.name, dest / "tables" / file_name)
            counts[f"tables/{file_name}"] = n
    finally:
        con.close()
    for sub in ("firestore", "logs"):
        if (src / sub).is_dir():
            shutil.copytree(src / sub, dest / sub, dirs_exist_ok=True)
            counts[sub] = sum(1 for p in (dest / sub).rglob("*") if p.is_file())
    shutil.copy2(src / "deploy.json", dest / "deploy.json")
    return counts
