"""BigQuery emulator: the PyPI package ``bqemulator`` in its own virtualenv.

``bqemulator`` pins ``sqlglot<30.12``, ``grpcio-tools<1.81`` and friends, so it
lives in ``.emulators/bq-venv`` (repo root), never in the app venv.

Offline start: bqemulator's ``DuckDBEngine._load_spatial`` runs
``INSTALL spatial; LOAD spatial`` and *refuses to start* if that fails (there
is no option to skip it). ``INSTALL`` is a no-op when the extension already
sits in DuckDB's extension directory (``$HOME/.duckdb/extensions/v<ver>/<platform>``),
so :func:`ensure_bq_venv` installs the extension file shipped in the PyPI
wheel ``duckdb-extension-spatial`` (version must equal ``duckdb``'s) into a
private HOME, ``.emulators/bq-home``, and the emulator runs with that HOME.
The best-effort ``avro`` extension download is disabled with
``BQEMU_ENABLE_FORMAT_EXTENSIONS=false`` (it would otherwise try the network).

Stdlib only at import time; the official client is imported lazily by the
helpers that need it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tests.emulators.procs import EmulatorProcess, free_port, start_process, wait_for_http_ok

REPO_ROOT = Path(__file__).resolve().parents[2]
EMULATORS_DIR = Path(os.environ.get("NBA_EMULATORS_DIR", REPO_ROOT / ".emulators"))
BQ_VENV = EMULATORS_DIR / "bq-venv"
BQ_HOME = EMULATORS_DIR / "bq-home"

BQEMULATOR_VERSION = "1.4.0"
DUCKDB_VERSION = "1.5.5"
# Everything the emulator venv needs. duckdb and the spatial extension wheel
# must carry the same version; numpy is needed by bqemulator's query paths.
BQ_REQUIREMENTS = (
    f"bqemulator=={BQEMULATOR_VERSION}",
    f"duckdb=={DUCKDB_VERSION}",
    f"duckdb-extension-spatial=={DUCKDB_VERSION}",
    "numpy>=1.26",
)
_STAMP = BQ_VENV / ".nba-emulator-stamp"

DEFAULT_PROJECT = "test-project"


def bq_python() -> Path:
    return BQ_VENV / "bin" / "python"


def bq_executable() -> Path:
    return BQ_VENV / "bin" / "bqemulator"


def _stamp_text() -> str:
    return json.dumps({"requirements": list(BQ_REQUIREMENTS), "python": sys.version_info[:2]})


def _spatial_installed() -> bool:
    ext_root = BQ_HOME / ".duckdb" / "extensions" / f"v{DUCKDB_VERSION}"
    return any(ext_root.glob("*/spatial.duckdb_extension"))


def bq_venv_ready() -> bool:
    """Cheap check (no subprocess): venv, stamp and spatial extension present."""
    return bq_executable().exists() and _STAMP.exists() and _STAMP.read_text() == _stamp_text() and _spatial_installed()


def ensure_bq_venv(python: str | None = None, quiet: bool = True) -> Path:
    """Create/refresh ``.emulators/bq-venv`` idempotently; return its python.

    Fast path (already installed) only stats a few files. The slow path
    needs PyPI (about 25 s on a warm pip cache).
    """
    if bq_venv_ready():
        return bq_python()
    python = python or os.environ.get("NBA_BQ_VENV_PYTHON") or "python3"
    if not bq_python().exists():
        subprocess.run([python, "-m", "venv", str(BQ_VENV)], check=True)
    pip = [str(bq_python()), "-m", "pip", "install", "--disable-pip-version-check"]
    if quiet:
        pip.append("-q")
    subprocess.run([*pip, *BQ_REQUIREMENTS], check=True)
    _install_spatial_extension()
    _STAMP.write_text(_stamp_text())
    return bq_python()


def _install_spatial_extension() -> None:
    """Copy the wheel's spatial extension into BQ_HOME's DuckDB extension dir."""
    BQ_HOME.mkdir(parents=True, exist_ok=True)
    code = r"""
import pathlib, duckdb, duckdb_extension_spatial as m
root = pathlib.Path(m.__file__).parent
files = sorted(root.rglob("spatial.duckdb_extension"))
want = [f for f in files if f.parent.name == "v" + duckdb.__version__] or files
if not want:
    raise SystemExit("duckdb-extension-spatial wheel ships no spatial.duckdb_extension")
con = duckdb.connect()
con.execute("INSTALL '%s'" % str(want[0]).replace("'", "''"))
con.execute("LOAD spatial")
print(want[0])
"""
    subprocess.run(
        [str(bq_python()), "-c", code],
        check=True,
        env={**_base_env(), "HOME": str(BQ_HOME)},
        stdout=subprocess.DEVNULL,
    )


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BQEMU_")}
    # Don't let the app's emulator variables or a user's .bqemu.toml leak in.
    env.pop("PYTHONPATH", None)
    return env


def start_bigquery(
    port: int | None = None,
    grpc_port: int | None = None,
    project: str = DEFAULT_PROJECT,
    host: str = "127.0.0.1",
    timeout: float = 60.0,
    log_path: Path | None = None,
) -> EmulatorProcess:
    """Start ``bqemulator start`` (ephemeral, in-memory) and wait for its REST port.

    Returns the :class:`EmulatorProcess`; ``proc.port`` is the REST port to use
    as ``api_endpoint=f"http://127.0.0.1:{port}"``. ``proc.grpc_port`` is the
    Storage Read/Write API port.
    """
    if not bq_venv_ready():
        ensure_bq_venv()
    port = port or free_port(host)
    grpc_port = grpc_port or free_port(host)
    run_dir = EMULATORS_DIR / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **_base_env(),
        "HOME": str(BQ_HOME),
        "BQEMU_ENABLE_FORMAT_EXTENSIONS": "false",
        "BQEMU_TRACING_ENABLED": "false",
        "BQEMU_LOG_FORMAT": "console",
        "BQEMU_LOG_LEVEL": "warning",
    }
    argv = [
        str(bq_executable()),
        "start",
        "--rest-host",
        host,
        "--rest-port",
        str(port),
        "--grpc-host",
        host,
        "--grpc-port",
        str(grpc_port),
        "--ephemeral",
        "--project",
        project,
    ]
    t0 = time.monotonic()
    proc = start_process(
        "bqemulator",
        argv,
        host=host,
        port=port,
        env=env,
        cwd=run_dir,
        timeout=timeout,
        log_path=log_path or run_dir / f"bqemulator-{port}.log",
    )
    try:  # port is bound after app start-up, but check the readiness probe too
        wait_for_http_ok(f"http://{host}:{port}/readyz", timeout=timeout, proc=proc)
    except BaseException:
        proc.stop()
        raise
    proc.started_in = time.monotonic() - t0
    proc.grpc_port = grpc_port  # type: ignore[attr-defined]  # extra facts for the BigQuery fixtures
    proc.project = project  # type: ignore[attr-defined]  # extra facts for the BigQuery fixtures
    return proc


# ---------------------------------------------------------------------------
# Client-side helpers (need google-cloud-bigquery in the *calling* venv)
# ---------------------------------------------------------------------------


def make_client(port: int, project: str = DEFAULT_PROJECT, host: str = "127.0.0.1"):
    """Official ``google.cloud.bigquery.Client`` pointed at the emulator."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(
        project=project,
        client_options={"api_endpoint": f"http://{host}:{port}"},
        credentials=AnonymousCredentials(),
    )


def load_rows_json(
    client, table: str, rows: Iterable[dict[str, Any]], schema: Sequence | None = None, timeout: float = 60.0
):
    """Load JSON rows with a *load job* that works on bqemulator.

    ``client.load_table_from_json`` does not work against bqemulator 1.4.0:
    the client sends a *multipart* upload whose media part is typed ``*/*``
    and the emulator rejects it (400). ``load_table_from_file`` without
    ``size`` uses a *resumable* upload, which the emulator accepts.
    ``client.insert_rows_json`` (streaming insert) also works.
    """
    import io

    from google.cloud import bigquery

    data = "\n".join(json.dumps(r, default=str) for r in rows).encode()
    cfg = bigquery.LoadJobConfig(source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON)
    if schema is not None:
        cfg.schema = list(schema)
    else:
        cfg.autodetect = True
    job = client.load_table_from_file(io.BytesIO(data), table, job_config=cfg)  # size=None -> resumable
    job.result(timeout=timeout)
    return job
