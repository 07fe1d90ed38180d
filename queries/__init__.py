"""BigQuery Standard SQL files, one per question the console asks.

Each file uses the default table names (see console.core.schema) and named parameters
(``@game_date``); console.core.sql maps the names from the config and transpiles for DuckDB.
"""

from importlib import resources


def names() -> list[str]:
    return sorted(p.name[:-4] for p in resources.files(__name__).iterdir() if p.name.endswith(".sql"))


def load(name: str) -> str:
    path = resources.files(__name__).joinpath(f"{name}.sql")
    if not path.is_file():
        raise KeyError(f"no query named {name!r} (have: {', '.join(names())})")
    return path.read_text(encoding="utf-8")
