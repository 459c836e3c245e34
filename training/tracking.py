"""Every MLflow call of felrisk: the store, runs, the registry, aliases, the pyfunc model, loading.

The store is MLflow's own setting where there is one (`MLFLOW_TRACKING_URI`, `MLFLOW_REGISTRY_URI`:
a team's server), else the embedded SQLite store (training/store.py), with absolute paths: MLflow's
defaults are relative to the working directory, and its file store is gone. Aliases, not stages:
`challenger` on every new version, `champion` through the gate or `felrisk promote`.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, date, datetime
from importlib.metadata import version as pkg_version
from pathlib import Path

import cloudpickle
import mlflow
import mlflow.artifacts
import mlflow.pyfunc
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.models import Model, ModelSignature, infer_signature
from mlflow.protos.databricks_pb2 import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_DOES_NOT_EXIST,
    ErrorCode,
)
from mlflow.tracking import MlflowClient
from mlflow.types.schema import ColSpec, Schema

from felrisk.environment import environment
from felrisk.errors import ConfigError, NoModelError
from felrisk.private_cache import PrivateCache
from felrisk.safeio import make_dir
from models.bundle import RiskModelBundle
from training import model_cache
from training.config import load_training_config
from training.store import Store, current_store

log = logging.getLogger(__name__)

CHAMPION = "champion"
CHALLENGER = "challenger"
MODEL_ARTIFACT = "model"


class PyfuncRiskModelBundle(RiskModelBundle, mlflow.pyfunc.PythonModel):
    """The bundle as an MLflow pyfunc: `unwrap_python_model()` gives a RiskModelBundle back.

    `predict` takes the feature table as `felrisk features` writes it (or a JSON batch of its
    columns) and returns the case's id columns, where given, beside the bundle's OUTPUT_COLUMNS.
    """

    id_columns: tuple[str, ...] = ()

    def predict(
        self, context, model_input: pd.DataFrame, params: dict | None = None
    ) -> pd.DataFrame:
        ids = [c for c in self.id_columns if c in model_input.columns]
        out = self.predict_frame(model_input)
        return pd.concat([model_input[ids], out], axis=1) if ids else out

    @classmethod
    def wrap(cls, bundle: RiskModelBundle, id_columns: Sequence[str] = ()) -> PyfuncRiskModelBundle:
        wrapped = cls(**{f.name: getattr(bundle, f.name) for f in fields(RiskModelBundle)})
        wrapped.id_columns = tuple(id_columns)
        return wrapped


def store() -> Store:
    """The store every call below uses (the environment's, read afresh)."""
    return current_store()


def tracking_uri() -> str:
    """The tracking address in use, e.g. `sqlite:////abs/path/mlruns/mlflow.db`."""
    return store().tracking_uri


def _missing_store(s: Store) -> str:
    return (
        f"no MLflow store at {s.describe()}: nothing was created. Run `felrisk train --data DIR` "
        "there first, or point felrisk at the store that holds the model (MLFLOW_TRACKING_URI "
        "for a team's server, FELRISK_MLRUNS for a local folder)"
    )


def client(create: bool = True) -> MlflowClient:
    """An MLflow client on the current store.

    The embedded store is created (and migrated) on first use only when `create`: a job that only
    reads (scoring, promotion) gets NoModelError for a store that is not there, never a new one.
    """
    s = store()
    if s.folder is not None:
        if create:
            make_dir(s.folder)  # owner-only: runs hold tables about persons
        elif not s.exists():
            raise NoModelError(_missing_store(s))
    _point_mlflow_at(s)
    return MlflowClient(tracking_uri=s.tracking_uri, registry_uri=s.registry_uri)


def _point_mlflow_at(s: Store) -> None:
    """Point MLflow's fluent API (runs, log_model, load_model) at the store, leaving the
    environment as the user set it: MLflow's setters also export MLFLOW_TRACKING_URI and
    MLFLOW_REGISTRY_URI, which would then pass for the user's choice here and in every
    process started later."""
    env = environment()
    saved = {
        "MLFLOW_TRACKING_URI": env.MLFLOW_TRACKING_URI,
        "MLFLOW_REGISTRY_URI": env.MLFLOW_REGISTRY_URI,
    }
    mlflow.set_tracking_uri(s.tracking_uri)
    mlflow.set_registry_uri(s.registry_uri)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def ensure_experiment(name: str) -> str:
    """The experiment's id, creating it (with an absolute artifact location when embedded)."""
    c = client()
    exp = c.get_experiment_by_name(name)
    if exp is not None:
        return exp.experiment_id
    return c.create_experiment(name, artifact_location=store().artifact_root(name))


class RunLogger:
    """What a felrisk job may log to its active run (so that jobs never touch MLflow directly)."""

    def __init__(self, run_id: str, experiment_id: str) -> None:
        self.run_id = run_id
        self.experiment_id = experiment_id

    def log_params(self, params: Mapping[str, object]) -> None:
        mlflow.log_params({k: _param(v) for k, v in params.items()})

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        clean = {k: float(v) for k, v in metrics.items() if v is not None and pd.notna(v)}
        mlflow.log_metrics(clean, step=step)

    def set_tags(self, tags: Mapping[str, object]) -> None:
        mlflow.set_tags({k: str(v) for k, v in tags.items()})

    def log_dict(self, obj: object, artifact_file: str) -> None:
        mlflow.log_text(json.dumps(obj, indent=2, default=str, sort_keys=True), artifact_file)

    def log_text(self, text: str, artifact_file: str) -> None:
        mlflow.log_text(text, artifact_file)

    def log_table(self, df: pd.DataFrame, artifact_file: str) -> None:
        """A table as CSV (readable in the MLflow UI and anywhere else)."""
        mlflow.log_text(df.to_csv(index=isinstance(df.index, pd.MultiIndex)), artifact_file)

    def log_artifact(self, path: str | Path, artifact_path: str | None = None) -> None:
        mlflow.log_artifact(str(path), artifact_path)


def _param(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    return text[:6000]


@contextmanager
def start_run(
    experiment: str, run_name: str, tags: Mapping[str, object] | None = None
) -> Iterator[RunLogger]:
    """A run in `experiment` (created in the store if new); ends FAILED on an exception."""
    exp_id = ensure_experiment(experiment)
    with mlflow.start_run(experiment_id=exp_id, run_name=run_name) as run:
        logger = RunLogger(run.info.run_id, exp_id)
        if tags:
            logger.set_tags(tags)
        yield logger


@contextmanager
def start_scoring_run(
    as_of: date,
    model_version: int | None,
    params: Mapping[str, object] | None = None,
    experiment: str | None = None,
) -> Iterator[RunLogger]:
    """The nightly job's run in its own experiment (felrisk-scoring): params, metrics, drift."""
    cfg = load_training_config()
    name = experiment or cfg.scoring_experiment
    tags = {"as_of": as_of.isoformat(), "model_version": model_version}
    with start_run(name, f"score {as_of.isoformat()}", tags) as logger:
        logger.log_params({"as_of": as_of.isoformat(), "model_version": model_version})
        if params:
            logger.log_params(params)
        yield logger


def _requirements() -> list[str]:
    # explicit pins: MLflow's own inference loads the model in a subprocess (slow)
    pkgs = ("lightgbm", "scikit-learn", "pandas", "numpy", "mlflow")
    return [f"{p}=={pkg_version(p)}" for p in pkgs]


@contextmanager
def _quiet_model_logging():
    """Silence two MLflow notices that say nothing about our models.

    The integer-schema hint: integer features are counts the builders fill with 0, never missing.
    The CloudPickle notice: the bundle is our own class, written to and read from our own store.
    """
    pyfunc_log = logging.getLogger("mlflow.pyfunc")
    level = pyfunc_log.level
    pyfunc_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer")
            yield
    finally:
        pyfunc_log.setLevel(level)


def model_signature(
    bundle: RiskModelBundle, example: pd.DataFrame, id_columns: Sequence[str] = ()
) -> ModelSignature:
    """Inputs typed as the example's own columns (the feature table's types: counts as long,
    the rest double, ids string, as_of datetime); the model's features required, the other
    columns optional so that a whole feature table passes without a notice. Outputs as the
    pyfunc's `predict` returns them."""
    model = PyfuncRiskModelBundle.wrap(bundle, id_columns)
    with _quiet_model_logging():
        inferred = infer_signature(example, model.predict(None, example))
    needed = set(bundle.feature_names)
    inputs = [ColSpec(c.type, c.name, required=c.name in needed) for c in inferred.inputs.inputs]
    return ModelSignature(Schema(inputs), inferred.outputs)


def log_bundle(
    logger: RunLogger,
    bundle: RiskModelBundle,
    example: pd.DataFrame,
    registered_name: str,
    id_columns: Sequence[str] = (),
) -> int:
    """Log the bundle as a pyfunc, register it and tag it challenger.

    `example` is a few rows of the feature table as the nightly job and `felrisk features` see it:
    its columns and types become the signature, so that the registered model predicts on that
    table as written; `id_columns` of it are passed through to the predictions.
    """
    example = example.head(5).reset_index(drop=True)
    with _quiet_model_logging():
        info = mlflow.pyfunc.log_model(
            name=MODEL_ARTIFACT,
            python_model=PyfuncRiskModelBundle.wrap(bundle, id_columns),
            signature=model_signature(bundle, example, id_columns),
            input_example=example,
            registered_model_name=registered_name,
            pip_requirements=_requirements(),
            await_registration_for=60,
        )
    version = int(info.registered_model_version)
    c = client()
    c.set_registered_model_alias(registered_name, CHALLENGER, str(version))
    c.set_model_version_tag(registered_name, str(version), "run_id", logger.run_id)
    c.set_model_version_tag(
        registered_name, str(version), "feature_version", bundle.feature_version
    )
    return version


def _model_name(name: str | None) -> str:
    return name or load_training_config().registered_model_name


def registered_name() -> str:
    """The name felrisk registers its model under (training.toml), for those who only read it."""
    return _model_name(None)


# What a registry answers for a model or an alias it does not hold (SQL store and REST alike).
_NOT_THERE = {ErrorCode.Name(RESOURCE_DOES_NOT_EXIST), ErrorCode.Name(INVALID_PARAMETER_VALUE)}


def champion_version(name: str | None = None) -> int | None:
    """The version the `champion` alias points at, or None (also for a store not yet created).

    A registry that cannot answer (a server that is down) is NoModelError, never "no champion".
    """
    name = _model_name(name)
    if not store().exists():
        return None
    try:
        return int(client(create=False).get_model_version_by_alias(name, CHAMPION).version)
    except MlflowException as exc:
        if exc.error_code in _NOT_THERE:
            return None
        raise NoModelError(
            f"cannot read the model registry at {store().describe()}: {exc}"
        ) from exc


def set_champion(version: int, reason: str, source: str, name: str | None = None) -> None:
    """Point `champion` at `version` and record why and how (gate or manual) on the version."""
    name = _model_name(name)
    c = client()
    c.set_registered_model_alias(name, CHAMPION, str(version))
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    c.set_model_version_tag(name, str(version), "champion_reason", reason)
    c.set_model_version_tag(name, str(version), "champion_source", source)
    c.set_model_version_tag(name, str(version), "champion_since", stamp)


def tag_version(version: int, tags: Mapping[str, object], name: str | None = None) -> None:
    c = client()
    for k, v in tags.items():
        c.set_model_version_tag(_model_name(name), str(version), k, str(v))


def describe_version(version: int, description: str, name: str | None = None) -> None:
    """The version's description, which the registry's page shows first."""
    client().update_model_version(_model_name(name), str(version), description=description)


def version_tags(version: int, name: str | None = None) -> dict[str, str]:
    return dict(client(create=False).get_model_version(_model_name(name), str(version)).tags)


def promote_version(version: int, reason: str, console=None, name: str | None = None) -> None:
    """`felrisk promote`: make `version` champion by hand; the reason goes on the version and a run."""
    name = _model_name(name)
    if not reason.strip():
        raise ConfigError("a promotion needs a reason (--reason TEXT)")
    try:
        client(create=False).get_model_version(name, str(version))
    except MlflowException as exc:
        raise NoModelError(
            f"model {name!r} has no version {version} in {store().describe()}"
        ) from exc
    previous = champion_version(name)
    set_champion(version, reason, "manual", name)
    cfg = load_training_config()
    with start_run(cfg.experiment, f"promote v{version}", {"kind": "promotion"}) as logger:
        logger.log_params(
            {"version": version, "previous_champion": previous, "reason": reason, "model": name}
        )
    if console is not None:
        console.print(
            f"{name} version {version} is now [bold]champion[/] (was {previous}): {reason}"
        )


def load_version(version: int, name: str | None = None) -> RiskModelBundle:
    """Load one registered version's bundle: from the local model cache when it holds that
    version (training/model_cache.py), else through MLflow, keeping it there for the next night."""
    name = _model_name(name)
    c = client(create=False)  # the store, also in a fresh process that resolved no champion first
    try:
        mv = c.get_model_version(name, str(version))
    except MlflowException as exc:
        raise NoModelError(f"cannot load model {name!r} version {version}: {exc}") from exc
    identity = {
        "run_id": mv.run_id,
        "source": mv.source,
        "registered": mv.creation_timestamp,
        "store": store().registry_uri,
        "requirements": _requirements(),
    }
    cache = model_cache.ModelCache(model_cache.default_folder(store().folder))
    key = model_cache.entry_key(name, version, identity)
    cached = cache.get(name, version, key)
    if cached is not None:
        return cloudpickle.loads(cached)
    with scratch_dir() as tmp:
        try:
            local = mlflow.artifacts.download_artifacts(f"models:/{name}/{version}", dst_path=tmp)
            model = mlflow.pyfunc.load_model(local)
        except MlflowException as exc:
            raise NoModelError(f"cannot load model {name!r} version {version}: {exc}") from exc
        pickled = Model.load(local).flavors["python_function"].get("python_model")
        try:
            if pickled is not None:  # a pickled PythonModel, as log_bundle writes them
                cache.put(name, version, key, (Path(local) / pickled).read_bytes())
        except OSError as exc:  # a cache that cannot be written costs the next night time only
            log.warning("model cache: cannot keep %s version %s (%s)", name, version, exc)
    return model.unwrap_python_model()


def query_cache() -> PrivateCache:
    """The owner-only cache of the night's compiled feature query (features/compiled.py), in the
    model cache's folder: beside the embedded store, else the user's cache folder."""
    return PrivateCache(model_cache.default_folder(store().folder), ".json")


def load_champion(name: str | None = None) -> tuple[int, RiskModelBundle]:
    """Resolve `champion` to a version once, load that version; no champion is NoModelError."""
    name = _model_name(name)
    s = store()
    if not s.exists():
        raise NoModelError(_missing_store(s))
    version = champion_version(name)
    if version is None:
        raise NoModelError(
            f"no champion for model {name!r} in {s.describe()}: run `felrisk train --data DIR`"
            " (a model that passes the gate becomes champion) or `felrisk promote VERSION`"
        )
    return version, load_version(version, name)


def log_figure_dir(logger: RunLogger, folder: Path, artifact_path: str) -> None:
    """Log every file of a folder (plots, tables) under one artifact path."""
    for p in sorted(Path(folder).iterdir()):
        if p.is_file():
            logger.log_artifact(p, artifact_path)


def scratch_dir() -> tempfile.TemporaryDirectory:
    """A temporary folder for artifacts before they are logged."""
    return tempfile.TemporaryDirectory(prefix="felrisk-")
