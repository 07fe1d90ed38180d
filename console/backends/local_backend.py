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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
from cachetools import LRUCache
from pydantic import ValidationError

from console.core import safety, sql
from console.core.backend import Backend
from console.core.errors import ErrorKind, SourceError, first_line, validation_line
from console.core.models import DeployState, LogEntries, LogEntry
from console.core.safefile import UnsafeFileError, read_regular, write_atomic
from console.core.timestamps import looks_like_timestamp, parse_timestamp
from console.local.scenario import DB_FILE, current_dir
from console.logs.parse import MalformedLog, parse_log_file
from console.logs.window_scan import WindowScan, scan_json_file, scan_ndjson_file


class LocalBackend(Backend):
    name = "local"

    def __init__(self, settings):
        super().__init__(settings)
        # Each log file's last scan for a window (what it kept, where it stopped), so a
        # refresh reads only what was appended; never the file's entries themselves.
        self._scans: LRUCache = LRUCache(maxsize=32)
        self._scans_lock = threading.Lock()
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
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
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
                    raise SourceError(
                        ErrorKind.UNAVAILABLE, f"cannot open local database {db}: {first_line(exc)}"
                    ) from exc
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
        """Every entry of one file (the headless demo's small files; checks use scan_logs)."""
        data = read_source_file(path) or b""
        try:
            return parse_log_file(data, ndjson=path.suffix == ".ndjson")[0]
        except MalformedLog as exc:
            raise SourceError(ErrorKind.MALFORMED, exc.at(path)) from exc

    def read_logs(self, service: str, start: datetime, end: datetime) -> LogEntries:
        return self.scan_logs(service, start, end, _keep_all)

    def scan_logs(self, service: str, start: datetime, end: datetime, keep, keep_key=None) -> LogEntries:
        """Each file streamed (window_scan.py): memory is a chunk plus what `keep` keeps,
        whatever the files' size. With a `keep_key`, each file's answer is remembered (an
        LRU of a few windows) and an NDJSON file that only grew is read from where the last
        scan stopped: a refresh reads what was appended, not the whole file again."""
        kept: list[LogEntry] = []
        skipped, newest = 0, None
        for path in self.log_files():
            cache_key = (path, service, start, keep_key) if keep_key is not None else None
            with self._scans_lock:
                previous = self._scans.get(cache_key) if cache_key else None
            scan = self._scan_file(path, service, start, end, keep, previous)
            if scan is None:
                continue
            state, answer = scan
            if cache_key:
                with self._scans_lock:
                    self._scans[cache_key] = state
            skipped += answer.skipped
            kept += answer.kept
            if answer.newest is not None and (newest is None or answer.newest > newest):
                newest = answer.newest
        # Stable: entries of equal time keep the files' order, as the whole-file read had them.
        return LogEntries.of(sorted(kept, key=lambda e: e.timestamp), skipped, newest)

    def _scan_file(
        self, path: Path, service: str, start: datetime, end: datetime, keep, previous: WindowScan | None
    ) -> tuple[WindowScan, WindowScan] | None:
        try:
            if path.suffix == ".ndjson":
                state, answer = scan_ndjson_file(path, service, start, end, keep, previous)
                answer.check_is_log()
                return state, answer
            scan = scan_json_file(path, service, start, end, keep, previous)
            return scan, scan
        except FileNotFoundError:
            return None  # removed since the folder was listed
        except MalformedLog as exc:
            raise SourceError(ErrorKind.MALFORMED, exc.at(path)) from exc
        except UnsafeFileError as exc:
            raise SourceError(ErrorKind.MALFORMED, str(exc)) from exc
        except OSError as exc:
            kind = ErrorKind.PERMISSION if isinstance(exc, PermissionError) else ErrorKind.UNAVAILABLE
            raise SourceError(kind, f"cannot read {path}: {exc.strerror or exc}") from exc

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


def _keep_all(entry: LogEntry) -> bool:
    return True


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
        raise SourceError(
            ErrorKind.MALFORMED, f"{path}:{exc.lineno}: invalid JSON ({exc.msg}, column {exc.colno})"
        ) from exc


def _with_timestamps(value: Any) -> Any:
    """JSON has no timestamp type; Firestore does. Give local documents the same shape."""
    if isinstance(value, dict):
        return {k: _with_timestamps(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_timestamps(v) for v in value]
    if isinstance(value, str) and looks_like_timestamp(value):
        return parse_timestamp(value) or value
    return value
