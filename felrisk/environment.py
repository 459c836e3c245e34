"""The environment variables felrisk reads, in one frozen object read from `os.environ` at once.

Every read of the process environment goes through `environment()`: one place lists what the
environment can change, and a bad value (FELRISK_DUCKDB_THREADS=many) is a ConfigError naming the
variable. Read afresh on each call, since tests and notebooks change the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from felrisk.errors import ConfigError


class Environment(BaseModel):
    """Values of felrisk's environment variables; None where a variable is unset or empty.

    Not a FrozenConfig: environment values are text, parsed here (a number, a flag, a path).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    FELRISK_HOME: Path | None = Field(None, description="project root (default: the source tree)")
    FELRISK_MLRUNS: Path | None = Field(
        None, description="embedded MLflow store (default: mlruns/ in the working folder)"
    )
    FELRISK_SHARE_GROUP: bool = Field(
        False, description="1, true or yes: files group-readable (0640), else owner-only (0600)"
    )
    FELRISK_DUCKDB_THREADS: int | None = Field(None, ge=1, description="DuckDB threads")
    FELRISK_SPARK_MASTER: str | None = Field(None, description="Spark master of --engine spark")
    PYSPARK_GATEWAY_PORT: str | None = Field(None, description="set by spark-submit")
    MLFLOW_TRACKING_URI: str | None = Field(None, description="MLflow server or database")
    MLFLOW_REGISTRY_URI: str | None = Field(None, description="MLflow model registry")
    XDG_CACHE_HOME: Path | None = Field(
        None, description="user cache folder of a server store's model cache (default ~/.cache)"
    )

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("FELRISK_SHARE_GROUP", mode="before")
    @classmethod
    def _flag(cls, value: object) -> object:
        if value is None:
            return False
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes")
        return value


def environment(environ: Mapping[str, str] | None = None) -> Environment:
    """felrisk's variables from `environ` (default: the process environment, read now)."""
    source = os.environ if environ is None else environ
    raw = {name: source[name] for name in Environment.model_fields if name in source}
    try:
        return Environment.model_validate(raw)
    except ValidationError as exc:
        lines = [
            f"  {'.'.join(str(p) for p in err['loc'])}: {err['msg']} (received {err.get('input')!r})"
            for err in exc.errors()
        ]
        raise ConfigError("invalid environment variable\n" + "\n".join(lines)) from exc
