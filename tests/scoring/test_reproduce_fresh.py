"""`felrisk reproduce` in a fresh process on a real MLflow store: all five files as recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from features import build
from felrisk.datadir import open_data
from scoring.manifest import VOLATILE_KEYS
from tests.scoring.world import AS_OF

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LIST_FILES = ("control_list.parquet", "control_list.csv", "control_list.xlsx", "report.html")


def _felrisk(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "felrisk.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _champion(world: Path, store: Path, monkeypatch) -> None:
    """A small real bundle registered as champion in a private MLflow store."""
    from tests.scoring.test_job_real import _bundle
    from training.config import load_training_config
    from training.tracking import log_bundle, set_champion, start_run

    monkeypatch.setenv("FELRISK_MLRUNS", str(store))
    data = open_data(world)
    features = build.build_features(data, build.active_spine(data, AS_OF)).to_pandas()
    cfg = load_training_config()
    with start_run(cfg.experiment, "test champion") as run:
        version = log_bundle(run, _bundle(features), features, cfg.registered_model_name)
    set_champion(version, "test", "test")


def test_a_night_is_remade_byte_for_byte_in_a_fresh_process(world, tmp_path, monkeypatch):
    store = tmp_path / "mlruns"
    _champion(world, store, monkeypatch)
    env = {**os.environ, "FELRISK_MLRUNS": str(store), "PYTHONPATH": str(ROOT)}
    lists, again = tmp_path / "lists", tmp_path / "again"
    day = AS_OF.isoformat()
    score = _felrisk(
        ["score", "--data", str(world), "--as-of", day, "--out", str(lists)], env, tmp_path
    )
    assert score.returncode == 0, score.stderr
    # the scoring run's artifacts (tables about persons) are owner-only too
    logged = [p for p in (store / "artifacts" / "felrisk-scoring").rglob("*") if p.is_file()]
    assert logged and all(p.stat().st_mode & 0o077 == 0 for p in logged)
    assert store.stat().st_mode & 0o077 == 0
    manifest = lists / day / "manifest.json"
    recorded = json.loads(manifest.read_text())
    assert set(recorded["outputs_sha256"]) == set(LIST_FILES)
    work = tmp_path / "elsewhere"
    work.mkdir()
    rc = _felrisk(
        ["reproduce", str(manifest), "--data", str(world), "--out", str(again)], env, work
    )
    assert rc.returncode == 0, rc.stderr
    for name in LIST_FILES:
        assert (again / day / name).read_bytes() == (lists / day / name).read_bytes(), name
        assert f"{name}: same" in rc.stderr
    remade = json.loads((again / day / "manifest.json").read_text())
    for key in VOLATILE_KEYS:
        recorded.pop(key), remade.pop(key)
    assert remade == recorded and "manifest.json: same" in rc.stderr
    assert list(work.iterdir()) == []  # no ./mlflow.db or anything else in the working folder
    # a changed list file is caught: exit 7, naming the file
    (lists / day / "report.html").write_text("edited")
    edited = json.loads(manifest.read_text())
    edited["outputs_sha256"]["report.html"] = "0" * 64
    manifest.write_text(json.dumps(edited))
    rc = _felrisk(
        ["reproduce", str(manifest), "--data", str(world), "--out", str(tmp_path / "third")],
        env,
        work,
    )
    assert rc.returncode == 7 and "report.html: DIFFERS" in rc.stderr
