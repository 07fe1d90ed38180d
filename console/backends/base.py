"""The interface both backends implement: queries, documents, logs and deploy state."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Iterator

from ..core.config import Settings
from ..core.models import DeployState, LogEntry


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
