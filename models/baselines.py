"""Baselines the models must beat: random picks (the yardstick) and the targeted-control rules."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from models.base import RiskClassifierMixin, as_label, require_fitted, select_columns, two_columns


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
        require_fitted(self, "hit_rate_")
        jitter = np.random.default_rng(self.seed).random(len(X)) * 1e-9
        return two_columns(self.hit_rate_ + jitter)


class RuleBaseline(RiskClassifierMixin, BaseEstimator):
    """The targeted-control rules as a ranked list (riktade kontroller of the domain brief).

    A case's rule score is the summed weight of the rules it breaks (rule feature > 0), plus a
    tie-break below the smallest weight that grows with the feature values (more days first). The
    score is mapped to a probability by Platt scaling on the training rows; the order is the rules'.
    """

    def __init__(self, weights: Mapping[str, float] | None = None) -> None:
        self.weights = weights

    def _rule_score(self, X: pd.DataFrame) -> np.ndarray:
        names = list(self.weights_)
        vals = select_columns(X, names, "RuleBaseline").to_numpy(dtype="float64", na_value=0.0)
        vals = np.nan_to_num(vals, nan=0.0)
        w = np.array([self.weights_[n] for n in names])
        broken = (vals > 0).astype("float64") @ w
        magnitude = np.log1p(np.clip(vals, 0, None)).sum(axis=1)
        tie = 0.5 * w.min() * magnitude / (1.0 + magnitude)
        return broken + tie

    def fit(
        self, X: pd.DataFrame, y, *, sample_weight: np.ndarray | None = None, **_: object
    ) -> RuleBaseline:
        if not self.weights:
            raise ValueError("RuleBaseline needs at least one rule weight")
        if any(w <= 0 for w in self.weights.values()):
            raise ValueError("RuleBaseline weights must be positive")
        y = as_label(y)
        self.weights_ = dict(self.weights)
        self.feature_names_in_ = list(self.weights_)
        s = self._rule_score(X).reshape(-1, 1)
        if len(np.unique(y)) < 2:
            self.calibrator_ = None
            self.constant_ = float(y.mean()) if len(y) else 0.0
        else:
            self.calibrator_ = LogisticRegression(C=1e4).fit(s, y, sample_weight=sample_weight)
            self.constant_ = None
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        require_fitted(self, "weights_")
        return self._rule_score(X)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        s = self.decision_function(X)
        if self.calibrator_ is None:
            # one class only: keep the rules' order around the constant rate
            return two_columns(self.constant_ + 1e-9 * s)
        p = self.calibrator_.predict_proba(s.reshape(-1, 1))[:, 1]
        return two_columns(p)
