"""Every use of a dependency's private names, one module per dependency (issue 25).

The console uses textual, textual-serve, rich, duckdb and the Google clients through their
public APIs. Where none does the job at the cost a goal allows, the private access lives in
`<dependency>_private.py` here and nowhere else, with:

- `DISTRIBUTION`: the package whose version pyproject.toml bounds (`<` its next major);
- `PRIVATE_NAMES`: each private name used, on what, with the signature relied on and why.

tests/unit/adapters/test_private_api_adapters.py checks every entry against the installed version and
fails naming the package, its version, the name and this module; tests/unit/adapters/test_private_names.py
fails when a module outside this package uses a private name of those dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrivateName:
    """One private name the adapter relies on.

    owner: "module:Class" (or "module" for a function); name: the attribute; kind: "method" or
    "function" (its parameters are checked),
    "attribute" (set on every instance by the owner's __init__) or "overridden" (a method the
    adapter overrides: textual-serve calls it, so its parameters are checked too).
    parameters: the parameter names relied on, `self` first, for methods.
    """

    owner: str
    name: str
    kind: str
    why: str
    parameters: tuple[str, ...] = ()
