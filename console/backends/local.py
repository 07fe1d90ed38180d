"""The embedded backend: DuckDB for the tables, JSON files for documents, logs and deploys.

Files are read afresh on every call, so a reload, a deleted or locked database or a
playbook writing deploy.json is seen on the next refresh, not hidden by a long-lived handle.
The DuckDB database is opened read-only once per `holding()` (a `check` run, one refresh of
a panel; overlapping ones share it) and closed when the last one ends; inside, a database
file that changed (path, inode, size, mtime, ctime: a reload, a deleted, renamed or chmod-ed
file) is opened again. Each query runs on its own cursor of that connection, so worker
threads never share one.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import duckdb
import orjson
from pydantic import ValidationError

from .. import safety
from ..core import sql
from ..core.errors import ErrorKind, SourceError, first_line, validation_line
from ..logs.parse import MalformedLog, parse_log_file, parse_timestamp
from ..core.models import DeployState, LogEntries, LogEntry
from ..core.safefile import UnsafeFileError, read_regular, write_atomic
from ..local.scenario import DB_FILE, current_dir
from ..core.timestamps import looks_like_timestamp
from .base import Backend



class LocalBackend(Backend):
    name = "local"

    def __init__(self, settings):
        super().__init__(settings)
        # Parsed log files keyed by (path, size, mtime): refreshes re-read only what changed.
        self._log_cache: dict[Path, tuple[tuple[int, int], list[LogEntry], int]] = {}
        self._deploy_lock = threading.Lock()
        self._db_changed = threading.Condition()
        self._db: tuple[tuple, duckdb.DuckDBPyConnection] | None = None
        self._db_users = 0  # cursors open on it
        self._db_holds = 0  # holding() blocks running

    # ------------------------------------------------------------------ paths

    def root(self) -> Path:
        root = current_dir(self.settings)
        if root is None:
            raise SourceError(
                ErrorKind.NO_DATA,
                f"no local data in {self.settings.data_dir}: run `nba-console local seed-demo` (or `make run`)",
            )
        return root

    # ------------------------------------------------------------------ tables

    def query_text(self, name: str) -> str:
        return sql.render(name, self.settings.tables, "duckdb")

    def run_query(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        text = self.query_text(name)
        con = self._cursor(self.root() / DB_FILE)
        try:
            cursor = con.execute(text, {k: v for k, v in params.items() if f"${k}" in text})
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
        except duckdb.CatalogException as exc:
            raise SourceError(ErrorKind.NOT_FOUND, f"{name}: {first_line(exc)} (see [tables] in the config)") from exc
        except duckdb.Error as exc:
            raise SourceError(ErrorKind.UNAVAILABLE, f"{name}: {first_line(exc)}") from exc
        finally:
            con.close()
            self._released()

    def _cursor(self, db: Path) -> duckdb.DuckDBPyConnection:
        """A cursor (its own DuckDB connection, cheap) of the one read-only connection to `db`.
        The caller closes it (then `_released`)."""
        try:
            st = db.stat()
        except FileNotFoundError:
            raise SourceError(ErrorKind.UNAVAILABLE, f"local database {db} is missing") from None
        except OSError as exc:
            raise SourceError(ErrorKind.UNAVAILABLE, f"cannot open local database {db}: {exc.strerror}") from exc
        key = (str(db), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        with self._db_changed:
            if self._db is None or self._db[0] != key:
                # DuckDB serves a path it still has open from its instance cache, whatever the
                # file is now: the old connection (and its cursors) must be closed first.
                self._db_changed.wait_for(lambda: self._db_users == 0, timeout=30)
                self._close_db()
                try:
                    con = duckdb.connect(str(db), read_only=True)
                except duckdb.Error as exc:
                    raise SourceError(ErrorKind.UNAVAILABLE,
                                      f"cannot open local database {db}: {first_line(exc)}") from exc
                self._db = (key, con)
            self._db_users += 1
            return self._db[1].cursor()

    def _released(self) -> None:
        with self._db_changed:
            self._db_users -= 1
            self._db_changed.notify_all()
            if self._db_users == 0 and self._db_holds == 0:
                self._close_db()

    @contextmanager
    def holding(self) -> Iterator[None]:
        with self._db_changed:
            self._db_holds += 1
        try:
            yield
        finally:
            with self._db_changed:
                self._db_holds -= 1
                if self._db_users == 0 and self._db_holds == 0:
                    self._close_db()

    def _close_db(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            try:
                db[1].close()
            except duckdb.Error:
                pass

    def close(self) -> None:
        with self._db_changed:
            self._close_db()

    # ------------------------------------------------------------------ documents

    def get_document(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        path = self.root() / "firestore" / collection / f"{doc_id}.json"
        data = read_source_file(path)
        if data is None:
            return None
        fields = load_json(path, data)
        if not isinstance(fields, dict):
            raise SourceError(ErrorKind.MALFORMED, f"{path}:1: a document must be a JSON object")
        return _with_timestamps(fields)

    def put_document(self, collection: str, doc_id: str, fields: dict[str, Any]) -> None:
        safety.check_writable(self.settings, f"write {collection}/{doc_id} in the local data")
        folder = self.root() / "firestore" / collection
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"{doc_id}.json", orjson.dumps(fields, option=orjson.OPT_INDENT_2))

    # ------------------------------------------------------------------ logs

    def log_files(self) -> list[Path]:
        folder = self.root() / "logs"
        return sorted(p for p in folder.glob("*") if p.suffix in (".json", ".ndjson")) if folder.is_dir() else []

    def _entries(self, path: Path) -> list[LogEntry]:
        return self._parsed(path)[0]

    def _parsed(self, path: Path) -> tuple[list[LogEntry], int]:
        """(entries, malformed entries skipped) of one log file; SourceError when the file
        cannot be read or is not a log at all."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return [], 0
        except OSError as exc:
            raise SourceError(ErrorKind.UNAVAILABLE, f"cannot read {path}: {exc.strerror}") from exc
        key = (stat.st_size, stat.st_mtime_ns)
        cached = self._log_cache.get(path)
        if cached and cached[0] == key:
            return cached[1], cached[2]
        data = read_source_file(path) or b""
        try:
            entries, skipped = parse_log_file(data, ndjson=path.suffix == ".ndjson")
        except MalformedLog as exc:
            raise SourceError(ErrorKind.MALFORMED, exc.at(path)) from exc
        self._log_cache[path] = (key, entries, skipped)
        return entries, skipped

    def read_logs(self, service: str, start: datetime, end: datetime) -> LogEntries:
        out, skipped = [], 0
        for path in self.log_files():
            entries, bad = self._parsed(path)
            skipped += bad
            out += [e for e in entries if (not service or e.service == service) and start <= e.timestamp <= end]
        return LogEntries.of(sorted(out, key=lambda e: e.timestamp), skipped)

    # ------------------------------------------------------------------ deploy state

    def deploy_state(self) -> DeployState:
        path = self.root() / "deploy.json"
        data = read_source_file(path)
        if data is None:
            return DeployState()
        try:
            return DeployState.model_validate(load_json(path, data))
        except ValidationError as exc:
            raise SourceError(ErrorKind.MALFORMED, f"{path}: {validation_line(exc)}") from exc

    def write_deploy_state(self, state: DeployState) -> None:
        safety.check_writable(self.settings, "change the local deploy state")
        with self._deploy_lock:
            write_atomic(self.root() / "deploy.json", state.model_dump_json(indent=2).encode())




def read_source_file(path: Path) -> bytes | None:
    """A data file's bytes; None when it does not exist (nothing yet), a SourceError naming
    the path and the reason when it exists but cannot be read (permission, a directory, a
    FIFO or a device: only regular files are read, so nothing can block or read forever)."""
    try:
        return read_regular(path)
    except FileNotFoundError:
        return None
    except UnsafeFileError as exc:
        raise SourceError(ErrorKind.MALFORMED, str(exc)) from exc
    except OSError as exc:
        kind = ErrorKind.PERMISSION if isinstance(exc, PermissionError) else ErrorKind.UNAVAILABLE
        raise SourceError(kind, f"cannot read {path}: {exc.strerror or exc}") from exc


def load_json(path: Path, data: bytes) -> Any:
    """JSON, or a SourceError with the path, the line and the reason."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SourceError(ErrorKind.MALFORMED, f"{path}:{exc.lineno}: invalid JSON ({exc.msg}, column {exc.colno})") from exc


def _with_timestamps(value: Any) -> Any:
    """JSON has no timestamp type; Firestore does. Give local documents the same shape."""
    if isinstance(value, dict):
        return {k: _with_timestamps(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_timestamps(v) for v in value]
    if isinstance(value, str) and looks_like_timestamp(value):
        return parse_timestamp(value) or value
    return value
