"""Scenario directories: the interchange format of the local backend.

    tables/<dataset>.<table>.ndjson     one row per line (DATE YYYY-MM-DD, TIMESTAMP RFC 3339)
    firestore/<collection>/<doc>.json   a document's fields
    logs/*.json | logs/*.ndjson         LogEntry objects as `gcloud logging read --format=json`
    deploy.json                         {"services": [...], "commits": [...]}

Loading validates everything (validate.py) into a new generation directory and only
then swaps the `current` link, so a broken scenario is refused with its path, line and
reason and the data already loaded stays as it was. Loads into one data directory are
serialized by a lock file; each load first removes what killed loads left behind.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import filelock

import duckdb
import orjson

from console.core.config import Settings
from console.core.errors import ScenarioError, first_line
from console.core.schema import BY_LOGICAL, DUCKDB_TYPES
from console.core.timestamps import rfc3339
from console.local.validate import tables_by_file, validate_scenario  # validate_scenario re-exported

DB_FILE = "warehouse.duckdb"
CURRENT = "current"
LOCK_FILE = ".load.lock"
STAGE = ".staging"  # inside a generation being built: the validated copy of the scenario
SUPERSEDED = ".superseded"  # in a generation no longer current: when it stopped being current
_DUCKDB_LINE = re.compile(r"\bin line (\d+)")


# ------------------------------------------------------------------ build, load, export


def create_tables(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    for logical, spec in BY_LOGICAL.items():
        schema_name, table = getattr(settings.tables, logical).split(".")[-2:]
        columns = ", ".join(f"{c.name} {DUCKDB_TYPES[c.type]}{'' if c.nullable else ' NOT NULL'}" for c in spec.columns)
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')
        con.execute(f'CREATE TABLE IF NOT EXISTS "{schema_name}"."{table}" ({columns})')


def _insert_tables(
    con: duckdb.DuckDBPyConnection,
    stage: Path,
    settings: Settings,
    src_name: str,
    skip: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Insert the validated copies in `stage`/tables (the files the fast path did not take)."""
    for file_name, spec in tables_by_file(settings).items():
        path = stage / "tables" / file_name
        if file_name in skip or not path.exists() or path.stat().st_size == 0:
            continue
        schema_name, table = file_name[: -len(".ndjson")].split(".")
        columns = ", ".join(f"'{c.name}': '{DUCKDB_TYPES[c.type]}'" for c in spec.columns)
        names = ", ".join(c.name for c in spec.columns)
        try:
            con.execute(
                f'INSERT INTO "{schema_name}"."{table}" ({names}) '
                f"SELECT {names} FROM read_json(?, format='newline_delimited', columns={{{columns}}})",
                [str(path)],
            )
        except duckdb.Error as exc:
            # The validator should have refused it first; if they ever disagree, the
            # refusal still names the file and line instead of ending in a traceback.
            message = first_line(exc).replace(str(path), file_name)
            line = _DUCKDB_LINE.search(message)
            raise ScenarioError(
                f"{src_name}/tables/{file_name}", f"DuckDB refused it: {message}", int(line.group(1)) if line else None
            ) from None


def _place_documents(stage: Path, gen: Path) -> None:
    """Documents, logs and deploy state of `gen` (copied from `stage` unless written there)."""
    for sub in ("firestore", "logs"):
        if stage != gen and (stage / sub).is_dir():
            shutil.copytree(stage / sub, gen / sub)
        else:
            (gen / sub).mkdir(exist_ok=True)
    if stage != gen and (stage / "deploy.json").exists():
        shutil.copy2(stage / "deploy.json", gen / "deploy.json")
    elif not (gen / "deploy.json").exists():
        (gen / "deploy.json").write_bytes(orjson.dumps({"services": [], "commits": []}))


def _build_generation(stage: Path, gen: Path, settings: Settings, src_name: str) -> None:
    """Build `gen` from `stage` (the validated copy): the DuckDB file, documents, logs, deploys."""
    con = duckdb.connect(str(gen / DB_FILE))
    try:
        create_tables(con, settings)
        _insert_tables(con, stage, settings, src_name)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    _place_documents(stage, gen)


def _validate_into(src: Path, gen: Path, settings: Settings) -> dict[str, int]:
    """Validate `src` straight into the new generation `gen`: table files DuckDB can prove
    valid are loaded as they are checked (fast_load.py); the others, the documents, logs and
    deploy state are written into `gen` as validated, and the remaining tables inserted from
    those copies. Never reads the source twice for what it keeps."""
    from console.local.fast_load import FastTables

    con = duckdb.connect(str(gen / DB_FILE))
    try:
        create_tables(con, settings)
        names = {f: '"{}"."{}"'.format(*f[: -len(".ndjson")].split(".")) for f in tables_by_file(settings)}
        fast = FastTables(con, names, tables_by_file(settings))
        try:
            counts = validate_scenario(src, settings, stage=gen, fast=fast.load)
        finally:
            fast.close()
        _insert_tables(con, gen, settings, Path(src).name, skip=fast.loaded)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    shutil.rmtree(gen / "tables", ignore_errors=True)  # the validated copies of the slow-path tables
    _place_documents(gen, gen)
    return counts


def load_lock(settings: Settings) -> filelock.FileLock:
    """One load at a time per data directory (`local load`, `seed-demo`, `ensure-demo`)."""
    import filelock  # here: every `check` reads current_dir from this module, only loads lock

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return filelock.FileLock(str(settings.data_dir / LOCK_FILE), timeout=settings.local.lock_timeout_s)


def load_scenario(src: Path, settings: Settings) -> dict[str, int]:
    """Validate `src`, build it beside the current data, then atomically switch to it.
    Serialized by a lock: a second load waits up to `local.lock_timeout_s`, then is refused."""
    import filelock

    from console.core.safety import check_writable

    check_writable(settings, f"replace the local data in {settings.data_dir}")  # before the lock's mkdir
    data_dir = settings.data_dir
    lock = load_lock(settings)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise ScenarioError(
            str(data_dir),
            f"another load into this data directory is still running (waited "
            f"{settings.local.lock_timeout_s:g} s for {LOCK_FILE}); try again when it is done",
        ) from None
    try:
        remove_stale_generations(settings)
        gen = data_dir / f"gen-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        gen.mkdir(parents=True)
        try:
            counts = _validate_into(Path(src), gen, settings)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        _switch_current(data_dir, gen, settings.local.keep_previous_s)
        return counts
    finally:
        lock.release()


def remove_stale_generations(settings: Settings) -> list[str]:
    """Called under the load lock, so no other load is building: every `gen-*` that is not
    current was abandoned by a killed load, or was superseded longer ago than
    `local.keep_previous_s`. Returns the names removed."""
    data_dir = settings.data_dir
    current = current_dir(settings)
    removed = []
    now = datetime.now(UTC).timestamp()
    for path in data_dir.glob("gen-*"):
        if current is not None and path.resolve() == current:
            continue
        marker = path / SUPERSEDED
        try:
            if marker.exists() and now - marker.stat().st_mtime < settings.local.keep_previous_s:
                continue
        except OSError:
            pass
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    for tmp in data_dir.glob(f".{CURRENT}-*"):  # a switch killed between its two steps
        if tmp.is_symlink():
            tmp.unlink(missing_ok=True)
    return removed


def _switch_current(data_dir: Path, gen: Path, keep_previous_s: float = 0.0) -> None:
    link = data_dir / CURRENT
    previous = link.resolve() if link.is_symlink() else None
    tmp = data_dir / f".{CURRENT}-{uuid.uuid4().hex[:6]}"
    os.symlink(gen.name, tmp)
    os.replace(tmp, link)  # atomic: readers see the old or the new generation, never neither
    if previous is not None and previous != gen.resolve() and previous.parent == data_dir.resolve():
        if keep_previous_s > 0:  # a console may still be reading it; the next load removes it
            (previous / SUPERSEDED).touch()
        else:
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
        for file_name, spec in tables_by_file(settings).items():
            schema_name, table = file_name[: -len(".ndjson")].split(".")
            names = [c.name for c in spec.columns]
            cursor = con.execute(f'SELECT {", ".join(names)} FROM "{schema_name}"."{table}" ORDER BY {spec.partition}')
            n = 0
            # Written beside the target and renamed, so a reader never sees half a file.
            with tempfile.NamedTemporaryFile("wb", dir=dest / "tables", delete=False) as fh:
                while batch := cursor.fetchmany(5000):
                    for row in batch:
                        fh.write(orjson.dumps({k: _json_value(v) for k, v in zip(names, row, strict=True)}) + b"\n")
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
