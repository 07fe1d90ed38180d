"""`Deduper`: a bounded memory of insertIds, shared by the local and gcp log sources."""

from __future__ import annotations

from collections.abc import Iterable

from cachetools import LRUCache

from console.core.log_entry import LogEntry


class Deduper:
    """Remembers the last `capacity` insertIds: Cloud Logging may return an entry twice
    (overlapping polls, retries); memory stays bounded on an endless tail (an LRU cache:
    a repeat refreshes its id, the least recently seen is forgotten first)."""

    def __init__(self, capacity: int = 100_000):
        self.capacity = capacity
        self._seen: LRUCache[str, None] = LRUCache(maxsize=max(1, capacity))

    def seen(self, entry: LogEntry) -> bool:
        """True when this insertId came before; otherwise remembers it."""
        key = entry.insert_id
        if not key or self.capacity <= 0:  # no id (or no memory): nothing to de-duplicate on, keep it
            return False
        if key in self._seen:
            self._seen[key]  # a lookup marks it recently used
            return True
        self._seen[key] = None
        return False

    def fresh(self, entries: Iterable[LogEntry]) -> list[LogEntry]:
        return [e for e in entries if not self.seen(e)]

    def __bool__(self) -> bool:
        # An empty de-duplicator is still one: `dedupe or Deduper()` must not replace a
        # caller's shared instance just because it has not seen anything yet.
        return True

    def __len__(self) -> int:
        return len(self._seen)
