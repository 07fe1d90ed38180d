"""Playbook definitions (TOML files in the `playbooks` package) and rendering a plan.

A step's params may reference the playbook's parameters as a whole value, `"{service}"`.
Parameters are validated by type before substitution, and the action validates again, so a
value reaches an argv only in the exact shape its action expects.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from console.core import safety
from console.core.config import Settings
from console.playbook.actions import ACTIONS, RenderedStep

NAME_RE = r"^[a-z][a-z0-9-]{1,63}$"
_REF = re.compile(r"^\{([a-z_][a-z0-9_]*)\}$")


class PlaybookError(ValueError):
    """A playbook file or a run's parameters are not acceptable; the message says why."""


class ParamSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["service", "run_service", "function", "commit", "region"]
    description: str = ""
    default: str | None = None

    def validate_value(self, settings: Settings, value: str) -> str:
        if self.type == "commit":
            return safety.validate_commit(value)
        if self.type == "region":
            return safety.validate_region(value)
        kind = {"service": None, "run_service": "run", "function": "function"}[self.type]
        return safety.validate_service(settings, value, kind)


class StepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str
    title: str
    why: str = ""
    dangerous: bool = False
    params: dict[str, Any] = {}

    @model_validator(mode="after")
    def _known_action(self) -> StepSpec:
        spec = ACTIONS.get(self.action)
        if spec is None:
            raise ValueError(f"unknown action {self.action!r} (one of {', '.join(ACTIONS)})")
        missing = [k for k in spec.required if k not in self.params]
        extra = [k for k in self.params if k not in spec.required + spec.optional]
        if missing or extra:
            raise ValueError(f"{self.action}: missing {missing or 'nothing'}, unexpected {extra or 'nothing'}")
        return self


class Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_RE)
    title: str
    why: str = ""
    params: dict[str, ParamSpec] = {}
    steps: list[StepSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _refs_declared(self) -> Playbook:
        for step in self.steps:
            for value in step.params.values():
                m = _REF.match(value) if isinstance(value, str) else None
                if m and m.group(1) not in self.params:
                    raise ValueError(f"step {step.title!r} uses undeclared parameter {m.group(1)!r}")
        return self

    @property
    def dangerous(self) -> bool:
        return any(s.dangerous for s in self.steps)

    def resolve_params(self, settings: Settings, given: dict[str, str]) -> dict[str, str]:
        """Validate run parameters: unknown names, missing values and bad shapes are refused."""
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            raise PlaybookError(f"{self.name} has no parameter {safety.clip(', '.join(unknown))}")
        out: dict[str, str] = {}
        for name, spec in self.params.items():
            value = given.get(name, spec.default)
            if value is None:
                raise PlaybookError(f"{self.name} needs --param {name}=... ({spec.description or spec.type})")
            try:
                out[name] = spec.validate_value(settings, value)
            except safety.UnsafeParameter as exc:
                raise PlaybookError(f"parameter {name}: {exc}") from None
        return out

    def render(self, settings: Settings, given: dict[str, str] | None = None) -> list[RenderedStep]:
        """The whole plan with exact argv; raises PlaybookError before anything could run."""
        values = self.resolve_params(settings, given or {})
        plan = []
        for i, step in enumerate(self.steps):
            raw = {k: _substitute(v, values) for k, v in step.params.items()}
            action = ACTIONS[step.action]
            try:
                params, argv, target, verification = action.render(settings, raw)
            except safety.UnsafeParameter as exc:
                raise PlaybookError(f"step {i + 1} ({step.title}): {exc}") from None
            plan.append(
                RenderedStep(
                    index=i,
                    action=step.action,
                    title=_substitute_text(step.title, values),
                    why=_substitute_text(step.why, values),
                    dangerous=step.dangerous,
                    argv=tuple(argv),
                    params=params,
                    target=target,
                    mutating=action.mutating,
                    in_checkout=action.in_checkout,
                    verification=verification,
                )
            )
        return plan


def _substitute(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        m = _REF.match(value)
        return values[m.group(1)] if m else value
    if isinstance(value, dict):
        return {k: _substitute(v, values) for k, v in value.items()}
    return value


def _substitute_text(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([a-z_][a-z0-9_]*)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def load_file(path: Path) -> Playbook:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Playbook.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        raise PlaybookError(f"{path}: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlaybookError(f"{path}: {where}: {first['msg']}") from None


def shipped_dir() -> Path:
    return Path(str(resources.files("playbooks")))


def load_all(directory: Path | None = None) -> dict[str, Playbook]:
    """Every playbook, by name. A file whose name differs from its `name` key is refused."""
    folder = directory or shipped_dir()
    out: dict[str, Playbook] = {}
    for path in sorted(folder.glob("*.toml")):
        book = load_file(path)
        if book.name != path.stem:
            raise PlaybookError(f"{path}: name {book.name!r} does not match the file name")
        out[book.name] = book
    return out


def get(name: str, directory: Path | None = None) -> Playbook:
    books = load_all(directory)
    if name not in books:
        raise PlaybookError(f"no playbook {safety.clip(name)!r} (known: {', '.join(sorted(books))})")
    return books[name]
