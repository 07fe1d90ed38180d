"""The panels, in the order the console, `check`, `report`, `watch` and `history` show them.

Adding a panel: one module here (panels/<name>.py with its SPEC), its SQL in
queries/<name>.sql, and one line below.
"""

from __future__ import annotations

from typing import Any

from panels import dnp, drift, grading, phase3, sequential, usage
from panels.spec import CheckSpec

PANELS: tuple[CheckSpec[Any], ...] = (
    phase3.SPEC,
    sequential.SPEC,
    grading.SPEC,
    dnp.SPEC,
    usage.SPEC,
    drift.SPEC,
)
BY_ID: dict[str, CheckSpec[Any]] = {p.id: p for p in PANELS}
