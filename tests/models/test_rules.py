"""Rule precision (a Beta-binomial rule score) and the hybrid that never lets a rule break fall."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.boosting import LightGBMAmount, LightGBMClassifier
from models.bundle import OUTPUT_COLUMNS, RiskModelBundle
from models.rules import RulePrecision, combine_probabilities
from tests.models.conftest import CATEGORICAL, RULE_PRIORS, fabricate

RULES = list(RULE_PRIORS)


def _controls(
    breaks: dict[str, int], errors: dict[str, int], clean: int = 0, clean_errors: int = 0
):
    """A feature frame of hand-counted controls: for each rule, `breaks[r]` rows breaking only
    it, the first `errors[r]` in error; then `clean` rows breaking none."""
    rows, y = [], []
    for rule in RULES:
        for i in range(breaks.get(rule, 0)):
            rows.append({r: (3.0 if r == rule else 0.0) for r in RULES})
            y.append(int(i < errors.get(rule, 0)))
    for i in range(clean):
        rows.append(dict.fromkeys(RULES, 0.0))
        y.append(int(i < clean_errors))
    return pd.DataFrame(rows, columns=RULES), np.array(y, dtype=int)


def test_with_no_controls_at_all_the_precision_is_the_prior():
    X, y = _controls({}, {}, clean=50, clean_errors=2)
    est = RulePrecision(priors=RULE_PRIORS).fit(X, y)
    assert est.precision_ == pytest.approx({r: m for r, (m, _) in RULE_PRIORS.items()})
    assert (est.table_["controls"] == 0).all()
    case = pd.DataFrame(
        [
            {
                "tfp_in_sickpay_period_days": 0.0,
                "overlap_forbidden_days": 2.0,
                "sgi_hours_days_mixup": 0.0,
            }
        ]
    )
    got = est.predict_rule(case).iloc[0]
    assert got["rule_feature"] == "overlap_forbidden_days"
    assert got["rule_probability"] == pytest.approx(0.25, abs=1e-6)
    # controls from a stream that does not count are no controls either
    X, y = _controls({"overlap_forbidden_days": 30}, {"overlap_forbidden_days": 30})
    tips = RulePrecision(priors=RULE_PRIORS).fit(X, y, selection=np.full(len(y), "tip"))
    assert tips.precision_["overlap_forbidden_days"] == pytest.approx(0.25)


def test_precision_is_the_beta_posterior_mean_of_counted_controls_only():
    X, y = _controls(
        {"overlap_forbidden_days": 16, "sgi_hours_days_mixup": 10},
        {"overlap_forbidden_days": 12, "sgi_hours_days_mixup": 1},
        clean=40,
        clean_errors=3,
    )
    # the last 6 rows of the forbidden-days rule came from tips (all correct here, but a tip must
    # not count either way); the calibration rows count like the training rows
    sel = np.array(["random"] * len(y), dtype=object)
    sel[10:16] = "tip"
    half = len(y) // 2
    est = RulePrecision(priors=RULE_PRIORS, selections=("random", "rule")).fit(
        X.iloc[:half],
        y[:half],
        selection=sel[:half],
        X_cal=X.iloc[half:],
        y_cal=y[half:],
        selection_cal=sel[half:],
    )
    t = est.table_.set_index("rule")
    assert t.loc["overlap_forbidden_days", ["controls", "errors"]].tolist() == [10, 10]
    assert est.precision_["overlap_forbidden_days"] == pytest.approx((0.25 * 4 + 10) / (4 + 10))
    assert est.precision_["sgi_hours_days_mixup"] == pytest.approx((0.36 * 40.8 + 1) / (40.8 + 10))
    assert est.none_rate_ == pytest.approx((3 + 0.5) / (40 + 1))
    # without streams every row counts
    everyone = RulePrecision(priors=RULE_PRIORS).fit(X, y)
    assert everyone.table_.set_index("rule").loc["overlap_forbidden_days", "controls"] == 16


def test_few_controls_stay_near_the_prior_many_move_to_the_data():
    priors = {
        "tfp_in_sickpay_period_days": (0.9, 20.0),
        "overlap_forbidden_days": (0.9, 20.0),
        "sgi_hours_days_mixup": (0.9, 20.0),
    }
    rule = "tfp_in_sickpay_period_days"
    seen = []
    for n in (0, 5, 50, 2000):
        X, y = _controls({rule: n}, {rule: n // 10})  # the data say 10 %
        seen.append(RulePrecision(priors=priors).fit(X, y).precision_[rule])
    assert seen[0] == pytest.approx(0.9)
    assert abs(seen[1] - 0.9) < abs(seen[1] - 0.1)  # 5 controls: still nearer the prior
    assert seen[0] > seen[1] > seen[2] > seen[3]  # every control pulls further towards 10 %
    assert seen[3] == pytest.approx(0.1, abs=0.01)


def test_strongest_rule_wins_and_missing_values_break_nothing():
    X, y = _controls({}, {}, clean=5)
    est = RulePrecision(priors=RULE_PRIORS).fit(X, y)
    cases = pd.DataFrame(
        {
            "tfp_in_sickpay_period_days": [1.0, 0.0, np.nan, 0.0],
            "overlap_forbidden_days": [4.0, 4.0, np.nan, 0.0],
            "sgi_hours_days_mixup": [1.0, 1.0, 0.0, 0.0],
        }
    )
    got = est.predict_rule(cases)
    assert got["rule_feature"].tolist() == [
        "tfp_in_sickpay_period_days",
        "sgi_hours_days_mixup",
        None,
        None,
    ]
    np.testing.assert_allclose(got["rule_probability"], [0.998, 0.36, np.nan, np.nan], atol=1e-6)
    p = est.predict_proba(cases)[:, 1]
    assert p[0] > p[1] > p[3] and p[2] == p[3] == pytest.approx(est.none_rate_)
    # the same strongest rule: more broken (days, other rules) comes first
    more = est.predict_rule(cases.assign(overlap_forbidden_days=[4.0, 9.0, 0.0, 0.0]))
    assert more["rule_probability"][1] > got["rule_probability"][1]
    assert more["rule_feature"][1] == "sgi_hours_days_mixup"


def test_bad_priors_are_refused():
    X, y = _controls({}, {}, clean=5)
    with pytest.raises(ValueError, match="at least one rule"):
        RulePrecision(priors={}).fit(X, y)
    with pytest.raises(ValueError, match="overlap_forbidden_days"):
        RulePrecision(priors={"overlap_forbidden_days": (1.0, 4.0)}).fit(X, y)
    with pytest.raises(ValueError, match="missing"):
        RulePrecision(priors={"no_such_rule": (0.5, 4.0)}).fit(X, y)


def test_combine_max_and_noisy_or():
    m = np.array([0.05, 0.5, 0.2])
    r = np.array([0.9, np.nan, 0.1])
    np.testing.assert_allclose(combine_probabilities(m, r, "max"), [0.9, 0.5, 0.2])
    np.testing.assert_allclose(combine_probabilities(m, r, "noisy_or"), [0.905, 0.5, 0.28])
    with pytest.raises(ValueError, match="noisy_or"):
        combine_probabilities(m, r, "mean")


@pytest.fixture(scope="module")
def hybrid():
    """A bundle whose error and amount models rise with the rule features, and the rules."""
    return _hybrid(RULES)


def _hybrid(rising):
    X, y, amount = fabricate(2000, 11)
    Xv, yv, _ = fabricate(800, 12)
    # data that would teach an unconstrained model to fall: three or more days of a broken rule
    # are never in error, and errors with a broken rule are small
    rng = np.random.default_rng(0)
    for rule in RULES:
        broken = X[rule] > 0
        X.loc[broken, rule] = rng.integers(1, 7, int(broken.sum())).astype(float)
    y[(X[RULES] >= 3).any(axis=1).to_numpy()] = 0
    amount = np.where(y == 1, amount / (1.0 + X[RULES].sum(axis=1).to_numpy()), 0.0)
    kw = {
        "categorical_features": CATEGORICAL,
        "num_leaves": 7,
        "seed": 1,
        "monotone_increasing": rising,
    }
    err = LightGBMClassifier(num_boost_round=60, **kw).fit(X, y, X_cal=Xv, y_cal=yv)
    pos = y == 1
    amt = LightGBMAmount(num_boost_round=40, min_data_in_leaf=5, **kw).fit(X[pos], amount[pos])
    rules = RulePrecision(priors=RULE_PRIORS).fit(X, y, X_cal=Xv, y_cal=yv)
    bundle = RiskModelBundle(list(X.columns), CATEGORICAL, err, amt, rules=rules)
    cases, *_ = fabricate(400, 13)
    return bundle, cases


def test_predict_frame_returns_the_hybrid_and_its_parts(hybrid):
    bundle, cases = hybrid
    out = bundle.predict_frame(cases)
    assert tuple(out.columns) == OUTPUT_COLUMNS
    np.testing.assert_allclose(
        out["probability"], np.fmax(out["model_probability"], out["rule_probability"])
    )
    np.testing.assert_allclose(out["score"], out["probability"])
    np.testing.assert_allclose(out["expected_wrong_sek"], out["probability"] * out["amount_sek"])
    none = out["rule_feature"].isna()
    assert none.any() and (~none).any()
    assert out.loc[none, "rule_probability"].isna().all()
    np.testing.assert_allclose(out.loc[none, "probability"], out.loc[none, "model_probability"])
    # a rule with a 99.8 % record ranks at its record, not at the model's few percent
    tfp = out["rule_feature"] == "tfp_in_sickpay_period_days"
    assert (
        tfp.any()
        and (
            out.loc[tfp, "probability"] >= bundle.rules.precision_["tfp_in_sickpay_period_days"]
        ).all()
    )
    # without rules (an older bundle) the hybrid is the model alone
    plain = RiskModelBundle(bundle.feature_names, CATEGORICAL, bundle.error_model).predict_frame(
        cases
    )
    np.testing.assert_allclose(plain["probability"], plain["model_probability"])
    assert plain["rule_feature"].isna().all() and plain["amount_sek"].isna().all()


def _rank(values: pd.Series) -> pd.Series:
    """1 = first; a case ranks behind every case with a strictly higher value."""
    return values.rank(ascending=False, method="min")


@pytest.mark.slow  # fits per example
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    row=st.integers(0, 399),
    rule=st.sampled_from(RULES),
    value=st.floats(0.01, 60.0),
    combine=st.sampled_from(["max", "noisy_or"]),
)
def test_a_rule_break_never_lowers_probability_expected_sek_or_rank(
    hybrid, row, rule, value, combine
):
    bundle, cases = hybrid
    bundle = RiskModelBundle(**{**vars(bundle), "combine": combine})
    before = cases.copy()
    before.loc[before.index[row], rule] = 0.0
    after = before.copy()
    after.loc[after.index[row], rule] = value
    b, a = bundle.predict_frame(before), bundle.predict_frame(after)
    i = before.index[row]
    for col in ("probability", "expected_wrong_sek", "model_probability", "amount_sek"):
        assert a.loc[i, col] >= b.loc[i, col] - 1e-12, col
    for col in ("probability", "expected_wrong_sek"):
        assert _rank(a[col])[i] <= _rank(b[col])[i], col


def test_monotone_constraints_name_real_features():
    X, y, _ = fabricate(300, 3)
    with pytest.raises(ValueError, match="not_a_feature"):
        LightGBMClassifier(num_boost_round=5, monotone_increasing=["not_a_feature"]).fit(X, y)


def _falls(bundle: RiskModelBundle, cases: pd.DataFrame, col: str) -> int:
    """Cases whose `col` drops when a rule feature goes from 0 to 3 (every rule, every case)."""
    n = 0
    for rule in RULES:
        lo, hi = cases.assign(**{rule: 0.0}), cases.assign(**{rule: 3.0})
        n += int((bundle.predict_frame(hi)[col] < bundle.predict_frame(lo)[col] - 1e-12).sum())
    return n


@pytest.mark.slow  # fits with and without constraints
def test_the_constraints_are_what_keeps_it_monotone(hybrid):
    bundle, cases = hybrid
    free, _ = _hybrid(())
    # the same data teach an unconstrained model to fall, so the property test above can fail
    assert _falls(free, cases, "model_probability") > 0
    assert _falls(free, cases, "amount_sek") > 0
    for col in ("probability", "expected_wrong_sek", "model_probability", "amount_sek"):
        assert _falls(bundle, cases, col) == 0, col
