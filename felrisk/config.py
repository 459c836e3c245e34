"""Frozen, strict configuration objects read from TOML files (rules are data, not code)."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from felrisk.errors import ConfigError
from felrisk.paths import config_dir


class FrozenConfig(BaseModel):
    """Base of every config object: immutable, strict (no coercion: "3" is not 3, 1.5 is not an
    int), and unknown fields are an error. Defaults live in the shipped TOML files, not here."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


C = TypeVar("C", bound=FrozenConfig)


def default_config_path(name: str) -> Path:
    """Path of a default configuration file shipped with felrisk, e.g. `rules.toml`."""
    return config_dir() / name


def read_toml(path: Path) -> dict:
    """A TOML file as a dict; a missing or malformed file is a ConfigError naming it."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def load_config(model: type[C], path: str | Path | None, default_name: str) -> C:
    """Read a TOML file into `model`; a bad value names the field, what is allowed and what came."""
    path = Path(path) if path is not None else default_config_path(default_name)
    return parse_config(model, read_toml(path), source=str(path))


def _frozen(value: Any) -> Any:
    """TOML and JSON arrays as tuples (a config is immutable; strict mode takes no list for a
    tuple field), tables recursively."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value


def parse_config(model: type[C], raw: dict, source: str = "<config>") -> C:
    """Validate a mapping into `model`, turning pydantic's errors into one readable ConfigError."""
    try:
        return model.model_validate(_frozen(raw))
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "<root>"
            received = err.get("input")
            lines.append(f"  {field}: {err['msg']} (received {received!r})")
        raise ConfigError(f"{source}: invalid configuration\n" + "\n".join(lines)) from exc


def unknown_names(names: Iterable[str], known: Iterable[str], what: str = "feature") -> str | None:
    """None when every name is known, else a message naming each unknown one and its close
    matches (a typo in a config must fail at load, not mid-night or silently)."""
    known = sorted(set(known))
    bad = [n for n in dict.fromkeys(names) if n not in set(known)]
    if not bad:
        return None
    parts = []
    for name in bad:
        close = difflib.get_close_matches(name, known, n=3)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        parts.append(f"{name!r}{hint}")
    return f"unknown {what} {', '.join(parts)}"
