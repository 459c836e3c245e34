"""Frozen, strict configuration objects read from TOML files (rules are data, not code)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from felrisk.errors import ConfigError
from felrisk.paths import config_dir


class FrozenConfig(BaseModel):
    """Base of every config object: immutable, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


C = TypeVar("C", bound=FrozenConfig)


def default_config_path(name: str) -> Path:
    """Path of a default configuration file shipped with felrisk, e.g. `rules.toml`."""
    return config_dir() / name


def load_config(model: type[C], path: str | Path | None, default_name: str) -> C:
    """Read a TOML file into `model`; a bad value names the field, what is allowed and what came."""
    path = Path(path) if path is not None else default_config_path(default_name)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_config(model, raw, source=str(path))


def parse_config(model: type[C], raw: dict, source: str = "<config>") -> C:
    """Validate a mapping into `model`, turning pydantic's errors into one readable ConfigError."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "<root>"
            received = err.get("input")
            lines.append(f"  {field}: {err['msg']} (received {received!r})")
        raise ConfigError(f"{source}: invalid configuration\n" + "\n".join(lines)) from exc
