"""Log lines as the local sources read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

T0 = datetime(2026, 2, 5, 12, tzinfo=UTC)


def line(i: int, text: str | None = None, service: str = "svc") -> bytes:
    return (
        orjson.dumps(
            {
                "insertId": f"id{i}",
                "timestamp": (T0 + timedelta(seconds=i)).isoformat(),
                "severity": "INFO",
                "textPayload": text or f"line {i}",
                "resource": {"labels": {"service_name": service}},
            }
        )
        + b"\n"
    )


def texts(entries) -> list[str]:
    return [e.text for e in entries]
