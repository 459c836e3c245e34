"""The random baseline: the yardstick every model must beat (the rules' own is models.rules)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from models.base import RiskClassifierMixin, as_label, two_columns


class RandomBaseline(RiskClassifierMixin, BaseEstimator):
    """Random picks: every case gets the training hit rate, ordered by a seeded random draw.

    The draw (at most 1e-9) only orders the ties, so that a top-k is a random sample of size k.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def fit(
        self, X: pd.DataFrame, y, *, sample_weight: np.ndarray | None = None, **_: object
    ) -> RandomBaseline:
        y = as_label(y)
        if len(y) == 0:
            raise ValueError("RandomBaseline needs at least one labelled row")
        self.feature_names_in_ = list(X.columns)
        self.hit_rate_ = float(np.average(y, weights=sample_weight))
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "hit_rate_")
        jitter = np.random.default_rng(self.seed).random(len(X)) * 1e-9
        return two_columns(self.hit_rate_ + jitter)
