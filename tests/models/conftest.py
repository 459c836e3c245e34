"""A small fabricated feature table with a known signal, shared by the model tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

# rule feature -> (prior mean, prior strength)
RULE_PRIORS = {
    "tfp_in_sickpay_period_days": (0.998, 28.0),
    "overlap_forbidden_days": (0.25, 4.0),
    "sgi_hours_days_mixup": (0.36, 40.8),
}
CATEGORICAL = ["employment_code"]


def fabricate(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Features, an error label driven by the rule features and `amount_signal`, and amounts."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "tfp_in_sickpay_period_days": rng.poisson(0.05, n).astype(float),
            "overlap_forbidden_days": rng.poisson(0.08, n).astype(float),
            "sgi_hours_days_mixup": (rng.random(n) < 0.03).astype(float),
            "amount_signal": rng.normal(size=n),
            "noise": rng.normal(size=n),
            "employment_code": rng.integers(0, 3, n),
        }
    )
    X.loc[rng.random(n) < 0.05, "noise"] = np.nan
    logit = -3.5 + 2.5 * (X[list(RULE_PRIORS)].to_numpy() > 0).any(axis=1) + X["amount_signal"]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    amount = np.where(y == 1, np.exp(8 + 0.5 * X["amount_signal"] + rng.normal(0, 0.3, n)), 0.0)
    return X, y, amount


@pytest.fixture(scope="session")
def frames():
    """(X_train, y_train, amount_train, X_test, y_test)."""
    X, y, a = fabricate(3000, 1)
    Xt, yt, _ = fabricate(1500, 2)
    return X, y, a, Xt, yt
