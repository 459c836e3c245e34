"""Absolute locations of the project's files: the project root, the shipped config, the local store."""

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
    """The embedded MLflow store's folder (`mlflow.db` and artifacts): FELRISK_MLRUNS, else
    `mlruns/` in the working folder, as absolute paths.

    The working folder, as MLflow's own default, not the install location: an installed package
    lives in site-packages, which is no place for runs. Resolved once per call, so a job records
    absolute artifact paths whatever folder later reads them.
    """
    env = os.environ.get("FELRISK_MLRUNS")
    return Path(env).resolve() if env else Path.cwd().resolve() / "mlruns"
