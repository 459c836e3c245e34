"""felrisk against a real `mlflow server`, as a data-science team runs it.

One tracking server on 127.0.0.1 (SQLite backend, artifacts under tmp_path) is started and stopped
by the module. `train` logs and registers over HTTP, `felrisk score` (a fresh process) scores a
night from the champion it resolves there, and then, as a data scientist would: the champion
loaded by alias through `mlflow.pyfunc` in a fresh process predicts on the table `felrisk
features` writes and on a JSON batch of it, and `mlflow models serve` answers a request. Every
figure is compared with the night's list. Each process is bounded in time.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.training.test_pipeline import _config
from tests.world.planted import planted_tables
from tests.world.write import write_world

pytestmark = [pytest.mark.slow, pytest.mark.mlflow_server]

ROOT = Path(__file__).resolve().parents[2]
MLFLOW = [sys.executable, "-m", "mlflow"]
AS_OF = date(2025, 12, 1)  # a night of the fake world with active cases and a few picks
START_S = 240  # a cold start of a server on a busy 2-core machine, with room to spare
FIGURES = ("probability", "expected_wrong_sek", "intent_probability")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A server process in its own process group, so that stopping it stops its workers."""
    with log.open("w") as fh:
        return subprocess.Popen(
            args, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )


def _wait(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    """Until `url` answers 200; a process that dies or a timeout fails with the server's log."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"{url}: the server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def team(tmp_path_factory, migrated_store):
    """Server up, `train` and `felrisk score` run against it; yields what the tests look at."""
    from features.build import write_feature_table
    from training.pipeline import train

    tmp = tmp_path_factory.mktemp("team")
    shutil.copy(migrated_store, tmp / "server.db")  # migrations cost seconds: done once
    url = f"http://127.0.0.1:{_free_port()}"
    local = tmp / "local-mlruns"  # FELRISK_MLRUNS: must stay untouched, the server wins
    local.mkdir()
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": url,
        "FELRISK_MLRUNS": str(local),
        "PYTHONPATH": str(ROOT),
        # as in an activated venv: `mlflow models serve` starts `uvicorn` by name
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "60",
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    }
    env.pop("MLFLOW_REGISTRY_URI", None)
    server_log = tmp / "server.log"
    server = _start(
        [
            *MLFLOW,
            "server",
            "--backend-store-uri",
            f"sqlite:///{(tmp / 'server.db').as_posix()}",
            "--artifacts-destination",
            str(tmp / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            url.rsplit(":", 1)[1],
            "--workers",
            "1",
        ],
        env,
        server_log,
    )
    try:
        # the world and tonight's feature table are built while the server starts
        world = write_world(tmp / "data", **planted_tables(persons=3000, seed=3))
        features = write_feature_table(world, AS_OF, tmp / "features.parquet")
        _wait(f"{url}/health", server, server_log, START_S)
        with pytest.MonkeyPatch.context() as mp:
            for key in ("MLFLOW_TRACKING_URI", "FELRISK_MLRUNS", "MLFLOW_HTTP_REQUEST_TIMEOUT"):
                mp.setenv(key, env[key])
            mp.delenv("MLFLOW_REGISTRY_URI", raising=False)
            result = train(world, config_path=_config(tmp), seed=11)
            lists = tmp / "lists"
            score = subprocess.run(
                [sys.executable, "-m", "felrisk.cli", "score", "--data", str(world)]
                + ["--as-of", AS_OF.isoformat(), "--out", str(lists)],
                env=env,
                cwd=tmp,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert score.returncode == 0, score.stderr[-3000:]
            yield {
                "url": url,
                "env": env,
                "tmp": tmp,
                "local": local,
                "result": result,
                "features": features,
                "score": score,
                "list": pd.read_parquet(lists / AS_OF.isoformat() / "control_list.parquet"),
            }
    finally:
        _stop(server)


def test_runs_model_card_aliases_and_the_scoring_run_are_on_the_server(team):
    from mlflow import MlflowClient
    from mlflow.artifacts import load_text

    c = MlflowClient(tracking_uri=team["url"], registry_uri=team["url"])
    result = team["result"]
    training = c.get_experiment_by_name("felrisk-training")
    assert training.artifact_location.startswith("mlflow-artifacts:")  # the server keeps them
    runs = c.search_runs([training.experiment_id], "tags.kind = 'train'")
    assert [r.info.run_id for r in runs] == [result.run_id]
    assert "model_card.md" in {a.path for a in c.list_artifacts(result.run_id)}
    card = load_text(f"runs:/{result.run_id}/model_card.md")
    assert "version 1" in card and "## Equal treatment" in card
    model = c.get_registered_model("felrisk")
    assert model.aliases == {"champion": "1", "challenger": "1"}
    scoring = c.get_experiment_by_name("felrisk-scoring")
    nights = c.search_runs([scoring.experiment_id], f"tags.as_of = '{AS_OF.isoformat()}'")
    assert len(nights) == 1 and nights[0].data.tags["model_version"] == "1"
    assert nights[0].data.metrics["selected"] == len(team["list"]) > 0
    assert "manifest.json" in {a.path for a in c.list_artifacts(nights[0].info.run_id)}
    # the command said where it worked, and nothing went to the embedded store
    assert f"MLflow store: {team['url']} (MLFLOW_TRACKING_URI)" in team["score"].stderr
    assert list(team["local"].iterdir()) == []


def test_the_version_carries_its_data_code_config_and_backtest(team):
    from mlflow import MlflowClient

    from training.config import load_training_config
    from training.lineage import git_commit, snapshot_sha256

    c = MlflowClient(tracking_uri=team["url"], registry_uri=team["url"])
    version = c.get_model_version_by_alias("felrisk", "champion")
    tags = version.tags
    snapshot = team["result"].training_set.snapshot
    assert tags["data_snapshot_sha256"] == snapshot_sha256(snapshot)
    assert tags["data_dir"] == str((team["tmp"] / "data").resolve())
    commit, _ = git_commit(ROOT)
    assert tags["git_commit"] == commit and tags["git_dirty"] in ("true", "false", "unknown")
    config = json.loads(tags["training_config"])
    assert config["seed"] == 11 and config == json.loads(
        json.dumps(load_training_config(_config(team["tmp"]), 11).model_dump(), default=str)
    )
    assert tags["backtest"].startswith("not run")  # train() without the list replay
    assert tags["champion_source"] == "gate" and tags["run_id"] == team["result"].run_id
    text = version.description
    assert tags["data_snapshot_sha256"][:16] in text and commit in text and "gate:" in text
    if commit != "unknown":  # a checkout: the run shows the commit where MLflow's UI looks
        run = c.get_run(team["result"].run_id)
        assert run.data.tags["mlflow.source.git.commit"] == commit


PREDICT = """
import json, logging, sys, warnings
from pathlib import Path
import mlflow.models, mlflow.pyfunc, pandas as pd

features, out = Path(sys.argv[1]), Path(sys.argv[2])
notices = []
class Keep(logging.Handler):
    def emit(self, record):
        notices.append(record.getMessage())
logging.getLogger("mlflow").addHandler(Keep(logging.WARNING))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model = mlflow.pyfunc.load_model("models:/felrisk@champion")
    table = pd.read_parquet(features)
    model.predict(table).to_parquet(out / "from_table.parquet")
    # a JSON batch of the same columns, read as `mlflow models serve` and `predict` read it
    split = json.loads(table.to_json(orient="split", date_format="iso", index=False))
    (out / "batch.json").write_text(json.dumps({"dataframe_split": split}))
    mlflow.models.predict(
        model_uri="models:/felrisk@champion",
        input_path=out / "batch.json",
        content_type="json",
        env_manager="local",
        output_path=out / "from_json.json",
    )
notices += [f"{w.category.__name__}: {w.message}" for w in caught]
schema = model.metadata.get_input_schema().to_dict()
(out / "seen.json").write_text(json.dumps({"notices": notices, "inputs": schema}))
"""

MLFLOW_TYPES = {"int64": "long", "double": "double", "string": "string", "date32[day]": "datetime"}


def _figures_of_the_list(predicted: pd.DataFrame, lst: pd.DataFrame) -> None:
    """The model's figures for the night's selected cases equal the published list's (rounded)."""
    got = predicted.set_index("case_id").loc[lst["case_id"]]
    np.testing.assert_allclose(got["probability"], lst["probability"], atol=1e-6)
    np.testing.assert_allclose(got["intent_probability"], lst["intent_probability"], atol=1e-6)
    np.testing.assert_allclose(got["expected_wrong_sek"], lst["expected_wrong_sek"], atol=0.01)
    assert (got["person_id"].to_numpy() == lst["person_id"].to_numpy()).all()


def test_the_champion_predicts_on_the_feature_table_in_a_fresh_process_as_score_did(team):
    out = team["tmp"] / "notebook"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", PREDICT, str(team["features"]), str(out)],
        env=team["env"],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads((out / "seen.json").read_text())
    # a whole feature table, ids included, passes without a notice to read
    assert not [n for n in seen["notices"] if "input" in n.lower() or "schema" in n.lower()]
    # the signature's types are the feature table's, as written
    written = pq.read_schema(team["features"])
    declared = {c["name"]: c for c in seen["inputs"]}
    assert list(declared) == written.names
    for field in written:
        assert declared[field.name]["type"] == MLFLOW_TYPES[str(field.type)], field.name
    bundle_inputs = set(team["result"].training_set.feature_names)
    assert {n for n, c in declared.items() if c["required"]} == bundle_inputs
    table = pd.read_parquet(out / "from_table.parquet")
    assert list(table.columns[:4]) == ["case_id", "person_id", "benefit", "as_of"]
    assert set(FIGURES) <= set(table.columns)
    assert len(table) == pq.read_metadata(team["features"]).num_rows
    _figures_of_the_list(table, team["list"])
    from_json = pd.DataFrame(json.loads((out / "from_json.json").read_text())["predictions"])
    assert list(from_json["case_id"]) == list(table["case_id"])
    pd.testing.assert_frame_equal(from_json[list(FIGURES)], table[list(FIGURES)])


def test_mlflow_models_serve_answers_with_the_lists_figures(team):
    port = _free_port()
    log = team["tmp"] / "serve.log"
    proc = _start(
        [*MLFLOW, "models", "serve", "-m", "models:/felrisk@champion", "--env-manager", "local"]
        + ["-h", "127.0.0.1", "-p", str(port), "-w", "1"],
        team["env"],
        log,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/ping", proc, log, START_S)
        lst = team["list"].head(5)
        rows = pd.read_parquet(team["features"])
        rows = rows[rows["case_id"].isin(lst["case_id"])]
        body = {"dataframe_split": json.loads(rows.to_json(orient="split", date_format="iso"))}
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/invocations",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=120) as resp:
            answer = json.loads(resp.read())
    finally:
        _stop(proc)
    predicted = pd.DataFrame(answer["predictions"])
    assert len(predicted) == len(lst)
    _figures_of_the_list(predicted, lst)
