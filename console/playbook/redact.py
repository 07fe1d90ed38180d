"""The one redaction every line of a step's output passes before it is shown or audited.

Output arrives line by line, so the structure of JSON and YAML (a value's name on the line
before it) is followed here; each line then passes the kinds of secret of
`console.core.redaction.mask_text` (headers, URL userinfo, secret-named pairs, prefixed and
high-entropy tokens). Structurally:

- environment values (`{"name": N, "value": V}` in `gcloud run services describe
  --format=json`, `- name: N` / `value: V` in its YAML) are masked unless N is a watched
  flag; a value with no name before it is masked too;
- everything under a key naming a secret (KEY, TOKEN, SECRET, PASSWORD, …) is masked, to
  any depth: JSON by brackets, YAML by indentation (`secretKeyRef:` and what it holds);
- a whole JSON document on one line (a trailing comma allowed: one object of a pretty
  printed array) is parsed and masked structurally.

The raw output stays in memory only, for verification; nothing else keeps it.
`redacting(callbacks)` puts the same masking on everything else a run shows (messages,
verifications, pre-flight details); the audit masks what it writes (audit.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

import orjson

from console.core.redaction import MASK, SECRET_KEY, mask_all, mask_text, mask_tree

__all__ = ["MASK", "Redactor", "redact_json", "redact_text", "redacting"]

_JSON_NAME = re.compile(r'^\s*"name"\s*:\s*"(?P<name>(?:[^"\\]|\\.)*)"\s*,?\s*$')
_JSON_PAIR = re.compile(r'^(?P<head>\s*"(?P<key>(?:[^"\\]|\\.)*)"\s*:\s*)(?P<value>.*?)(?P<tail>,?\s*)$')
# A YAML mapping line: `key: value`, `- key: value`, `key:` (what follows is nested).
_YAML_PAIR = re.compile(
    r"^(?P<head>(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[A-Za-z0-9_.$/-]+)\s*:)"
    r"(?P<space>\s*)(?P<value>.*?)\s*$"
)
_YAML_ITEM = re.compile(r"^(?P<head>\s*-\s+)(?P<value>\S.*?)\s*$")
_BLOCK = ("", "|", ">", "|-", ">-", "|+", ">+")
# Maps of NAME -> value (Cloud Functions' describe): each value masked unless NAME is watched.
ENV_MAPS = frozenset({"environmentVariables", "buildEnvironmentVariables"})
# gcloud's human-readable describe: `Env vars:` then `NAME   value` lines, one level deeper.
_PLAIN_ENV_HEAD = re.compile(r"^(?P<indent>\s*)(?:Env vars|Environment variables|Secrets|Build env vars):\s*$")
_PLAIN_ENV_LINE = re.compile(r"^(?P<head>\s*(?P<name>\S+)\s+)(?P<value>\S.*?)\s*$")


def _mask_scalar(value: str) -> str:
    """A JSON value as text: strings and numbers become the mask, structure stays."""
    stripped = value.strip()
    if stripped in ("{", "[", "{}", "[]", "null", "true", "false") or not stripped:
        return value
    return f'"{MASK}"'


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
                out[key] = mask_all(value)
            elif key in ENV_MAPS and isinstance(value, dict):
                out[key] = {n: v if n in watched else mask_all(v) for n, v in value.items()}
            else:
                out[key] = redact_json(value, watched)
        return out
    if isinstance(doc, list):
        return [redact_json(v, watched) for v in doc]
    if isinstance(doc, str):
        return mask_text(doc, watched)
    return doc


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


class Redactor:
    """Line by line, with the state pretty-printed JSON and YAML need (the name before its
    value, the depth or indentation of a masked value)."""

    def __init__(self, watched: Iterable[str] = ()):
        self.watched = frozenset(watched)
        self._name: str | None = None
        self._name_indent = -1
        self._masking = 0  # open brackets of a JSON value under a secret-looking key
        self._env_depth = 0  # open brackets of a JSON map of environment variables
        self._yaml_mask: int | None = None  # indentation of the YAML key whose nested lines are masked
        self._yaml_env: int | None = None  # indentation of a YAML map of environment variables
        self._plain_env: int | None = None  # indentation of a plain `Env vars:` heading

    def line(self, text: str) -> str:
        return mask_text(self._structure(text), self.watched)

    def _structure(self, text: str) -> str:
        stripped = text.strip()
        comma = stripped.endswith(",")  # one object of a pretty-printed array
        body = stripped[:-1] if comma else stripped
        if body[:1] in ("{", "[") and body[-1:] in ("}", "]") and len(body) > 1:
            try:
                document = orjson.dumps(redact_json(orjson.loads(body), self.watched)).decode()
            except orjson.JSONDecodeError:
                pass
            else:
                return text[: len(text) - len(text.lstrip())] + document + ("," if comma else "")
        if self._masking:
            self._masking += _depth_change(text)
            m = _JSON_PAIR.match(text)
            if m:
                return f"{m['head']}{_mask_scalar(m['value'])}{m['tail']}"
            return text if stripped[:1] in ("{", "}", "[", "]") else _mask_scalar(text)
        if self._env_depth:
            return self._json_env_line(text)
        if self._yaml_mask is not None:
            masked = self._yaml_masked(text)
            if masked is not None:
                return masked
        for nested in (self._yaml_env_line, self._plain_env_line):
            masked = nested(text)
            if masked is not None:
                return masked
        m = _PLAIN_ENV_HEAD.match(text)
        if m:
            self._plain_env = len(m["indent"])
            return text
        m = _JSON_NAME.match(text)
        if m:
            self._name = m["name"]
            return text
        m = _JSON_PAIR.match(text)
        if m:
            return self._json_pair(m, stripped)
        m = _YAML_PAIR.match(text)
        if m:
            return self._yaml_pair(m)
        if stripped.startswith(("}", "]")):
            self._name = None
        return text

    def _json_pair(self, m: re.Match, stripped: str) -> str:
        key, value = m["key"], m["value"]
        if key == "value":
            name, self._name = self._name, None
            if name not in self.watched:  # an unknown name is masked too
                return f"{m['head']}{_mask_scalar(value)}{m['tail']}"
            return m[0]
        if SECRET_KEY.search(key):
            if value.strip() in ("{", "["):
                self._masking = _depth_change(value)
            return f"{m['head']}{_mask_scalar(value)}{m['tail']}"
        if key in ENV_MAPS and value.strip() == "{":
            self._env_depth = 1
            return m[0]
        if stripped.endswith(("}", "},", "]", "],")):
            self._name = None
        return m[0]

    def _json_env_line(self, text: str) -> str:
        depth, self._env_depth = self._env_depth, self._env_depth + _depth_change(text)
        m = _JSON_PAIR.match(text)
        if m and depth == 1 and m["key"] not in self.watched:
            return f"{m['head']}{_mask_scalar(m['value'])}{m['tail']}"
        return text

    # ------------------------------------------------------------------ YAML and plain text

    def _yaml_pair(self, m: re.Match) -> str:
        indent = len(m["indent"]) + len(m["dash"] or "")  # where the mapping's keys start
        key, value = m["key"], m["value"]
        if self._name is not None and indent < self._name_indent:
            self._name = None  # left the entry the name belongs to
        if key == "name":
            self._name, self._name_indent = _unquote(value), indent
            return m[0]
        if key in ENV_MAPS and value in _BLOCK:
            self._yaml_env = indent
            return m[0]
        if key == "value":
            name, self._name = self._name, None
            if name in self.watched:
                return m[0]
        elif not SECRET_KEY.search(key):
            return m[0]
        # A secret, or an environment value that is not a watched flag's.
        if value in _BLOCK:
            self._yaml_mask = indent  # a nested mapping or a block scalar: every deeper line
            return m[0]
        return f"{m['head']}{m['space'] or ' '}{MASK}"

    def _yaml_masked(self, text: str) -> str | None:
        """A line inside a masked YAML value: masked, or None once the value has ended."""
        if not text.strip():
            return text
        assert self._yaml_mask is not None
        indent = len(text) - len(text.lstrip())
        # A `- item` at the key's own column is the key's sequence (YAML's compact form).
        if indent < self._yaml_mask or (indent == self._yaml_mask and not text.lstrip().startswith("- ")):
            self._yaml_mask = None
            return None
        m = _YAML_PAIR.match(text)
        if m:
            return m[0] if m["value"] in _BLOCK else f"{m['head']}{m['space'] or ' '}{MASK}"
        m = _YAML_ITEM.match(text)
        if m:
            return f"{m['head']}{MASK}"
        return text[: len(text) - len(text.lstrip())] + MASK

    def _yaml_env_line(self, text: str) -> str | None:
        """A `NAME: value` line of a YAML map of environment variables (None: not in one)."""
        m = self._in_env_block(text, "_yaml_env", _YAML_PAIR)
        if m is None:
            return None
        return m[0] if m["key"] in self.watched else f"{m['head']}{m['space'] or ' '}{MASK}"

    def _plain_env_line(self, text: str) -> str | None:
        """A `NAME   value` line under gcloud's `Env vars:` (None: not under one)."""
        m = self._in_env_block(text, "_plain_env", _PLAIN_ENV_LINE)
        if m is None:
            return None
        return m[0] if m["name"] in self.watched else f"{m['head']}{MASK}"

    def _in_env_block(self, text: str, attr: str, pattern: re.Pattern) -> re.Match | None:
        """The line's match while inside the block whose heading's indentation is in `attr`
        (deeper lines of the pattern's shape); the block ends (attr None) at anything else."""
        heading = getattr(self, attr)
        if heading is None or not text.strip():
            return None
        m = pattern.match(text)
        if len(text) - len(text.lstrip()) <= heading or not m:
            setattr(self, attr, None)
            return None
        return m

    def lines(self, texts: Iterable[str]) -> list[str]:
        return [self.line(t) for t in texts]


def redact_text(text: str, watched: Iterable[str] = ()) -> str:
    return "\n".join(Redactor(watched).lines(text.splitlines()))


# ------------------------------------------------------------------ a run's other text


def _masked_event_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, (list, tuple)):
        return [_masked_event_value(v) for v in value]
    if isinstance(value, dict):
        return mask_tree(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and hasattr(value, "detail"):
        return dataclasses.replace(value, detail=mask_text(str(value.detail)))  # a pre-flight check
    return value  # a rendered step: its argv is the exact command, shown as it will run


def redacting(callbacks):
    """The same Callbacks with every line and event text masked (an executor's own lines,
    messages, verifications, pre-flight details): what the screen and the CLI show."""
    on_line, on_event, on_failure = callbacks.on_line, callbacks.on_event, callbacks.on_failure

    def failure(step, result, why):
        if isinstance(getattr(result, "error", None), str):
            result = dataclasses.replace(result, error=mask_text(result.error))
        return on_failure(step, result, mask_text(why))

    return dataclasses.replace(
        callbacks,
        on_line=lambda step, stream, line: on_line(step, stream, mask_text(line)),
        on_event=lambda kind, data: on_event(kind, {k: _masked_event_value(v) for k, v in data.items()}),
        on_failure=failure,
    )
