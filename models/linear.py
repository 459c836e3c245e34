"""Logistic regression on the same features: scaled numeric features, one-hot categorical codes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from models.base import (
    RiskClassifierMixin,
    as_float_frame,
    as_label,
    select_columns,
    two_columns,
)


def signed_log1p(x: np.ndarray) -> np.ndarray:
    """sign(x) * log(1 + |x|): tames day counts and SEK amounts before scaling."""
    return np.sign(x) * np.log1p(np.abs(x))


class LogisticModel(RiskClassifierMixin, BaseEstimator):
    """scikit-learn pipeline: signed log, median imputation, scaling, one-hot codes, logistic."""

    def __init__(
        self,
        categorical_features: Sequence[str] = (),
        C: float = 0.5,
        max_iter: int = 2000,
        seed: int = 0,
    ) -> None:
        self.categorical_features = categorical_features
        self.C = C
        self.max_iter = max_iter
        self.seed = seed

    def fit(
        self, X: pd.DataFrame, y, *, sample_weight: np.ndarray | None = None, **_: object
    ) -> LogisticModel:
        y = as_label(y)
        cols = list(X.columns)
        cats = [c for c in self.categorical_features if c in cols]
        nums = [c for c in cols if c not in cats]
        steps = []
        if nums:
            num = Pipeline(
                [
                    ("log", FunctionTransformer(signed_log1p)),
                    ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                    ("scale", StandardScaler()),
                ]
            )
            steps.append(("num", num, nums))
        if cats:
            steps.append(("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=5), cats))
        self.pipeline_ = Pipeline(
            [
                ("prep", ColumnTransformer(steps)),
                (
                    "model",
                    LogisticRegression(C=self.C, max_iter=self.max_iter, random_state=self.seed),
                ),
            ]
        )
        self.feature_names_in_ = cols
        self.categorical_in_ = cats
        Xf = as_float_frame(X, cols, cats)
        self.pipeline_.fit(Xf, y, model__sample_weight=sample_weight)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        Xf = as_float_frame(
            select_columns(X, self.feature_names_in_, "LogisticModel"),
            self.feature_names_in_,
            self.categorical_in_,
        )
        return two_columns(self.pipeline_.predict_proba(Xf)[:, 1])
