"""Data backends. Everything above this package talks to a Backend, never to a client."""

from __future__ import annotations

from console.core.backend import Backend
from console.core.config import Settings


def open_backend(settings: Settings) -> Backend:
    if settings.backend == "gcp":
        # Imported here so the local backend starts without loading the Google clients.
        from console.backends.gcp_backend import GcpBackend

        return GcpBackend(settings)
    from console.backends.local_backend import LocalBackend

    return LocalBackend(settings)


__all__ = ["Backend", "open_backend"]
