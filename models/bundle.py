"""The model bundle the nightly job loads: error, amount and intent models with a drift profile."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.base import as_float_frame, select_columns
from models.boosting import LightGBMAmount, LightGBMClassifier
from models.profile import TrainingProfile

OUTPUT_COLUMNS = ("probability", "expected_wrong_sek", "intent_probability", "score")


def feature_list_hash(names: Sequence[str]) -> str:
    """Short stable hash of an ordered feature list: the feature-list version a model records."""
    return hashlib.sha256(json.dumps(list(names)).encode()).hexdigest()[:12]


@dataclass
class RiskModelBundle:
    """Everything needed to score a feature table: models, feature list, profile, metadata.

    `score` is the calibrated error probability (the default ranking); `expected_wrong_sek` is
    P(error) * E[amount | error] for lists ranked by money.
    """

    feature_names: list[str]
    categorical_features: list[str]
    error_model: LightGBMClassifier
    amount_model: LightGBMAmount | None = None
    intent_model: LightGBMClassifier | None = None
    profile: TrainingProfile | None = None
    metadata: dict = field(default_factory=dict)

    @property
    def feature_version(self) -> str:
        return feature_list_hash(self.feature_names)

    def input_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """The model's columns of X, typed: float64 features and int64 categorical codes."""
        cols = select_columns(X, self.feature_names, "RiskModelBundle")
        return as_float_frame(cols, self.feature_names, self.categorical_features)

    def predict_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """probability, expected_wrong_sek, intent_probability and score per row of X."""
        Xm = self.input_frame(X)
        p = self.error_model.predict_proba(Xm)[:, 1]
        amount = self.amount_model.predict(Xm) if self.amount_model is not None else np.nan
        intent = (
            self.intent_model.predict_proba(Xm)[:, 1] if self.intent_model is not None else np.nan
        )
        out = pd.DataFrame(
            {
                "probability": p,
                "expected_wrong_sek": p * amount,
                "intent_probability": intent,
                "score": p,
            },
            index=X.index,
        )
        return out.astype("float64")

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Error-model contributions per feature (TreeSHAP, log-odds): selected cases only."""
        return self.error_model.contributions(self.input_frame(X))
