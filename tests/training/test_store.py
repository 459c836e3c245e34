"""Which store felrisk uses: MLflow's settings win, the embedded store otherwise, and a job that
only reads never creates one."""

from __future__ import annotations

import os
import socket

import pytest

from felrisk.errors import NoModelError
from training import tracking
from training.store import current_store, redact

MLFLOW_VARS = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "FELRISK_MLRUNS")


@pytest.fixture
def clean_env(monkeypatch):
    for key in MLFLOW_VARS:
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_the_default_is_sqlite_in_mlruns_of_the_working_folder(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    s = current_store()
    folder = tmp_path.resolve() / "mlruns"
    assert s.embedded and s.folder == folder
    assert s.tracking_uri == s.registry_uri == f"sqlite:///{folder.as_posix()}/mlflow.db"
    assert s.artifact_root("felrisk-training") == (folder / "artifacts/felrisk-training").as_uri()
    assert s.describe().endswith("(embedded, mlruns/ in the working folder)")
    assert not s.exists()


def test_felrisk_mlruns_names_the_embedded_folder(clean_env, tmp_path):
    clean_env.setenv("FELRISK_MLRUNS", str(tmp_path / "runs"))
    s = current_store()
    assert s.folder == (tmp_path / "runs").resolve() and "FELRISK_MLRUNS" in s.describe()


def test_mlflow_tracking_uri_wins_and_the_registry_uri_is_honoured(clean_env, tmp_path):
    clean_env.setenv("FELRISK_MLRUNS", str(tmp_path))
    clean_env.setenv("MLFLOW_TRACKING_URI", "https://ds:s3cret@mlflow.team.example:8443")
    s = current_store()
    assert not s.embedded and s.artifact_root("x") is None and s.exists()
    assert s.registry_uri == s.tracking_uri
    assert s.describe() == "https://ds:***@mlflow.team.example:8443 (MLFLOW_TRACKING_URI)"
    clean_env.setenv("MLFLOW_REGISTRY_URI", "postgresql://reg:pw@db/registry")
    s = current_store()
    assert s.registry_uri == "postgresql://reg:pw@db/registry"
    assert "registry postgresql://reg:***@db/registry (MLFLOW_REGISTRY_URI)" in s.describe()
    assert "s3cret" not in s.describe() and "pw@" not in s.describe()


def test_an_address_without_a_password_is_shown_as_it_is():
    assert redact("http://127.0.0.1:5000") == "http://127.0.0.1:5000"
    assert redact("sqlite:////tmp/mlruns/mlflow.db") == "sqlite:////tmp/mlruns/mlflow.db"


def test_felrisk_leaves_the_environment_as_the_user_set_it(mlstore, clean_env, tmp_path):
    import mlflow

    clean_env.setenv("FELRISK_MLRUNS", str(mlstore))
    tracking.client()
    # MLflow's setter exports MLFLOW_TRACKING_URI; felrisk takes it back out, so that the next
    # store (another FELRISK_MLRUNS, a child process) is not mistaken for the user's choice
    assert "MLFLOW_TRACKING_URI" not in os.environ and "MLFLOW_REGISTRY_URI" not in os.environ
    assert mlflow.get_tracking_uri() == tracking.tracking_uri()
    clean_env.setenv("FELRISK_MLRUNS", str(tmp_path / "other"))
    assert tracking.store().folder == (tmp_path / "other").resolve()


@pytest.mark.parametrize("made", [True, False], ids=["empty folder", "no folder"])
def test_reading_a_missing_store_is_no_model_and_creates_nothing(clean_env, tmp_path, made):
    folder = tmp_path / "mlruns"
    if made:
        folder.mkdir()
    clean_env.setenv("FELRISK_MLRUNS", str(folder))
    assert tracking.champion_version() is None  # what `train` asks before its first run
    for call in (
        tracking.load_champion,
        lambda: tracking.load_version(1),
        lambda: tracking.promote_version(1, "signed off"),
        lambda: tracking.version_tags(1),
    ):
        with pytest.raises(NoModelError, match="no MLflow store at sqlite:///.*nothing was"):
            call()
    assert (list(folder.iterdir()) == []) if made else not folder.exists()


def test_a_server_that_does_not_answer_is_a_clear_error(clean_env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    clean_env.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{port}")
    clean_env.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    clean_env.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "5")
    with pytest.raises(NoModelError, match=f"cannot read the model registry at .*:{port}"):
        tracking.load_champion()
