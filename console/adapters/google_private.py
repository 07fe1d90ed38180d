"""google-api-core's private names the console uses, and only here.

A `google.api_core.retry.Retry` keeps the predicate it was built with (which exceptions it
retries) as `_predicate`, with no public accessor (2.x). The gcp backend narrows the BigQuery
client's own predicate (console/backends/gcp_retry.py: never retry an unreachable host), so it
reads it here.

pyproject.toml bounds google-api-core below its next major; tests/unit/adapters/test_private_api_adapters.py
checks the name against the installed google-api-core.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.adapters import PrivateName

DISTRIBUTION = "google-api-core"

PRIVATE_NAMES = (
    PrivateName(
        "google.api_core.retry:Retry",
        "_predicate",
        "attribute",
        "the predicate the Retry was built with (with_predicate replaces it)",
    ),
)


def retry_predicate(retry: Any) -> Callable[[BaseException], bool]:
    """The predicate `retry` (a google.api_core Retry) decides with: True = retry this error."""
    return retry._predicate
