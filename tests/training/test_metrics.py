"""Evaluation metrics: known answers on hand-made inputs, intervals, determinism, failure paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from felrisk.bootstrap import interval, resample_counts
from training.metrics import (
    Estimate,
    brier,
    compare_at_k,
    ipw_lift,
    ipw_prevalence,
    ipw_recall_of_list,
    lift,
    plot_lift_at_k,
    plot_pr,
    plot_reliability,
    pr_auc,
    precision_at_k,
    reliability_table,
    roc_auc,
    wrong_sek_at_k,
)

FAST = {"n_boot": 200, "seed": 0}


@pytest.fixture(scope="module")
def world() -> dict[str, np.ndarray]:
    """2,000 labelled cases whose score is informative but noisy, with tied scores."""
    rng = np.random.default_rng(7)
    n = 2000
    y = (rng.random(n) < 0.15).astype(float)
    score = np.round(rng.random(n) + 0.4 * y, 2)
    return {"y": y, "score": score, "p": np.clip(score / 1.4, 0, 1)}


def test_estimate_overlaps_and_as_dict() -> None:
    a, b, c = Estimate(0.5, 0.4, 0.6), Estimate(0.65, 0.59, 0.7), Estimate(0.8, 0.7, 0.9)
    assert a.overlaps(b) and b.overlaps(a)
    assert not a.overlaps(c) and not c.overlaps(a)
    assert a.as_dict() == {"value": 0.5, "low": 0.4, "high": 0.6}
    with pytest.raises(AttributeError):
        a.value = 1.0  # frozen


def test_perfect_ranker_has_precision_one_and_worst_has_zero() -> None:
    y = np.array([0, 1, 0, 1, 1, 0, 0, 0, 1, 0])
    assert precision_at_k(y, y, 4, **FAST).value == 1.0
    # with 50 errors in 100 rows every resample holds at least 10 errors: the interval is exact
    many = np.tile([1, 0], 50)
    assert precision_at_k(many, many, 10, **FAST) == Estimate(1.0, 1.0, 1.0)
    assert precision_at_k(y, -y, 4, **FAST).value == 0.0
    assert precision_at_k(y, y, 8, **FAST).value == pytest.approx(4 / 8)


def test_precision_at_k_ties_keep_input_order() -> None:
    y = np.array([1, 0, 0, 1])
    assert precision_at_k(y, np.zeros(4), 1, **FAST).value == 1.0
    assert precision_at_k(y[::-1], np.zeros(4), 2, **FAST).value == 0.5


def test_wrong_sek_and_lift_known_values() -> None:
    amount = np.array([0.0, 5000.0, np.nan, 200.0, 0.0])
    score = np.array([0.1, 0.9, 0.8, 0.7, 0.2])
    assert wrong_sek_at_k(amount, score, 2, **FAST).value == 5000.0  # missing amount counts 0
    assert wrong_sek_at_k(amount, score, 3, **FAST).value == 5200.0
    y = (np.nan_to_num(amount) > 0).astype(float)
    assert lift(y, score, 1, **FAST).value == pytest.approx(1 / 0.4)
    assert lift(y, score, 1, base_rate=0.25, **FAST).value == pytest.approx(4.0)
    assert lift(y, score, 1, base_rate=Estimate(0.5, 0.4, 0.6), **FAST).value == 2.0


def test_point_values_match_scikit_learn(world) -> None:
    y, s, p = world["y"], world["score"], world["p"]
    assert roc_auc(y, s, **FAST).value == pytest.approx(roc_auc_score(y, s))
    assert pr_auc(y, s, **FAST).value == pytest.approx(average_precision_score(y, s))
    assert brier(y, p, **FAST).value == pytest.approx(brier_score_loss(y, p))


def test_every_resample_is_scikit_learns_weighted_auc(world) -> None:
    """The hand-written resample statistics equal sklearn's scores with the resample's counts as
    sample weights: their intervals are the same percentiles of the same replicates."""
    y, s = world["y"], world["score"]
    counts = np.concatenate(list(resample_counts(len(y), 200, np.random.default_rng(0))))
    for ours, theirs in ((roc_auc, roc_auc_score), (pr_auc, average_precision_score)):
        reps = [theirs(y, s, sample_weight=c) for c in counts]
        est = ours(y, s, **FAST)
        assert (est.low, est.high) == pytest.approx(interval(np.array(reps), 0.95), abs=1e-12)


def test_constant_score_has_roc_auc_one_half() -> None:
    y = np.array([0, 1, 1, 0, 1, 0, 0, 0])
    assert roc_auc(y, np.full(8, 0.3), **FAST).value == pytest.approx(0.5)
    assert roc_auc(y, y.astype(float), **FAST).value == 1.0
    assert pr_auc(y, y.astype(float), **FAST).value == 1.0


def test_intervals_contain_point_and_shrink_with_n() -> None:
    rng = np.random.default_rng(3)
    widths = []
    for n in (400, 6400):
        y = (rng.random(n) < 0.2).astype(float)
        s = rng.random(n) + 0.3 * y
        est = precision_at_k(y, s, n // 10, **FAST)
        auc = roc_auc(y, s, **FAST)
        for e in (est, auc):
            assert e.low <= e.value <= e.high
        widths.append(auc.high - auc.low)
    assert widths[1] < widths[0] / 2  # 16 x the rows: about a quarter of the width


def test_same_seed_same_interval_other_seed_other_interval(world) -> None:
    y, s = world["y"], world["score"]
    a = precision_at_k(y, s, 200, n_boot=300, seed=1)
    assert a == precision_at_k(y, s, 200, n_boot=300, seed=1)
    assert a != precision_at_k(y, s, 200, n_boot=300, seed=2)
    assert a.value == precision_at_k(y, s, 200, n_boot=300, seed=2).value


def test_ipw_prevalence_is_the_weighted_mean() -> None:
    y = np.array([1, 0, 0, 1, 0, 0])
    w = np.array([10.0, 10.0, 10.0, 2.0, 2.0, 2.0])
    est = ipw_prevalence(y, w, **FAST)
    assert est.value == pytest.approx(np.average(y, weights=w)) == pytest.approx(12 / 36)
    assert est.low <= est.value <= est.high


def test_ipw_recall_and_lift_of_a_list() -> None:
    y = np.array([1, 1, 0, 0, 1, 0, 0, 0])
    w = np.array([1.0, 3.0, 1.0, 1.0, 4.0, 1.0, 1.0, 8.0])
    in_list = np.array([1, 0, 1, 0, 1, 0, 0, 0])
    # errors in the population: 1 + 3 + 4 = 8 (weighted); the list catches 1 + 4 = 5
    assert ipw_recall_of_list(y, w, in_list, **FAST).value == pytest.approx(5 / 8)
    # list hit rate 5 / 6, prevalence 8 / 20
    assert ipw_lift(y, w, in_list, **FAST).value == pytest.approx((5 / 6) / (8 / 20))


def test_compare_at_k_one_row_per_model(world) -> None:
    frame = pd.DataFrame({"is_error": world["y"], "wrong_amount_sek": world["y"] * 1000})
    table = compare_at_k(
        frame, {"model": world["p"], "raw": world["score"]}, 100, base_rate=0.15, **FAST
    )
    assert list(table["model"]) == ["model", "raw"]
    for key in ("hit_rate", "wrong_sek", "lift", "pr_auc", "roc_auc", "brier"):
        assert {key, f"{key}_low", f"{key}_high"} <= set(table.columns)
    row = table.set_index("model").loc["model"]
    assert row["hit_rate"] == precision_at_k(world["y"], world["p"], 100, **FAST).value
    assert row["wrong_sek"] == pytest.approx(row["hit_rate"] * 100 * 1000)
    assert row["lift"] == pytest.approx(row["hit_rate"] / 0.15)
    assert np.isnan(table.set_index("model").loc["raw", "brier"])  # scores above 1


def test_reliability_table_bins_and_rates() -> None:
    y = np.array([0, 0, 1, 1, 1, 0])
    p = np.array([0.05, 0.15, 0.85, 0.95, 0.9, 0.12])
    table = reliability_table(y, p, bins=10)
    assert list(table["bin"]) == [0, 1, 8, 9]
    assert list(table["n"]) == [1, 2, 1, 2]
    assert list(table["observed_rate"]) == [0.0, 0.0, 1.0, 1.0]
    assert (table["observed_low"] <= table["observed_rate"]).all()
    assert (table["observed_high"] >= table["observed_rate"]).all()
    assert table.loc[table["bin"] == 9, "mean_predicted"].item() == pytest.approx(0.925)


def test_plots_write_png(world, tmp_path) -> None:
    y = world["y"]
    scores = {"model": world["p"], "raw": world["score"]}
    for path in (
        plot_reliability(y, world["p"], tmp_path / "rel.png"),
        plot_lift_at_k(y, scores, tmp_path / "lift.png"),
        plot_pr(y, scores, tmp_path / "pr.png"),
    ):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lift.png", "pr.png", "rel.png"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: precision_at_k([1, 0], [0.2, 0.1], 3), "larger than"),
        (lambda: precision_at_k([1, 0], [0.2, 0.1], 0), "positive integer"),
        (lambda: precision_at_k([], [], 1), "empty"),
        (lambda: roc_auc([1, 0, 1], [0.1, 0.2]), "differ in length"),
        (lambda: roc_auc([1, np.nan], [0.1, 0.2]), "missing labels"),
        (lambda: roc_auc([1, 2], [0.1, 0.2]), "0/1"),
        (lambda: brier([1, 0], [1.2, 0.1]), "probabilities"),
        (lambda: ipw_prevalence([1, 0], [1.0, 0.0]), "positive, finite"),
        (lambda: ipw_prevalence([], []), "empty"),
        (lambda: lift([1, 0], [0.2, 0.1], 1, base_rate=0.0), "base_rate"),
        (lambda: reliability_table([1, 0], [0.2, 0.1], strategy="odd"), "strategy"),
        (lambda: compare_at_k(pd.DataFrame({"is_error": [1, 0]}), {}, 1), "scores is empty"),
        (lambda: compare_at_k(pd.DataFrame({"y": [1, 0]}), {"m": [0.1, 0.2]}, 1), "is_error"),
        (lambda: precision_at_k([1, 0], [0.2, 0.1], 1, n_boot=0), "n_boot"),
    ],
)
def test_bad_input_raises_value_error(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()
