"""The local model cache: a second load reads the disk, a new version misses, nothing unsafe is read."""

from __future__ import annotations

import stat

import pandas as pd
import pytest

from training import model_cache, tracking
from training.model_cache import ModelCache, entry_key


def _register(bundle, X) -> int:
    with tracking.start_run("felrisk-training", "test") as logger:
        return tracking.log_bundle(logger, bundle, X, "felrisk")


def _entries(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_second_load_comes_from_the_cache_and_a_new_version_replaces_it(
    mlstore, small_bundle, monkeypatch
):
    bundle, X = small_bundle
    v1 = _register(bundle, X)
    folder = mlstore / model_cache.CACHE_FOLDER
    first = tracking.load_version(v1)
    assert [n.startswith(f"felrisk-v{v1}-") for n in _entries(folder)] == [True]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(next(folder.iterdir()).stat().st_mode) == 0o600

    def no_mlflow(*a, **k):
        raise AssertionError("a cached version must not go through MLflow's loader")

    with monkeypatch.context() as m:
        m.setattr("mlflow.pyfunc.load_model", no_mlflow)
        m.setattr("mlflow.artifacts.download_artifacts", no_mlflow)
        again = tracking.load_version(v1)
    pd.testing.assert_frame_equal(again.predict_frame(X), first.predict_frame(X))

    v2 = _register(bundle, X)
    tracking.load_version(v2)
    names = _entries(folder)
    assert len(names) == 1 and names[0].startswith(f"felrisk-v{v2}-")


def test_an_entry_with_other_bytes_or_writable_by_others_is_not_read(tmp_path):
    cache = ModelCache(tmp_path / "cache")
    key = entry_key("felrisk", 3, {"run_id": "r1"})
    path = cache.put("felrisk", 3, key, b"model bytes")
    assert cache.get("felrisk", 3, key) == b"model bytes"
    assert cache.get("felrisk", 3, entry_key("felrisk", 3, {"run_id": "r2"})) is None
    assert cache.get("felrisk", 4, key) is None

    path.chmod(0o620)
    assert cache.get("felrisk", 3, key) is None
    path.chmod(0o600)
    (tmp_path / "cache").chmod(0o770)
    assert cache.get("felrisk", 3, key) is None
    (tmp_path / "cache").chmod(0o700)

    path.write_bytes(b"other bytes")  # what the name's digest does not promise
    assert cache.get("felrisk", 3, key) is None
    assert not path.exists()


def test_entries_of_other_models_stay(tmp_path):
    cache = ModelCache(tmp_path)
    other = cache.put("felrisk-v2", 1, entry_key("felrisk-v2", 1, {}), b"a")
    cache.put("felrisk", 1, entry_key("felrisk", 1, {}), b"b")
    cache.put("felrisk", 2, entry_key("felrisk", 2, {}), b"c")
    assert other.exists()
    assert len(_entries(tmp_path)) == 2


@pytest.mark.parametrize("store_folder", [None, "mlruns"])
def test_the_cache_lives_beside_the_store_or_in_the_users_cache(
    tmp_path, monkeypatch, store_folder
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    got = model_cache.default_folder(tmp_path / store_folder if store_folder else None)
    want = tmp_path / "mlruns" / "model-cache" if store_folder else tmp_path / "xdg/felrisk/models"
    assert got == want and got.is_absolute()
