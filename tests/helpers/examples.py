"""How many examples a property test draws, scaled by the Hypothesis profile in force.

tests/conftest.py registers the profiles: `default` (Hypothesis' 100 examples, what `make test`
runs) and `fast` (10, selected by `make test-fast` with HYPOTHESIS_PROFILE=fast). A test that
asks for more or fewer than the default writes `settings(max_examples=examples(300))`: 300 in
the full suite, 30 in the inner loop. A number written bare would override the profile.
"""

from __future__ import annotations

from hypothesis import settings

FULL = 100  # the `default` profile's max_examples: a count given here is meant for it


def examples(count: int) -> int:
    """`count` examples in the full suite, the same share of the profile's budget otherwise
    (at least 3, so a fast run still draws a few)."""
    return max(3, count * settings().max_examples // FULL)
