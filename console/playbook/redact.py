"""The one redaction every line of a step's output passes before it is shown or audited.

Two rules:
- environment values (`{"name": N, "value": V}` entries, as in `gcloud run services
  describe --format=json`) are masked unless N is a watched flag;
- the value of any key matching KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL is masked anywhere:
  a JSON key, a `NAME=value` or `NAME: value` pair in plain text.

Output arrives line by line (pretty-printed JSON included), so `Redactor` keeps the last
`"name"` it saw to judge the `"value"` line that follows it. A whole JSON document on one
line is parsed and masked structurally. The raw output stays in memory only, for
verification; nothing else keeps it.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import orjson

MASK = "<redacted>"
SECRET_KEY = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL", re.IGNORECASE)
_JSON_NAME = re.compile(r'^\s*"name"\s*:\s*"(?P<name>(?:[^"\\]|\\.)*)"\s*,?\s*$')
_JSON_PAIR = re.compile(r'^(?P<head>\s*"(?P<key>(?:[^"\\]|\\.)*)"\s*:\s*)(?P<value>.*?)(?P<tail>,?\s*)$')
_TEXT_PAIR = re.compile(r"(?P<key>[A-Za-z0-9_.-]*(?:KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL)[A-Za-z0-9_.-]*)"
                        r"(?P<sep>\s*[=:]\s*)(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;&]+)", re.IGNORECASE)


def _mask_scalar(value: str) -> str:
    """A JSON value as text: strings and numbers become the mask, structure stays."""
    stripped = value.strip()
    if stripped in ("{", "[", "{}", "[]", "null", "true", "false") or not stripped:
        return value
    return f'"{MASK}"'


def _mask_all(value: Any) -> Any:
    """Everything under a secret-looking key: keep the shape, lose every value."""
    if isinstance(value, dict):
        return {k: _mask_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_all(v) for v in value]
    return value if value in (None, True, False) else MASK


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _depth_change(line: str) -> int:
    bare = _STRING.sub("", line)
    return bare.count("{") + bare.count("[") - bare.count("}") - bare.count("]")


def redact_json(doc: Any, watched: frozenset[str]) -> Any:
    if isinstance(doc, dict):
        out: dict[str, Any] = {}
        is_env = "name" in doc and "value" in doc and isinstance(doc.get("name"), str)
        for key, value in doc.items():
            if key == "value" and is_env and doc["name"] not in watched:
                out[key] = MASK
            elif isinstance(key, str) and SECRET_KEY.search(key):
                out[key] = _mask_all(value)
            else:
                out[key] = redact_json(value, watched)
        return out
    if isinstance(doc, list):
        return [redact_json(v, watched) for v in doc]
    if isinstance(doc, str):
        return _TEXT_PAIR.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", doc)
    return doc


class Redactor:
    """Line by line, with the state pretty-printed JSON needs (the name before its value)."""

    def __init__(self, watched: Iterable[str] = ()):
        self.watched = frozenset(watched)
        self._name: str | None = None
        self._masking = 0  # open brackets of a value under a secret-looking key


    def line(self, text: str) -> str:
        stripped = text.strip()
        if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]") and len(stripped) > 1:
            try:
                return orjson.dumps(redact_json(orjson.loads(stripped), self.watched)).decode()
            except orjson.JSONDecodeError:
                pass
        if self._masking:
            self._masking += _depth_change(text)
            m = _JSON_PAIR.match(text)
            if m:
                return f"{m['head']}{_mask_scalar(m['value'])}{m['tail']}"
            return text if stripped[:1] in ("{", "}", "[", "]") else _mask_scalar(text)
        m = _JSON_NAME.match(text)
        if m:
            self._name = m["name"]
            return text
        m = _JSON_PAIR.match(text)
        if m:
            key, value = m["key"], m["value"]
            if key == "value":
                name, self._name = self._name, None
                if name not in self.watched:  # an unknown name is masked too
                    return f"{m['head']}{_mask_scalar(value)}{m['tail']}"
                return text
            if SECRET_KEY.search(key):
                if value.strip() in ("{", "["):
                    self._masking = _depth_change(value)
                return f"{m['head']}{_mask_scalar(value)}{m['tail']}"
            if stripped.endswith(("}", "},", "]", "],")):
                self._name = None
            return _TEXT_PAIR.sub(lambda p: f"{p['key']}{p['sep']}{MASK}", text)
        if stripped.startswith(("}", "]")):
            self._name = None
        return _TEXT_PAIR.sub(lambda p: f"{p['key']}{p['sep']}{MASK}", text)

    def lines(self, texts: Iterable[str]) -> list[str]:
        return [self.line(t) for t in texts]


def redact_text(text: str, watched: Iterable[str] = ()) -> str:
    return "\n".join(Redactor(watched).lines(text.splitlines()))
