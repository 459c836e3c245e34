"""Shared fixtures: one migrated MLflow store per test run, copied per test; a small fitted bundle."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from models.boosting import LightGBMAmount, LightGBMClassifier
from models.bundle import RiskModelBundle
from models.profile import TrainingProfile
from models.rules import RulePrecision
from tests.models.conftest import CATEGORICAL, RULE_PRIORS, fabricate
from tests.once import once_per_session


@pytest.fixture(autouse=True)
def private_model_cache(tmp_path_factory, monkeypatch):
    """A team server's model cache goes to the user's cache folder: a temporary one in tests."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


def _migrate(folder: Path) -> Path:
    old = os.environ.get("FELRISK_MLRUNS")
    os.environ["FELRISK_MLRUNS"] = str(folder)
    try:
        from training import tracking

        tracking.client().search_experiments()
    finally:
        if old is None:
            os.environ.pop("FELRISK_MLRUNS", None)
        else:
            os.environ["FELRISK_MLRUNS"] = old
    return folder / "mlflow.db"


@pytest.fixture(scope="session")
def migrated_store(tmp_path_factory) -> Path:
    """A freshly migrated mlflow.db to copy (migrations cost seconds: done once per test run)."""
    return once_per_session(tmp_path_factory, "mlruns-template", _migrate)


@pytest.fixture
def mlstore(migrated_store, tmp_path, monkeypatch):
    """An empty, migrated store of this test's own (FELRISK_MLRUNS points at it)."""
    folder = tmp_path / "mlruns"
    folder.mkdir()
    shutil.copy(migrated_store, folder / "mlflow.db")
    monkeypatch.setenv("FELRISK_MLRUNS", str(folder))
    return folder


@pytest.fixture(scope="session")
def small_bundle():
    """A bundle fitted on fabricated features, and feature rows to score."""
    X, y, amount = fabricate(1500, 5)
    Xt, yt, _ = fabricate(800, 6)
    err = LightGBMClassifier(
        categorical_features=CATEGORICAL, num_boost_round=20, num_leaves=7, seed=1
    ).fit(X, y, X_cal=Xt, y_cal=yt)
    pos = y == 1
    amt = LightGBMAmount(num_boost_round=20, min_data_in_leaf=5, seed=1).fit(X[pos], amount[pos])
    intent = LightGBMClassifier(num_boost_round=10, num_leaves=4, seed=1).fit(X, y)
    names = list(X.columns)
    prof = TrainingProfile.build(X, err.predict_proba(X)[:, 1], categorical=CATEGORICAL, bins=5)
    rules = RulePrecision(priors=RULE_PRIORS).fit(X, y, X_cal=Xt, y_cal=yt)
    bundle = RiskModelBundle(
        names, list(CATEGORICAL), err, amt, intent, prof, {"seed": 1}, rules=rules
    )
    return bundle, Xt
