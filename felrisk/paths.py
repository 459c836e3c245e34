"""Absolute locations of the project's files: the project root, the shipped config, the local store."""

from __future__ import annotations

from pathlib import Path

from felrisk.environment import environment

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The folder that holds pyproject.toml (override with FELRISK_HOME)."""
    env = environment().FELRISK_HOME
    if env is not None:
        return env.resolve()
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
    env = environment().FELRISK_MLRUNS
    return env.resolve() if env is not None else Path.cwd().resolve() / "mlruns"
