"""Secrets masked by kind, in any text the console shows, audits or sends.

One line at a time, no state (the structure of JSON and YAML output, where a value's name
is on the line before it, is console/playbook/redact.py's `Redactor`, built on this):

- credentials in headers: `Authorization: Bearer …` / `Basic …` / `token …`, and a bare
  `Bearer …`;
- URL userinfo, connection strings included: `https://user:…@host`, `postgres://u:…@h/db`
  (the user stays; a user part that is itself a token goes too);
- `KEY=value`, `key: value` and `"key": "value"` whose key names a secret (KEY, TOKEN, SECRET,
  PASSWORD, PASSWD, PASSPHRASE, CREDENTIAL, AUTHORIZATION, COOKIE, PRIVATE), and the same in a
  URL's query or fragment (`?token=…&x=1`, `#access_token=…`: the value goes, the URL stays);
- a secret word followed by its value in prose: `using token sk-…`, `password is hunter2x9`
  (the value must look like one: a digit or a known prefix, so `credential fixes` stays);
- one-line `name`/`value` pairs (JSON or YAML flow style) whose name is not watched;
- tokens by their shape: known prefixes (`sk-`, `ghp_`, `xoxb-`, `AKIA…`, `AIza…`, `ya29.`,
  JWTs, Slack webhook paths, PEM private key headers) and long high-entropy strings.

What must stay readable stays: hex strings (commit SHAs, digests, UUIDs) are never judged by
entropy, words without digits never are, and names (processors, services, tables) have no
secret shape. tests/unit/core/test_redaction_corpus.py holds the corpus.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

MASK = "<redacted>"
SECRET_WORDS = r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTHORIZATION|COOKIE|PRIVATE"
SECRET_KEY = re.compile(SECRET_WORDS, re.IGNORECASE)

_QUOTED_OR_BARE = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s,;&\"'`<>{}\[\]]+"

_AUTH_HEADER = re.compile(
    r"(?P<head>\b(?:proxy-)?authorization\b\"?\s*[:=]\s*\"?(?:(?:bearer|basic|token|digest|negotiate|bot)\s+)?)"
    r"(?P<value>[^\s\"',;]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<head>\bbearer\s+)(?P<value>[A-Za-z0-9._~+/=-]{8,})", re.IGNORECASE)
# The password runs to the last `@` before the host: one with an `@` in it goes whole.
_USERINFO = re.compile(
    r"(?P<head>(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*+://)(?P<user>[^\s/:@\"'<>]*+)(?::(?P<password>[^\s/\"'<>]*))?@"
)
# Any `key=value` / `key: value`; `_pair` masks those whose key names a secret. Possessive,
# so a long line of identifier characters costs one pass, not one per position.
_TEXT_PAIR = re.compile(
    rf"(?<![A-Za-z0-9_.-])(?P<key>[A-Za-z0-9_.-]++)(?P<q>\"?)"
    rf"(?P<sep>\s*+[=:]\s*+)(?P<value>{_QUOTED_OR_BARE})"
)
# A URL's query or fragment parameter: `?name=value`, `&name=value`, `#name=value`. Its own
# pattern because `_TEXT_PAIR` reads `https://h/cb?token=…` as the pair `https: //h/cb?token=…`
# (the first parameter would hide in the scheme's value). Possessive, and neither the name nor
# the value can hold a `?&#`, so every start is scanned once.
_URL_PARAM = re.compile(r"(?P<head>[?&#](?P<key>[A-Za-z0-9_.%-]++)=)(?P<value>[^\s&#\"'`<>]++)")
_PROSE = re.compile(
    r"(?P<head>\b(?:token|api[ _-]?key|apikey|password|passwd|passphrase|secret|credentials?)"
    r"(?:\s+(?:is|was|of|=|:))?\s+)(?P<value>[A-Za-z0-9._~+/=:-]{6,})",
    re.IGNORECASE,
)
_INLINE_ENV = re.compile(
    r"(?P<head>(?P<nq>[\"']?)name(?P=nq)\s*:\s*(?P<q>[\"']?)(?P<name>[A-Za-z0-9_.-]+)(?P=q)\s*,\s*"
    r"(?P<vq>[\"']?)value(?P=vq)\s*:\s*)(?P<value>\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^,}\]\s]+)"
)
_PREFIXED = re.compile(
    r"(?<![A-Za-z0-9])(?:sk-[A-Za-z0-9_-]{8,}+|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}+"
    r"|gh[pousr]_[A-Za-z0-9]{20,}+|github_pat_[A-Za-z0-9_]{20,}+|xox[abposr]-[A-Za-z0-9-]{10,}+"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|ya29\.[0-9A-Za-z_-]{20,}+|glpat-[0-9A-Za-z_-]{20,}+"
    r"|eyJ[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]*+)"
)
_SLACK_HOOK = re.compile(r"(?P<head>hooks\.slack\.com/services/)(?P<value>[A-Za-z0-9/_-]+)")
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)")
_CANDIDATE = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/=_-]{20,}+")
_HEX = re.compile(r"[0-9a-fA-F-]+")

MIN_ENTROPY_BITS = 3.5  # per character; names and words sit lower, random base62 at 4+


def _entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_random(token: str) -> bool:
    """A long token of a credential's shape: letters and at least two digits, not hex (a SHA
    or a digest stays readable), high entropy once separators are left out."""
    # Judged piece by piece between separators: a path or a dashed name made of words
    # (`session-124-deployment-catchup/`) has no piece of a token's shape.
    return any(_random_piece(piece) for piece in _SEPARATORS.split(token))


_SEPARATORS = re.compile(r"[-_/+=.]")


def _random_piece(piece: str) -> bool:
    if len(piece) < 16 or _HEX.fullmatch(piece):
        return False
    letters = sum(ch.isalpha() for ch in piece)
    digits = sum(ch.isdigit() for ch in piece)
    return letters >= 4 and digits >= 2 and _entropy(piece) >= MIN_ENTROPY_BITS


def _quoted_mask(value: str) -> str:
    return f"{value[0]}{MASK}{value[0]}" if value[:1] in ("'", '"') else MASK


def _mask_userinfo(m: re.Match[str]) -> str:
    user, password = m["user"], m["password"]
    if password is not None:
        return f"{m['head']}{user}:{MASK}@" if password else m[0]
    # No password: a user part that is itself a token (`https://ghp_…@github.com`) goes.
    return f"{m['head']}{MASK}@" if user and (looks_random(user) or _PREFIXED.fullmatch(user)) else m[0]


def _mask_inline_env(watched: frozenset[str]) -> Callable[[re.Match[str]], str]:
    def sub(m: re.Match[str]) -> str:
        if m["name"] in watched:
            return m[0]
        return f"{m['head']}{_quoted_mask(m['value'])}"

    return sub


def _prose(m: re.Match[str]) -> str:
    value = m["value"]
    if value == MASK or not _credential_like(value):
        return m[0]  # `credential fixes`, `token expired`: words, not values
    return f"{m['head']}{MASK}"


_PLAIN_WORD = re.compile(r"[A-Z][a-z]+")  # a capitalised word of prose: `Credentials: run`
_PATH = re.compile(r"(?:/|~/|\./|\.\./)[\w./-]*")


def _pair(m: re.Match[str]) -> str:
    if not SECRET_KEY.search(m["key"]):
        return m[0]
    value, bare = m["value"], m["value"].strip("\"'")
    # Already masked, or a header whose credential was (`Authorization: Bearer <redacted>`).
    if bare == MASK or m.string[m.end() :].lstrip().startswith(MASK):
        return m[0]
    if _PATH.fullmatch(bare) and not looks_random(bare):
        return m[0]  # GOOGLE_APPLICATION_CREDENTIALS=/path/key.json: where a secret is, not one
    line_start = not m.string[: m.start()].strip(" \t-") or m.string[: m.start()].endswith("\n")
    if ":" in m["sep"] and _PLAIN_WORD.fullmatch(m["key"]) and not line_start and not _credential_like(bare):
        return m[0]  # prose: "no Application Default Credentials: run `gcloud auth …`"
    return f"{m['key']}{m['q']}{m['sep']}{_quoted_mask(value)}"


def _url_param(m: re.Match[str]) -> str:
    if m["value"] == MASK or not SECRET_KEY.search(m["key"]):
        return m[0]
    return f"{m['head']}{MASK}"


def _credential_like(value: str) -> bool:
    return any(ch.isdigit() for ch in value) or bool(_PREFIXED.match(value)) or looks_random(value)


def mask_text(text: str, watched: Iterable[str] = ()) -> str:
    """Every kind of secret above masked in one line (or any text); idempotent."""
    if not text or len(text) < 8:
        return text
    out = _PEM.sub(MASK, text)
    out = _AUTH_HEADER.sub(lambda m: m[0] if m["value"] == MASK else f"{m['head']}{MASK}", out)
    out = _BEARER.sub(lambda m: f"{m['head']}{MASK}", out)
    out = _USERINFO.sub(_mask_userinfo, out)
    out = _SLACK_HOOK.sub(lambda m: f"{m['head']}{MASK}", out)
    out = _INLINE_ENV.sub(_mask_inline_env(frozenset(watched)), out)
    out = _URL_PARAM.sub(_url_param, out)
    out = _TEXT_PAIR.sub(_pair, out)
    out = _PROSE.sub(_prose, out)
    out = _PREFIXED.sub(MASK, out)
    return _CANDIDATE.sub(lambda m: MASK if looks_random(m[0]) else m[0], out)


def mask_tree(value: Any, keep: frozenset[str] = frozenset()) -> Any:
    """A JSON-like value with every string masked by `mask_text` and everything under a key
    that names a secret masked whole (shape kept). Keys in `keep` are left as they are
    (what must be read back exactly: a run's argv, plan and parameters)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if key in keep:
                out[key] = item
            elif isinstance(key, str) and SECRET_KEY.search(key):
                out[key] = mask_all(item)
            else:
                out[key] = mask_tree(item)
        return out
    if isinstance(value, (list, tuple)):
        return [mask_tree(v) for v in value]
    return value


def mask_all(value: Any) -> Any:
    """Everything under a secret-looking key: keep the shape, lose every value."""
    if isinstance(value, dict):
        return {k: mask_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_all(v) for v in value]
    return value if value in (None, True, False) else MASK
