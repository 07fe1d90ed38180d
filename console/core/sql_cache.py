"""The on-disk cache of transpiled SQL: sqlglot runs once per query text, not once per process.

An entry's file name is a hash of everything its text depends on: the SQL file's bytes, what
was asked (dialect, table mapping) and sqlglot's version (its `_version.py`, read without
importing sqlglot). A changed query file, `[tables]` config or sqlglot
upgrade therefore misses and transpiles again; stale entries are never read. Entries are
written atomically, so a reader sees a whole entry or none. The cache is an optimisation
only: an unreadable or unwritable cache dir falls back to transpiling in the process.

Location: $NBA_CONSOLE_CACHE_DIR, else platformdirs' user cache dir for nba-console.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from console.core.config_environment import CACHE_DIR_ENV

FORMAT = "1"  # bump when what an entry holds changes


@lru_cache(maxsize=1)
def sqlglot_version() -> str:
    """What identifies the installed sqlglot: its generated `_version.py`, read as bytes.

    Found by the import system without importing sqlglot (~0.4 s), and without
    `importlib.metadata` (whose email parser costs start-up ~20 ms): an upgrade or downgrade
    rewrites that file, so its bytes change whenever the version does."""
    from importlib.util import find_spec

    try:
        spec = find_spec("sqlglot")
        locations = spec.submodule_search_locations if spec is not None else None
        if locations:
            data = (Path(next(iter(locations))) / "_version.py").read_bytes()
            return "file:" + hashlib.sha256(data).hexdigest()
    except (OSError, ValueError, ImportError):
        pass
    from importlib import metadata

    try:
        return metadata.version("sqlglot")
    except metadata.PackageNotFoundError:  # a vendored or odd install: then the module itself says
        import sqlglot

        return str(getattr(sqlglot, "__version__", "unknown"))


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("nba-console")) / "sql"


def key(what: tuple[object, ...], source: str) -> str:
    digest = hashlib.sha256()
    for part in (FORMAT, sqlglot_version(), repr(what), source):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def cached(what: tuple[object, ...], source: str, compute: Callable[[], str]) -> str:
    """The text for (what, source): read from the cache, else computed and stored."""
    path = cache_dir() / f"{key(what, source)}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    text = compute()
    try:
        from console.core.safefile import write_atomic

        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"))
    except OSError:  # a read-only home, a full disk: transpiling each time is still correct
        pass
    return text
