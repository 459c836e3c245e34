"""`felrisk score` on a store that is not there: exit 4, the store named, nothing created."""

from __future__ import annotations

import pytest

from felrisk.cli import main
from tests.scoring.world import AS_OF


@pytest.mark.parametrize("made", [True, False], ids=["empty FELRISK_MLRUNS", "no folder"])
def test_score_without_a_store_exits_4_and_creates_none(world, tmp_path, monkeypatch, capsys, made):
    store, out = tmp_path / "mlruns", tmp_path / "lists"
    if made:
        store.mkdir()
    for key in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("FELRISK_MLRUNS", str(store))
    args = ["score", "--data", str(world), "--as-of", AS_OF.isoformat(), "--out", str(out)]
    assert main(args) == 4
    err = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    db = f"sqlite:///{store.resolve().as_posix()}/mlflow.db"
    assert f"MLflow store: {db} (embedded, FELRISK_MLRUNS)" in err
    assert f"no MLflow store at {db}" in err and "MLFLOW_TRACKING_URI" in err
    assert not out.exists()
    assert (list(store.iterdir()) == []) if made else not store.exists()
