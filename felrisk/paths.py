"""Absolute locations of the project's stores, resolved from the project root, never the cwd."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The folder that holds pyproject.toml (override with FELRISK_HOME)."""
    env = os.environ.get("FELRISK_HOME")
    if env:
        return Path(env).resolve()
    return _PACKAGE_DIR.parent


def config_dir() -> Path:
    """Folder of the default configuration files shipped with the package."""
    return _PACKAGE_DIR / "config"


def mlruns_dir() -> Path:
    """MLflow's local store: `mlflow.db` for metadata, artifacts beside it (FELRISK_MLRUNS overrides)."""
    env = os.environ.get("FELRISK_MLRUNS")
    return Path(env).resolve() if env else project_root() / "mlruns"
