"""The garbage collector's settings: the console's start-up heap frozen once, and, for a
screen that holds up to 100,000 log entries, young collections less often.

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
_started = False


def freeze_startup_heap() -> None:
    """Once per process, when the first console starts (its modules, the config and Textual's
    classes all loaded; ~70k objects that live as long as the process):
    - freeze them, so the collections the screen's start-up triggers do not walk them again
      and again (~0.15 s of collecting while the screen mounted, 4x a bare Textual app's);
    - skip the interpreter's last collections at exit over everything the session built
      (0.3 s after the screen is gone). Objects are still freed by reference counting as
      usual; only cycles that became unreachable before the freeze stay until exit."""
    global _started
    if _started:
        return
    _started = True
    import atexit

    gc.freeze()
    atexit.register(gc.freeze)


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
