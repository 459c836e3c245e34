"""`felrisk train` end to end on the fake world: set, split, models, metrics, audit, MLflow, gate.

One world and two runs with the same seed are shared by the test run (a run costs seconds): the
first registers v1 and becomes champion through the gate alone; the second, identical, must give
the same metrics and stay challenger because it cannot beat v1.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from felrisk.config import default_config_path
from felrisk.contract import PROTECTED_COLUMNS
from felrisk.errors import ContractError
from tests.once import once_per_session
from tests.world.planted import planted_tables
from tests.world.write import write_world

if TYPE_CHECKING:  # training imports MLflow: not at collection
    from training.pipeline import TrainResult

pytestmark = pytest.mark.slow  # the shared runs train twice: about a minute and a half


def _config(folder: Path, **replace: str) -> Path:
    """The shipped training config with a few lines replaced (fewer bootstrap draws for speed)."""
    text = default_config_path("training.toml").read_text(encoding="utf-8")
    for old, new in {
        "n_boot = 500": "n_boot = 100",
        "rolling_periods = 3": "rolling_periods = 2",
        "num_threads = 2": "num_threads = 1",
        **replace,
    }.items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / "training.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> Path:
    """The planted world, written once per test run (xdist workers share it; read only)."""
    return once_per_session(
        tmp_path_factory,
        "planted-world",
        lambda folder: write_world(folder / "data", **planted_tables(persons=3000, seed=3)),
    )


def _train_twice(
    folder: Path, world: Path, migrated_store: Path
) -> tuple[Path, TrainResult, TrainResult]:
    from training.pipeline import train

    store = folder / "mlruns"
    store.mkdir()
    shutil.copy(migrated_store, store / "mlflow.db")
    cfg = _config(folder)
    old = os.environ.get("FELRISK_MLRUNS")
    os.environ["FELRISK_MLRUNS"] = str(store)
    try:
        first = train(world, config_path=cfg, seed=11)
        second = train(world, config_path=cfg, seed=11)
    finally:
        if old is None:
            os.environ.pop("FELRISK_MLRUNS", None)
        else:
            os.environ["FELRISK_MLRUNS"] = old
    return store, first, second


@pytest.fixture(scope="session")
def runs(world, migrated_store, tmp_path_factory):
    """Two training runs with the same seed into one fresh store, trained once per test run
    (about a minute and a half on 2 cores; xdist workers share them): (store, first, second)."""
    return once_per_session(
        tmp_path_factory,
        "training-runs",
        lambda folder: _train_twice(folder, world, migrated_store),
    )


@pytest.fixture
def in_store(runs, tmp_path, monkeypatch):
    """The runs, with FELRISK_MLRUNS on this test's copy of their store (a test may promote)."""
    store = tmp_path / "mlruns"
    store.mkdir()
    shutil.copy(runs[0] / "mlflow.db", store / "mlflow.db")
    monkeypatch.setenv("FELRISK_MLRUNS", str(store))
    return runs


def test_training_set_holds_closed_controls_without_protected_inputs(runs, world):
    ts = runs[1].training_set
    controls = pd.read_parquet(world / "controls.parquet")
    closed = controls[controls["closed_date"].notna()]
    assert sorted(ts.frame["control_id"]) == sorted(closed["control_id"])
    assert not set(ts.feature_names) & (set(PROTECTED_COLUMNS) | {"age_band", "income_band"})
    by_id = closed.set_index("control_id")["outcome"]
    expected = by_id.loc[ts.frame["control_id"]].isin(["error_customer", "suspected_crime"])
    assert (ts.frame["is_error"].to_numpy() == expected.to_numpy()).all()
    assert ts.frame["is_error"].sum() > 0 and {"sex", "age_band"} <= set(ts.frame.columns)


def test_split_respects_the_label_delay(runs):
    r = runs[1]
    f, s = r.training_set.frame, r.split
    periods = s.assign(f["selected_date"], f["closed_date"])
    t1, t2 = pd.Timestamp(s.t1), pd.Timestamp(s.t2)
    assert (f.loc[periods == "train", "closed_date"] < t1).all()
    assert (f.loc[periods == "validate", "closed_date"] < t2).all()
    assert (f.loc[periods == "test", "selected_date"] >= t2).all()
    late = (f["selected_date"] < t1) & (f["closed_date"] >= t1)
    assert late.any() and periods[late].isna().all()
    assert r.evaluation.n_random == int(((periods == "test") & (f["selection"] == "random")).sum())


def test_lightgbm_beats_random_and_is_measured_on_the_random_stream(runs):
    ev = runs[1].evaluation
    assert set(ev.comparison["model"]) >= {"random", "rules", "logistic", "lightgbm"}
    assert ev.hit_rate("lightgbm").low > ev.hit_rate("random").high
    assert ev.hit_rate("lightgbm").low > ev.stream_rate.high
    random_lift = ev.comparison.set_index("model").loc["random"]
    assert random_lift["lift_low"] < 1 < random_lift["lift_high"]
    assert (ev.comparison["k"] == ev.k).all() and ev.k < ev.n_random
    assert {"ipw_recall", "ipw_lift_low"} <= set(ev.population.columns)


def test_paired_gains_and_the_console_table(runs):
    from rich.console import Console

    from training.card import comparison_table

    ev = runs[1].evaluation
    paired = ev.paired.set_index(["model", "baseline"])
    assert paired.loc[("lightgbm", "random"), "gain_low"] > 0
    hits = ev.comparison.set_index("model")["hit_rate"]
    assert paired.loc[("lightgbm", "rules"), "gain"] == pytest.approx(
        hits["lightgbm"] - hits["rules"]
    )
    console = Console(record=True, width=220)
    console.print(comparison_table(ev, "test period"))
    text = console.export_text()
    assert all(m in text for m in ("random", "rules", "logistic", "lightgbm"))
    assert f"{paired.loc[('lightgbm', 'rules'), 'gain']:+.1%}" in text


def test_the_hybrid_is_compared_and_the_registered_bundle_carries_the_rules(in_store):
    from training import tracking

    _, _, second = in_store
    assert {"hybrid", "hybrid_sek"} <= set(second.evaluation.comparison["model"])
    bundle = tracking.load_version(second.model_version, "felrisk")
    table = pd.DataFrame(bundle.metadata["rule_precision"])
    pd.testing.assert_frame_equal(table, bundle.rules.table_)
    # the fake world plants KAR paid on SJP days: a forbidden overlap its controls have seen
    forbidden = table.set_index("rule").loc["overlap_forbidden_days"]
    assert forbidden["controls"] > 0 and forbidden["precision"] > forbidden["prior_mean"]
    rows = second.training_set.frame.head(300)
    out = bundle.predict_frame(rows)
    broken = out["rule_feature"].notna()
    assert broken.any()
    assert (out.loc[broken, "probability"] >= out.loc[broken, "rule_probability"]).all()
    assert (out["probability"] >= out["model_probability"]).all()


def test_intent_is_a_second_target(runs):
    ev, f = runs[1].evaluation, runs[1].training_set.frame
    assert f["is_intent"].sum() > 0 and (f["is_intent"] <= f["is_error"]).all()
    # the fake world's test period holds a few suspected crimes among its random controls
    assert set(ev.intent["model"]) == {"intent", "lightgbm", "random"}
    assert (ev.intent["k"] == ev.k).all() and ev.intent["hit_rate"].between(0, 1).all()
    assert "intent.intent.hit_rate" in runs[1].metrics


def test_oracle_figures_sit_beside_the_honest_ones(runs):
    oracle = runs[1].evaluation.oracle
    assert oracle is not None
    row = oracle.set_index(["model", "figure"]).loc[("lightgbm", "hit_rate")]
    assert np.isclose(row["honest_minus_oracle"], row["honest"] - row["oracle"])
    # investigators miss some errors: the oracle prevalence is at least the honest one
    prev = oracle.set_index(["model", "figure"]).loc[("(population)", "prevalence")]
    assert prev["oracle"] >= prev["honest"]
    assert "oracle.lightgbm.hit_rate" in runs[1].metrics


def test_same_seed_gives_the_same_metrics(runs):
    _, first, second = runs
    assert first.metrics == second.metrics
    assert first.run_id != second.run_id and (first.model_version, second.model_version) == (1, 2)


def test_run_logs_params_data_features_metrics_plots_audit_and_card(in_store):
    from training import tracking

    run = tracking.client().get_run(in_store[1].run_id)
    assert run.data.params["seed"] == "11" and int(run.data.params["rows.train"]) > 0
    assert (
        run.data.metrics["test.lightgbm.hit_rate"] == in_store[1].metrics["test.lightgbm.hit_rate"]
    )
    root = Path(run.info.artifact_uri.removeprefix("file://"))
    names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    for expected in (
        "data/snapshot.json",
        "data/features.json",
        "metrics/comparison.csv",
        "metrics/per_benefit.csv",
        "metrics/oracle.csv",
        "metrics/rolling.csv",
        "metrics/paired_gains.csv",
        "metrics/intent.csv",
        "audit/equal_treatment.csv",
        "audit/proxy_screen.csv",
        "plots/lift_at_k.png",
        "plots/reliability_lightgbm.png",
        "plots/equal_burden_hybrid.png",
        "model_card.md",
        "gate.json",
    ):
        assert expected in names, expected
    card = (root / "model_card.md").read_text(encoding="utf-8")
    assert "## Equal treatment" in card and "oracle" in card and "version 1" in card
    snapshot = (root / "data/snapshot.json").read_text(encoding="utf-8")
    assert '"controls"' in snapshot and "sha256" in snapshot


def test_registered_with_signature_gate_promotes_then_keeps_champion_then_override(in_store):
    from mlflow.models import get_model_info

    from training import tracking

    _, first, second = in_store
    info = get_model_info(f"models:/felrisk/{first.model_version}")
    assert info.signature is not None and "overlap_excess_days" in str(info.signature.inputs)
    assert first.promoted and "no champion yet" in first.decision.summary()
    assert not second.promoted
    assert "does not beat champion v1" in second.decision.summary()
    c = tracking.client()
    assert str(c.get_model_version_by_alias("felrisk", "challenger").version) == "2"
    assert tracking.champion_version("felrisk") == 1
    assert tracking.version_tags(1)["champion_source"] == "gate"

    tracking.promote_version(2, "signed off by the model board")
    assert tracking.champion_version("felrisk") == 2
    assert tracking.version_tags(2)["champion_reason"] == "signed off by the model board"


def test_too_few_random_test_controls_is_an_error():
    from datetime import date

    from training.config import load_training_config
    from training.pipeline import require_test_rows
    from training.split import TimeSplit

    cfg = load_training_config()
    split = TimeSplit(date(2024, 1, 1), date(2024, 6, 1), date(2024, 12, 31))
    enough = np.zeros(50, dtype=bool)
    enough[: cfg.capacity.min_k] = True
    require_test_rows({"test": enough}, split, cfg)
    enough[0] = False
    with pytest.raises(ContractError, match="too few to measure"):
        require_test_rows({"test": enough}, split, cfg)


def test_oracle_truth_is_read_only_where_a_synthetic_world_has_it(world, tmp_path):
    from training.evaluate import read_oracle_truth

    assert read_oracle_truth(tmp_path) is None  # real data: no truth/, no oracle figures
    truth = read_oracle_truth(world)
    assert list(truth.columns) == ["case_id", "is_erroneous", "wrong_amount_sek"]
