"""The embedded demo written as a scenario directory: the morning of 2026-02-05 (demo.py) and
the weeks before it (demo_history.py, issue 16). Here, not in demo.py, so demo_history
(which builds on demo's rosters and clock) and demo are in no import circle."""

from __future__ import annotations

from pathlib import Path

import orjson

from console.core.schema import PHASE3_COLLECTION
from console.local import demo, demo_deploys, demo_history


def write_scenario(dest: Path, seed: int = 20260205) -> Path:
    """Write the demo as a scenario directory (the same format `local load` reads)."""
    (dest / "tables").mkdir(parents=True, exist_ok=True)
    tables = demo.build_rows(seed)
    demo_history.add_history(tables, seed)
    for table, rows in tables.items():
        (dest / "tables" / f"{table}.ndjson").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    folder = dest / "firestore" / PHASE3_COLLECTION
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, fields in {**demo_history.phase3_documents(), **demo.phase3_documents()}.items():
        (folder / f"{doc_id}.json").write_bytes(orjson.dumps(fields, option=orjson.OPT_INDENT_2))
    (dest / "logs").mkdir(exist_ok=True)
    (dest / "logs" / "phase3.json").write_bytes(orjson.dumps(demo.log_entries(), option=orjson.OPT_INDENT_2))
    (dest / "logs" / "history.json").write_bytes(orjson.dumps(demo_history.log_entries(), option=orjson.OPT_INDENT_2))
    (dest / "deploy.json").write_bytes(orjson.dumps(demo_deploys.deploy_state(), option=orjson.OPT_INDENT_2))
    return dest
