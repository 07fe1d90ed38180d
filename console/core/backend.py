"""The interface both backends implement: queries, documents, logs and deploy state."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from console.core.config import Settings
from console.core.models import DeployState, LogEntries, LogEntry


class Backend(ABC):
    name: str = "abstract"

    def __init__(self, settings: Settings):
        self.settings = settings

    @abstractmethod
    def run_query(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Run queries/<name>.sql with named parameters; rows as dicts."""

    @abstractmethod
    def query_text(self, name: str) -> str:
        """The SQL exactly as this backend sends it (for the drill-down's "show SQL")."""

    @abstractmethod
    def get_document(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        """A Firestore document's fields, or None when it does not exist."""

    @abstractmethod
    def read_logs(self, service: str, start: datetime, end: datetime) -> list[LogEntry]:
        """Log entries of one service within [start, end], oldest first."""

    def scan_logs(
        self, service: str, start: datetime, end: datetime, keep: Callable[[LogEntry], bool], keep_key: Hashable = None
    ) -> LogEntries:
        """The entries of `read_logs` that `keep` keeps, oldest first; `.newest` is the newest
        of them all, kept or not, and `.skipped` the malformed entries passed over. A backend
        that reads files streams them here instead of holding every entry; `keep_key` names
        `keep` (equal keys, equal selections) so such a backend may keep the answer and read
        only what was appended next time. By default: `read_logs`, filtered."""
        entries = self.read_logs(service, start, end)
        return LogEntries.of(
            [e for e in entries if keep(e)],
            getattr(entries, "skipped", 0),
            max((e.timestamp for e in entries), default=None),
        )

    @abstractmethod
    def deploy_state(self) -> DeployState:
        """Deployed services and the platform repo's commit history."""

    def preflight(self) -> None:  # noqa: B027 - optional hook
        """Raise one SourceError when nothing can work (e.g. no credentials at all)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        pass

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Keep what the queries open (the local DuckDB connection) across the queries run
        inside: one open per check run, not one per query. Nothing to keep by default."""
        yield
