"""What `nba-console serve` guards beyond textual-serve: no token in its log, sane terminal sizes.

Kept apart from serve.py (the server and its sessions) so each rule has one place:

- `guard_server_log(token)`: every record the server writes (aiohttp's access log, its
  "Error handling request" for a malformed request, whose exception text quotes the raw
  request line, `?token=` included; textual-serve's own) passes a filter on the handlers: the
  token, where it appears, is replaced, and any other credential by kind
  (console/core/redaction.py: `token=…`, `Authorization: Bearer …`, the cookie). A request
  aiohttp could not parse is one line, without the traceback that quotes the bytes sent; so
  is a request whose client went away before its answer (aiohttp writing `100 Continue` to a
  half-closed socket raises ClientConnectionResetError, a ConnectionError): the peer's doing,
  nothing in the server to debug.
- `terminal_size(width, height)`: a browser's size (`?width=&height=` of the websocket, a
  `["resize", {...}]` message) as the console can take it: numbers only, within bounds. A
  height of -1 kills Textual with an IndexError.
"""

from __future__ import annotations

import logging
from typing import Any

from console.core.redaction import MASK, mask_text

# A terminal the console can draw: 10x3 is the least Textual lays out without error; the
# upper bounds are past any real screen and keep a hostile page from asking for gigabytes.
MIN_COLS, MAX_COLS = 10, 1000
MIN_ROWS, MAX_ROWS = 3, 500
DEFAULT_SIZE = (80, 24)


def _number(value: Any, default: int) -> int:
    if isinstance(value, bool):  # JSON true is not a size
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 1e9:
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 12:
        return int(value)
    return default


def terminal_size(width: Any, height: Any) -> tuple[int, int]:
    """Columns and rows within [MIN, MAX]; what is not a number is the default 80x24."""
    cols = _number(width, DEFAULT_SIZE[0])
    rows = _number(height, DEFAULT_SIZE[1])
    return min(max(cols, MIN_COLS), MAX_COLS), min(max(rows, MIN_ROWS), MAX_ROWS)


class TokenFilter(logging.Filter):
    """Rewrites a record so that neither its message nor its exception text holds the token
    (or any credential by kind). Installed on handlers: it sees every logger's records."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self.token = token

    def _clean(self, text: str) -> str:
        if self.token:
            text = text.replace(self.token, MASK)
        return mask_text(text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record whose args do not fit its format
            message = str(record.msg)
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and _is_bad_request(exc):
            # aiohttp's parser error quotes the raw request line and headers: one line instead.
            message = f"{message}: {type(exc).__name__} ({getattr(exc, 'code', 400)})"
            record.exc_info, record.exc_text = None, None
        elif isinstance(exc, ConnectionError):
            # Reset, broken pipe, aborted: the other end closed mid-request. One line, no traceback.
            message = f"{message}: connection closed by the peer ({type(exc).__name__})"
            record.exc_info, record.exc_text = None, None
        elif exc is not None:
            formatter = logging.Formatter()
            record.exc_text = self._clean(formatter.formatException((type(exc), exc, exc.__traceback__)))
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        record.msg, record.args = self._clean(message), None
        return True


def _is_bad_request(exc: BaseException) -> bool:
    try:
        from aiohttp.http_exceptions import HttpProcessingError
    except ImportError:  # pragma: no cover - serve always has aiohttp
        return False
    return isinstance(exc, HttpProcessingError)


def guard_server_log(token: str | None) -> TokenFilter:
    """Put the filter on every handler of the root logger (logging.basicConfig's), where
    aiohttp's, textual-serve's and our own records end up."""
    guard = TokenFilter(token)
    root = logging.getLogger()
    for handler in root.handlers:
        handler.addFilter(guard)
    return guard
