"""The data flows one way, and the top-level package names resolve to this project."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from felrisk.paths import project_root

PACKAGES = [
    "felrisk",
    "synthetic",
    "features",
    "models",
    "audit",
    "training",
    "scoring",
    "backtest",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_package_resolves_to_this_project(name):
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().parent == project_root() / name


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(project_root() / "pyproject.toml")],
        cwd=project_root(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


def test_no_pipeline_module_reads_truth():
    offenders = []
    for pkg in ("features", "models", "audit", "scoring", "backtest"):
        for path in (project_root() / pkg).rglob("*.py"):
            if "case_truth" in path.read_text(encoding="utf-8"):
                offenders.append(str(path))
    assert not offenders, f"truth/ is for the generator and tests only: {offenders}"
