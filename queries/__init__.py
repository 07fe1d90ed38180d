"""BigQuery Standard SQL files, one per question the console asks.

Each file uses the default table names (see console.core.schema) and named parameters
(``@game_date``); console.core.sql maps the names from the config and transpiles for DuckDB.

The files are read beside this module, not through importlib.resources: the package is always
installed as files (an editable install or an unpacked wheel), and importlib.resources' readers
cost the console's start-up a few tens of milliseconds (issue 13).
"""

from pathlib import Path

_HERE = Path(__file__).parent


def names() -> list[str]:
    return sorted(p.name[:-4] for p in _HERE.iterdir() if p.name.endswith(".sql"))


def load(name: str) -> str:
    path = _HERE / f"{name}.sql"
    if "/" in name or "\\" in name or not path.is_file():
        raise KeyError(f"no query named {name!r} (have: {', '.join(names())})")
    return path.read_text(encoding="utf-8")
