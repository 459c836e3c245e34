"""MLflow tracking on a throwaway store: runs, registry, aliases, the gate's effect, promotion."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from felrisk.errors import ConfigError, NoModelError
from models.bundle import OUTPUT_COLUMNS, RiskModelBundle
from training import tracking


def _register(bundle, X, name="felrisk"):
    with tracking.start_run("felrisk-training", "test") as logger:
        logger.log_params({"seed": 1, "features": ["a", "b"]})
        logger.log_metrics({"hit_rate": 0.5, "nan_is_skipped": float("nan")})
        version = tracking.log_bundle(logger, bundle, X, name)
    return logger.run_id, version


def test_store_is_absolute_and_under_mlruns_dir(mlstore):
    assert tracking.tracking_uri() == f"sqlite:///{mlstore.as_posix()}/mlflow.db"
    exp_id = tracking.ensure_experiment("felrisk-training")
    exp = tracking.client().get_experiment(exp_id)
    assert exp.artifact_location == (mlstore / "artifacts" / "felrisk-training").as_uri()
    assert tracking.ensure_experiment("felrisk-training") == exp_id


def test_register_sets_challenger_and_pyfunc_round_trips(mlstore, small_bundle):
    bundle, X = small_bundle
    run_id, version = _register(bundle, X)
    c = tracking.client()
    assert int(c.get_model_version_by_alias("felrisk", "challenger").version) == version
    run = c.get_run(run_id)
    assert run.data.params["seed"] == "1" and "nan_is_skipped" not in run.data.metrics
    mv = c.get_model_version("felrisk", str(version))
    assert mv.tags["feature_version"] == bundle.feature_version
    # no champion yet: loading is a clear error
    with pytest.raises(NoModelError, match="no champion"):
        tracking.load_champion()
    tracking.set_champion(version, "passed the gate", "gate")
    got_version, loaded = tracking.load_champion()
    assert got_version == version and isinstance(loaded, RiskModelBundle)
    got, want = loaded.predict_frame(X), bundle.predict_frame(X)
    pd.testing.assert_frame_equal(got, want)
    # the rules travel with the model: some cases break one, and it is named
    assert got["rule_feature"].notna().any() and got["rule_feature"].isna().any()
    import mlflow.pyfunc

    model = mlflow.pyfunc.load_model("models:/felrisk@champion")
    out = model.predict(bundle.input_frame(X.head(3)))
    assert tuple(out.columns) == OUTPUT_COLUMNS
    assert isinstance(model.unwrap_python_model(), RiskModelBundle)


def test_promote_by_hand_logs_reason_and_refuses_unknown_versions(mlstore, small_bundle):
    bundle, X = small_bundle
    _, v1 = _register(bundle, X)
    _, v2 = _register(bundle, X)
    tracking.set_champion(v1, "gate", "gate")
    tracking.promote_version(v2, "investigators asked for the newer model")
    assert tracking.champion_version() == v2
    tags = tracking.version_tags(v2)
    assert tags["champion_reason"] == "investigators asked for the newer model"
    assert tags["champion_source"] == "manual"
    runs = tracking.client().search_runs(
        [tracking.ensure_experiment("felrisk-training")], "tags.kind = 'promotion'"
    )
    assert runs[0].data.params["reason"] == "investigators asked for the newer model"
    assert runs[0].data.params["previous_champion"] == str(v1)
    with pytest.raises(NoModelError, match="no version 99"):
        tracking.promote_version(99, "typo")
    with pytest.raises(ConfigError, match="reason"):
        tracking.promote_version(v1, "  ")


def test_scoring_run_goes_to_its_own_experiment(mlstore):
    with tracking.start_scoring_run(date(2025, 6, 1), 3, {"engine": "duckdb"}) as logger:
        logger.log_metrics({"psi_score": 0.01})
        logger.log_dict({"a": 1}, "summary.json")
    exp = tracking.client().get_experiment_by_name("felrisk-scoring")
    run = tracking.client().get_run(logger.run_id)
    assert run.info.experiment_id == exp.experiment_id
    assert run.data.tags["model_version"] == "3" and run.data.metrics["psi_score"] == 0.01


def test_the_signature_is_typed_as_the_feature_table_and_ids_pass_through(small_bundle):
    bundle, X = small_bundle
    n = 20
    ids = ("case_id", "person_id", "benefit", "as_of")
    table = pd.concat(
        [
            pd.DataFrame(
                {
                    "case_id": [f"C{i:04d}" for i in range(n)],
                    "person_id": [f"P{i:04d}" for i in range(n)],
                    "benefit": "SJP",
                    "as_of": pd.Timestamp("2025-10-01"),
                    "person_earlier_controls": 0,  # in the table, not a model input
                }
            ),
            X.head(n).reset_index(drop=True),
        ],
        axis=1,
    )
    # counts are integers in the feature table
    table["overlap_forbidden_days"] = table["overlap_forbidden_days"].astype("int64")
    sig = tracking.model_signature(bundle, table, ids)
    spec = {c.name: (c.type.name, c.required) for c in sig.inputs.inputs}
    assert list(spec) == list(table.columns)
    assert spec["case_id"] == ("string", False) and spec["as_of"] == ("datetime", False)
    assert spec["person_earlier_controls"] == ("long", False)
    assert spec["overlap_forbidden_days"] == ("long", True) and spec["noise"] == ("double", True)
    assert {n for n, (_, req) in spec.items() if req} == set(bundle.feature_names)
    out = tracking.PyfuncRiskModelBundle.wrap(bundle, ids).predict(None, table)
    assert tuple(out.columns) == (*ids, *OUTPUT_COLUMNS)
    assert [c.name for c in sig.outputs.inputs] == list(out.columns)
    pd.testing.assert_frame_equal(out[list(OUTPUT_COLUMNS)], bundle.predict_frame(table))
    # without ids in the input, the predictions alone
    alone = tracking.PyfuncRiskModelBundle.wrap(bundle, ids).predict(None, X.head(3))
    assert tuple(alone.columns) == OUTPUT_COLUMNS
