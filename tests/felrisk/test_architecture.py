"""The data flows one way, and the top-level package names resolve to this project."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tomllib
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


def _layers_contract() -> dict:
    config = tomllib.loads((project_root() / "pyproject.toml").read_text(encoding="utf-8"))
    return next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")


def _layers() -> list[set[str]]:
    """Each layer's module names, top first."""
    return [set(re.split(r"\s*[:|]\s*", x.strip())) for x in _layers_contract()["layers"]]


def test_every_felrisk_module_has_its_layer():
    """A new felrisk module joins the bottom layer by name (the layers cannot name `felrisk`
    itself, which holds the CLI on top), so a module left out would escape the contract."""
    named = set().union(*_layers())
    modules = {f"felrisk.{p.stem}" for p in (project_root() / "felrisk").glob("*.py")}
    assert modules - {"felrisk.__init__"} - named == set()


def test_the_cli_is_the_top_layer_and_ignores_nothing():
    contract = _layers_contract()
    assert {"felrisk.cli", "felrisk.demo"} <= _layers()[0]
    assert not contract.get("ignore_imports")
    assert contract["unmatched_ignore_imports_alerting"] == "error"
