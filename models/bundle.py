"""The model bundle the nightly job loads: error, amount and intent models, the rules' precision
and a drift profile."""

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
from models.rules import RulePrecision, combine_probabilities

OUTPUT_COLUMNS = (
    "probability",
    "expected_wrong_sek",
    "intent_probability",
    "score",
    "model_probability",
    "rule_probability",
    "rule_feature",
    "amount_sek",
)


def feature_list_hash(names: Sequence[str]) -> str:
    """Short stable hash of an ordered feature list: the feature-list version a model records."""
    return hashlib.sha256(json.dumps(list(names)).encode()).hexdigest()[:12]


@dataclass
class RiskModelBundle:
    """Everything needed to score a feature table: models, rules, feature list, profile, metadata.

    `probability` (and `score`, the default ranking) is the hybrid: the calibrated model
    probability combined (`combine`, see models.rules) with the precision of the strongest rule
    the case breaks; `expected_wrong_sek` is that probability times E[amount | error]. Without
    `rules` the hybrid is the model alone.
    """

    feature_names: list[str]
    categorical_features: list[str]
    error_model: LightGBMClassifier
    amount_model: LightGBMAmount | None = None
    intent_model: LightGBMClassifier | None = None
    profile: TrainingProfile | None = None
    metadata: dict = field(default_factory=dict)
    rules: RulePrecision | None = None
    combine: str = "max"

    @property
    def feature_version(self) -> str:
        return feature_list_hash(self.feature_names)

    def input_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """The model's columns of X, typed: float64 features and int64 categorical codes."""
        cols = select_columns(X, self.feature_names, "RiskModelBundle")
        return as_float_frame(cols, self.feature_names, self.categorical_features)

    def predict_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """The OUTPUT_COLUMNS per row of X.

        probability = combine(model_probability, rule_probability); expected_wrong_sek =
        probability * amount_sek; score = probability. `model_probability` is the calibrated model
        alone; `rule_probability` and `rule_feature` the strongest rule broken (NaN and None when
        none); `amount_sek` is E[amount | error] (NaN without an amount model).
        """
        Xm = self.input_frame(X)
        n = len(Xm)
        model_p = self.error_model.predict_proba(Xm)[:, 1]
        if self.rules is not None:
            rule = self.rules.predict_rule(Xm)
            rule_p = rule["rule_probability"].to_numpy(dtype="float64")
            rule_f = rule["rule_feature"].to_numpy(dtype=object)
        else:
            rule_p, rule_f = np.full(n, np.nan), np.full(n, None, dtype=object)
        p = combine_probabilities(model_p, rule_p, self.combine)
        amount = (
            self.amount_model.predict(Xm) if self.amount_model is not None else np.full(n, np.nan)
        )
        intent = (
            self.intent_model.predict_proba(Xm)[:, 1]
            if self.intent_model is not None
            else np.full(n, np.nan)
        )
        return pd.DataFrame(
            {
                "probability": p,
                "expected_wrong_sek": p * amount,
                "intent_probability": intent,
                "score": p,
                "model_probability": model_p,
                "rule_probability": rule_p,
                "rule_feature": pd.Series(rule_f, index=X.index, dtype=object),
                "amount_sek": np.asarray(amount, dtype="float64"),
            },
            index=X.index,
        )

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Error-model contributions per feature (TreeSHAP, log-odds): selected cases only."""
        return self.error_model.contributions(self.input_frame(X))
