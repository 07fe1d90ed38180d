"""What a command does when its reader goes away (`| head`): Python's documented recipe."""

from __future__ import annotations

import os
import sys


def quiet_stdout() -> None:
    """Point stdout at devnull, so the interpreter's final flush does not raise BrokenPipeError
    again after the reader of a pipe has gone (https://docs.python.org/3/library/signal.html#note-on-sigpipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # stdout already closed or not a file: nothing left to flush into it
