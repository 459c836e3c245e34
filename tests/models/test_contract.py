"""One check suite over every felrisk estimator (scikit-learn style), plus model-specific checks."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from models.baselines import RandomBaseline
from models.boosting import LightGBMAmount, LightGBMClassifier
from models.linear import LogisticModel
from models.rules import RulePrecision
from tests.models.conftest import CATEGORICAL, RULE_PRIORS

CLASSIFIERS = {
    "random": lambda: RandomBaseline(seed=3),
    "rules": lambda: RulePrecision(priors=RULE_PRIORS),
    "logistic": lambda: LogisticModel(categorical_features=CATEGORICAL, seed=3),
    "lightgbm": lambda: LightGBMClassifier(
        categorical_features=CATEGORICAL, num_boost_round=40, num_leaves=7, seed=3
    ),
}


@pytest.fixture(params=sorted(CLASSIFIERS))
def make(request):
    return CLASSIFIERS[request.param]


def test_init_only_stores_settings_and_clones(make):
    est = make()
    params = est.get_params()
    assert clone(est).get_params().keys() == params.keys()
    assert not [k for k in vars(est) if k.endswith("_")]


def test_unfitted_predict_raises(make, frames):
    with pytest.raises(NotFittedError):
        make().predict_proba(frames[3])


def test_fit_returns_self_and_fitted_state_ends_in_underscore(make, frames):
    X, y, *_ = frames
    est = make()
    before = set(vars(est))
    assert est.fit(X, y) is est
    added = set(vars(est)) - before
    assert added and all(k.endswith("_") for k in added)


def test_predict_proba_is_a_probability_pair(make, frames):
    X, y, _, Xt, yt = frames
    p = make().fit(X, y).predict_proba(Xt)
    assert p.shape == (len(Xt), 2)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_same_settings_same_predictions(make, frames):
    X, y, _, Xt, _ = frames
    a = make().fit(X, y).predict_proba(Xt)
    b = make().fit(X, y).predict_proba(Xt)
    np.testing.assert_array_equal(a, b)


def test_columns_are_taken_by_name_not_position(make, frames):
    X, y, _, Xt, _ = frames
    est = make().fit(X, y)
    if isinstance(est, RandomBaseline):
        pytest.skip("the random baseline reads no columns")
    shuffled = Xt[list(reversed(Xt.columns))]
    np.testing.assert_allclose(est.predict_proba(Xt), est.predict_proba(shuffled))
    with pytest.raises(ValueError, match="missing"):
        est.predict_proba(Xt.drop(columns=[est.feature_names_in_[0]]))


def test_score_is_average_precision_and_beats_random(frames):
    X, y, _, Xt, yt = frames
    scores = {name: mk().fit(X, y).score(Xt, yt) for name, mk in CLASSIFIERS.items()}
    assert scores["random"] == pytest.approx(yt.mean(), abs=0.03)
    for name in ("rules", "logistic", "lightgbm"):
        assert scores[name] > scores["random"] + 0.05, (name, scores)
    assert scores["lightgbm"] > scores["rules"]


def test_lightgbm_calibrates_on_validation_period(frames):
    X, y, _, Xt, yt = frames
    raw = LightGBMClassifier(num_boost_round=40, seed=1).fit(X, y)
    cal = LightGBMClassifier(num_boost_round=40, seed=1).fit(X, y, X_cal=Xt, y_cal=yt)
    assert raw.calibrator_ is None and cal.calibrator_ is not None
    # Platt scaling keeps the order and moves the mean toward the observed rate
    np.testing.assert_array_equal(
        np.argsort(raw.predict_proba(Xt)[:, 1], kind="stable"),
        np.argsort(cal.predict_proba(Xt)[:, 1], kind="stable"),
    )
    assert abs(cal.predict_proba(Xt)[:, 1].mean() - yt.mean()) < 0.01
    contrib = cal.contributions(Xt.head(5))
    assert list(contrib.columns) == [*X.columns, "bias"]
    np.testing.assert_allclose(contrib.sum(axis=1), cal.decision_function(Xt.head(5)))


def test_amount_model_predicts_positive_sek_and_rejects_bad_targets(frames):
    X, y, a, *_ = frames
    pos = y == 1
    est = LightGBMAmount(num_boost_round=50, min_data_in_leaf=5, seed=1).fit(X[pos], a[pos])
    pred = est.predict(X[pos])
    assert (pred >= 0).all()
    assert 0.7 < pred.mean() / a[pos].mean() < 1.3
    assert np.corrcoef(pred, a[pos])[0, 1] > 0.5
    with pytest.raises(ValueError, match="non-negative"):
        LightGBMAmount().fit(X.head(3), [1.0, -2.0, 3.0])


def test_lightgbm_calibrates_on_the_random_stream_out_of_fold(frames):
    """Tips lean to errors; calibrated on the random rows the probabilities keep the population's
    scale, calibrated on every stream they do not."""
    X, y, _, Xt, yt = frames
    rng = np.random.default_rng(4)
    # a third of the rows came from tips that found an error four times in five
    tip = rng.random(len(y)) < 1 / 3
    y_seen = np.where(tip, (rng.random(len(y)) < 0.8).astype(int), y)
    selection = np.where(tip, "tip", "random")
    half = len(y) // 2
    kw = {"num_boost_round": 40, "num_leaves": 7, "seed": 1}
    fit = {
        "selection": selection[:half],
        "X_cal": X.iloc[half:],
        "y_cal": y_seen[half:],
        "selection_cal": selection[half:],
    }
    random = LightGBMClassifier(calibration_selections=("random",), **kw)
    random.fit(X.iloc[:half], y_seen[:half], **fit)
    every = LightGBMClassifier(**kw).fit(X.iloc[:half], y_seen[:half], **fit)
    assert random.n_calibration_ == int((~tip).sum())  # out of fold + validation, random only
    # the random rows' own error rate (the population's, as far as these rows know it)
    rate = y[~tip].mean()
    assert abs(random.predict_proba(Xt)[:, 1].mean() - rate) < 0.01
    assert every.predict_proba(Xt)[:, 1].mean() > rate + 0.15
    # out of fold changes the calibration, never the booster's ranking
    np.testing.assert_array_equal(random.decision_function(Xt), every.decision_function(Xt))
    with pytest.raises(ValueError, match="calibration_folds"):
        LightGBMClassifier(calibration_folds=1).fit(X, y)


def test_lightgbm_calibrates_when_the_validation_period_holds_no_random_row(frames):
    """A small world's validation months may hold only tips: calibrate on the training period's
    random rows out of fold instead of failing (a 3,000-person world did, in LightGBM)."""
    X, y, _, Xt, _ = frames
    half = len(y) // 2
    selection = np.where(np.arange(half) % 3 == 0, "tip", "random")
    model = LightGBMClassifier(
        calibration_selections=("random",), num_boost_round=20, num_leaves=7, seed=1
    ).fit(
        X.iloc[:half],
        y[:half],
        selection=selection,
        X_cal=X.iloc[half:],
        y_cal=y[half:],
        selection_cal=np.full(len(y) - half, "tip"),
    )
    assert model.n_calibration_ == int((selection == "random").sum())
    p = model.predict_proba(Xt)[:, 1]
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()
