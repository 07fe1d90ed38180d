"""The garbage collector's settings for a screen that holds up to 100,000 log entries.

Every full (generation 2) collection walks every tracked object: the ~55,000 the console has
built by the time the log screen opens (Textual, rich, the panels) and every held entry. While
5,000 entries/s arrived, CPython's default thresholds (700, 10, 10) ran a full collection every
second or so, each 120 to 200 ms on the 2-core machine, a key press waiting behind it. Frozen,
the startup heap leaves those walks (18 to 62 ms each); with generation 0 collected every
10,000 net allocations instead of 700, the ten-second benchmark ran none (measured with
gc.callbacks; see the issue 13 report).
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 10_000
_settled = False


def settle_heap() -> None:
    """Once per process, when the log screen opens: freeze what exists (long-lived, never
    garbage: modules, the app, its screens) so full collections skip it, and collect the young
    generation less often. Reference counting still frees everything acyclic at once; only
    cyclic garbage waits longer. Idempotent: a second freeze would pin a closed screen's
    buffer, so later calls do nothing."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect(1)  # young cyclic garbage goes now rather than being frozen with the rest
    gc.freeze()
    gen0, gen1, gen2 = gc.get_threshold()
    if gen0 and gen0 < GEN0_THRESHOLD:  # 0: collection disabled by someone on purpose
        gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
