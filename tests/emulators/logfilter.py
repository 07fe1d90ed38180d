"""A small, strict evaluator for a subset of the Cloud Logging query language.

Supported (enough for the console's queries; anything else raises
:class:`FilterSyntaxError`, which the fake server turns into HTTP 400
INVALID_ARGUMENT, so an unsupported filter never silently matches):

* comparisons ``FIELD OP VALUE`` with OP in ``= != =~ !~ > >= < <= :``
* FIELD: dotted path into the LogEntry JSON, e.g. ``severity``, ``timestamp``,
  ``textPayload``, ``logName``, ``resource.type``,
  ``resource.labels.service_name``, ``labels.foo``, ``jsonPayload.message``;
  path segments may be double-quoted (``labels."k8s-pod/app"``)
* VALUE: double-quoted string (``\\"`` escapes a quote; any other backslash
  sequence is kept verbatim, so regexes like ``"\\d+"`` work) or a bare word
* ``AND``, ``OR``, ``NOT`` / leading ``-`` (upper-case keywords, as in Cloud
  Logging), parentheses, and implicit AND between adjacent terms.
  Precedence as documented for Cloud Logging: NOT, then OR, then AND, so
  ``a AND b OR c`` means ``a AND (b OR c)``. Use parentheses to be explicit.

Semantics:

* ``severity`` compares by rank (DEFAULT < DEBUG < INFO < NOTICE < WARNING <
  ERROR < CRITICAL < ALERT < EMERGENCY); a missing severity is DEFAULT.
* ``timestamp`` (and ``receiveTimestamp``) compare as RFC 3339 instants.
* ``=~`` / ``!~`` use :func:`re.search` (unanchored, like RE2 in Logging).
* ``:`` is case-insensitive substring ("has").
* ``=`` / ``!=`` on other strings are exact; numbers compare numerically
  when both sides parse as numbers.
* A comparison on a missing field is false (``!=`` and ``!~`` included);
  ``NOT`` of it is true.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SEVERITY_RANK = {
    "DEFAULT": 0,
    "DEBUG": 100,
    "INFO": 200,
    "NOTICE": 300,
    "WARNING": 400,
    "ERROR": 500,
    "CRITICAL": 600,
    "ALERT": 700,
    "EMERGENCY": 800,
}
_TIME_FIELDS = {"timestamp", "receiveTimestamp"}


class FilterSyntaxError(ValueError):
    pass


@dataclass
class _Tok:
    kind: str  # LPAREN RPAREN OP STR WORD
    value: str
    pos: int


_OPS = ("=~", "!~", ">=", "<=", "!=", "=", ">", "<", ":")


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            toks.append(_Tok("LPAREN" if c == "(" else "RPAREN", c, i))
            i += 1
        elif c == '"':
            j, buf = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n and text[j + 1] == '"':
                    buf.append('"')
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            if j >= n:
                raise FilterSyntaxError(f"unterminated string starting at {i}")
            toks.append(_Tok("STR", "".join(buf), i))
            i = j + 1
        else:
            for op in _OPS:
                if text.startswith(op, i):
                    toks.append(_Tok("OP", op, i))
                    i += len(op)
                    break
            else:
                j = i
                while (
                    j < n
                    and not text[j].isspace()
                    and text[j] not in '()"'
                    and not any(text.startswith(op, j) for op in _OPS)
                ):
                    j += 1
                if j == i:
                    raise FilterSyntaxError(f"unexpected character {c!r} at {i}")
                toks.append(_Tok("WORD", text[i:j], i))
                i = j
    return toks


Predicate = Callable[[dict], bool]


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokenize(text)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise FilterSyntaxError("unexpected end of filter")
        self.i += 1
        return tok

    def parse(self) -> Predicate:
        if not self.toks:
            return lambda e: True
        pred = self.conj()
        if self.peek() is not None:
            raise FilterSyntaxError(f"unexpected token {self.peek().value!r} at {self.peek().pos}")
        return pred

    def _is_kw(self, tok: _Tok | None, kw: str) -> bool:
        return tok is not None and tok.kind == "WORD" and tok.value == kw

    # Cloud Logging: AND (explicit or implicit) has LOWER precedence than OR.
    def conj(self) -> Predicate:
        parts = [self.disj()]
        while True:
            tok = self.peek()
            if tok is None or tok.kind == "RPAREN":
                break
            if self._is_kw(tok, "AND"):
                self.take()
            parts.append(self.disj())
        return parts[0] if len(parts) == 1 else (lambda e, ps=tuple(parts): all(p(e) for p in ps))

    def disj(self) -> Predicate:
        parts = [self.unary()]
        while self._is_kw(self.peek(), "OR"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda e, ps=tuple(parts): any(p(e) for p in ps))

    def unary(self) -> Predicate:
        tok = self.peek()
        if self._is_kw(tok, "NOT"):
            self.take()
            inner = self.unary()
            return lambda e: not inner(e)
        if tok is not None and tok.kind == "WORD" and tok.value.startswith("-") and len(tok.value) > 1:
            # "-field=value": strip the dash into a NOT
            self.toks[self.i] = _Tok("WORD", tok.value[1:], tok.pos + 1)
            inner = self.unary()
            return lambda e: not inner(e)
        if tok is not None and tok.kind == "LPAREN":
            self.take()
            inner = self.conj()
            closing = self.take()
            if closing.kind != "RPAREN":
                raise FilterSyntaxError(f"expected ')' at {closing.pos}")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        ftok = self.take()
        if ftok.kind != "WORD" or ftok.value in ("AND", "OR", "NOT"):
            raise FilterSyntaxError(f"expected a field name at {ftok.pos}, got {ftok.value!r}")
        path = _split_path(ftok.value)
        # allow quoted path segments following a trailing dot: labels."a/b"
        while ftok.value.endswith(".") and self.peek() is not None and self.peek().kind == "STR":
            path = [*path[:-1], self.take().value] if path and path[-1] == "" else [*path, self.take().value]
        optok = self.take()
        if optok.kind != "OP":
            raise FilterSyntaxError(
                f"expected an operator after {ftok.value!r} at {optok.pos} (bare global text search is not supported)"
            )
        vtok = self.take()
        if vtok.kind not in ("STR", "WORD"):
            raise FilterSyntaxError(f"expected a value at {vtok.pos}")
        return _make_cmp(path, optok.value, vtok.value)


def _split_path(text: str) -> list[str]:
    return text.split(".")


def _lookup(entry: dict, path: list[str]) -> Any:
    cur: Any = entry
    for seg in path:
        if isinstance(cur, dict) and seg in cur:
            cur = cur[seg]
        else:
            return None
    return cur


def parse_time(value: str) -> datetime:
    v = value.strip()
    if v.endswith(("Z", "z")):
        v = v[:-1] + "+00:00"
    # Python < 3.11 can't take >6 fractional digits; trim nanoseconds.
    m = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)$", v)
    if m and m.group(2) and len(m.group(2)) > 7:
        v = m.group(1) + m.group(2)[:7] + m.group(3)
    dt = datetime.fromisoformat(v)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt


def _severity_rank(value: Any) -> int:
    if value is None:
        return 0
    s = str(value).upper()
    if s in SEVERITY_RANK:
        return SEVERITY_RANK[s]
    try:
        return int(s)
    except ValueError:
        raise FilterSyntaxError(f"unknown severity {value!r}") from None


def _make_cmp(path: list[str], op: str, raw: str) -> Predicate:
    field = ".".join(path)
    if op in ("=~", "!~"):
        try:
            rx = re.compile(raw)
        except re.error as exc:
            raise FilterSyntaxError(f"invalid regular expression {raw!r}: {exc}") from None

        def regex(e: dict) -> bool:
            v = _lookup(e, path)
            if v is None:
                return False
            hit = rx.search(v if isinstance(v, str) else str(v)) is not None
            return hit if op == "=~" else not hit

        return regex

    if field == "severity":
        want = _severity_rank(raw)
        return lambda e: _compare(_severity_rank(e.get("severity")), op, want)

    if field in _TIME_FIELDS:
        try:
            want_t = parse_time(raw)
        except ValueError:
            raise FilterSyntaxError(f"invalid timestamp {raw!r}") from None

        def tcmp(e: dict) -> bool:
            v = _lookup(e, path)
            return v is not None and _compare(parse_time(str(v)), op, want_t)

        return tcmp

    def generic(e: dict) -> bool:
        v = _lookup(e, path)
        if v is None:
            return False
        if op == ":":
            return raw.lower() in (v if isinstance(v, str) else str(v)).lower()
        left, right = _coerce(v, raw)
        return _compare(left, op, right)

    return generic


def _coerce(v: Any, raw: str) -> tuple[Any, Any]:
    if isinstance(v, bool):
        return str(v).lower(), raw.lower()
    if isinstance(v, (int, float)):
        try:
            return float(v), float(raw)
        except ValueError:
            return str(v), raw
    if isinstance(v, str):
        try:
            return float(v), float(raw)
        except ValueError:
            return v, raw
    return str(v), raw


def _compare(a: Any, op: str, b: Any) -> bool:
    if op in ("=", ":"):
        return a == b
    if op == "!=":
        return a != b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    raise FilterSyntaxError(f"unsupported operator {op}")


def compile_filter(text: str | None) -> Predicate:
    """Compile *text* into ``predicate(entry_json_dict) -> bool``."""
    return _Parser(text or "").parse()
