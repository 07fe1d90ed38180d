"""Data backends. Everything above this package talks to a Backend, never to a client."""

from __future__ import annotations

from ..core.config import Settings
from .base import Backend


def open_backend(settings: Settings) -> Backend:
    if settings.backend == "gcp":
        # Imported here so the local backend starts without loading the Google clients.
        from .gcp import GcpBackend

        return GcpBackend(settings)
    from .local import LocalBackend

    return LocalBackend(settings)


__all__ = ["Backend", "open_backend"]
