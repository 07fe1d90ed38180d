"""A Cloud Logging entry as the console holds it: a plain class with slots, not a pydantic
model, and in a module of its own so that the log search path (`logs search`, which must start
in the time grep does) imports no pydantic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

_FROM_RAW = object()  # LogEntry.json_payload not given: read it from the raw entry when asked


class LogEntry:
    """The part of a Cloud Logging LogEntry the console reads.

    Not a pydantic model: the log screen holds 100,000 of these, and a model instance costs
    ~650 bytes of bookkeeping before any field. With slots an entry is ~100 bytes plus its
    strings. The whole entry (`raw`, `json_payload`) is kept as the original JSON bytes and
    decoded only when asked for (the entry modal, export). Same constructor keywords,
    attributes, `==`, `model_copy(update=)` and `model_dump()` as the model it replaces.
    """

    __slots__ = ("_payload", "_source", "insert_id", "service", "severity", "text", "timestamp")
    _FIELDS = ("insert_id", "timestamp", "severity", "service", "text", "json_payload", "raw")

    def __init__(
        self,
        *,
        timestamp: datetime | str,
        insert_id: str = "",
        severity: str = "DEFAULT",
        service: str = "",
        text: str = "",
        json_payload: dict[str, Any] | object | None = _FROM_RAW,
        raw: dict[str, Any] | bytes | None = None,
        line: bytes | None = None,
        **_ignored: Any,
    ):
        if isinstance(timestamp, str):
            timestamp = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        if not isinstance(timestamp, datetime):
            raise TypeError(f"LogEntry.timestamp must be a datetime, not {type(timestamp).__name__}")
        self.timestamp = timestamp
        self.insert_id = insert_id
        self.severity = severity
        self.service = service
        self.text = text
        # raw given as a dict without a json_payload: the payload is still the dict's own.
        self._payload = json_payload
        self._source = line if line is not None else raw

    @property
    def raw(self) -> dict[str, Any]:
        """The whole entry as decoded JSON; decoded from the kept bytes on each call."""
        source = self._source
        if isinstance(source, (bytes, bytearray, memoryview)):
            import orjson

            try:
                value = orjson.loads(source)
            except orjson.JSONDecodeError:
                return {}
            return value if isinstance(value, dict) else {}
        return source if isinstance(source, dict) else {}

    @raw.setter
    def raw(self, value: dict[str, Any] | bytes | None) -> None:
        self._source = value

    @property
    def json_payload(self) -> dict[str, Any] | None:
        if self._payload is _FROM_RAW:
            if self._source is None:
                return None
            payload = self.raw.get("jsonPayload")
            return payload if isinstance(payload, dict) else None
        return self._payload  # type: ignore[return-value]  # not _FROM_RAW here: a dict or None

    @json_payload.setter
    def json_payload(self, value: dict[str, Any] | None) -> None:
        self._payload = value

    @property
    def raw_bytes(self) -> bytes | None:
        """The kept JSON bytes (no decoding), or None when the entry was built from fields."""
        source = self._source
        return bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else None

    def model_dump(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._FIELDS}

    def model_copy(self, update: dict[str, Any] | None = None, deep: bool = False) -> LogEntry:
        copy = LogEntry.__new__(LogEntry)
        for name in self.__slots__:
            setattr(copy, name, getattr(self, name))
        for name, value in (update or {}).items():
            setattr(copy, name, value)
        return copy

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LogEntry):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the model it replaces

    def __repr__(self) -> str:
        return (
            f"LogEntry(insert_id={self.insert_id!r}, timestamp={self.timestamp!r}, "
            f"severity={self.severity!r}, service={self.service!r}, text={self.text!r})"
        )
