"""Rules as signals: each rule break's precision, learnt from controls and shrunk towards a prior.

A rule feature is one whose value > 0 means a rule is broken. Its precision is the share of the
controlled cases that broke it which were found in error, as a Beta-binomial posterior mean:
(prior_mean * strength + errors) / (strength + controls). With no controls it is the prior; with
many it is the controls' own rate. A case's rule probability is the precision of the strongest rule
it breaks, and the hybrid combines it with the model's probability so that a case breaking a rule
with a 90 % record ranks as 90 %, not as the model's 5 %.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from models.base import RiskClassifierMixin, as_label, select_columns, two_columns

COMBINE_METHODS = ("max", "noisy_or")
# Ties between cases whose strongest rule is the same are ordered by how much they break (more
# rules, more days first), moving a probability by at most this much.
_TIE_BREAK = 1e-6


def combine_probabilities(
    model_probability: np.ndarray, rule_probability: np.ndarray, how: str
) -> np.ndarray:
    """The hybrid probability: non-decreasing in both inputs; a missing rule probability is none.

    "max": the better-supported of the two (the model already sees the rule features, so their
    evidence is not counted twice). "noisy_or": 1 - (1 - model)(1 - rule), as if independent.
    """
    m = np.asarray(model_probability, dtype="float64")
    r = np.asarray(rule_probability, dtype="float64")
    if how == "max":
        return np.fmax(m, r)
    if how == "noisy_or":
        return 1.0 - (1.0 - m) * (1.0 - np.nan_to_num(r, nan=0.0))
    raise ValueError(f"combine must be one of {COMBINE_METHODS}, got {how!r}")


class RulePrecision(RiskClassifierMixin, BaseEstimator):
    """The rules' own ranking: each case scored by the precision of the strongest rule it breaks.

    `priors` maps each rule feature to (prior mean, prior strength in pseudo-controls). Only the
    controls of the `selections` streams teach a precision: they sample a rule's breakers without
    regard to whether they are in error (random draws, the rule lists themselves); tips and earlier
    models' picks lean towards errors and would flatter a rule. Rows without a stream (`selection`
    not given) all count. Cases breaking no rule get the error rate of the counted controls that
    break none, so the estimator ranks every case, as a baseline must.
    """

    def __init__(
        self,
        priors: Mapping[str, tuple[float, float]] | None = None,
        selections: Sequence[str] = ("random", "rule"),
    ) -> None:
        self.priors = priors
        self.selections = selections

    def _check_priors(self) -> dict[str, tuple[float, float]]:
        if not self.priors:
            raise ValueError("RulePrecision needs at least one rule feature with a prior")
        out = {}
        for name, (mean, strength) in self.priors.items():
            if not 0.0 < mean < 1.0 or not strength > 0.0:
                raise ValueError(
                    f"rule {name}: prior mean must lie in (0, 1) and strength be positive, "
                    f"got mean {mean}, strength {strength}"
                )
            out[name] = (float(mean), float(strength))
        return out

    def _broken(self, X: pd.DataFrame) -> np.ndarray:
        vals = select_columns(X, self.rules_, type(self).__name__)
        vals = vals.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
        return np.nan_to_num(vals, nan=0.0)

    def fit(
        self,
        X: pd.DataFrame,
        y,
        *,
        selection: Sequence[str] | None = None,
        X_cal: pd.DataFrame | None = None,
        y_cal=None,
        selection_cal: Sequence[str] | None = None,
        **_: object,
    ) -> RulePrecision:
        """Count each rule's controls and errors on the training and calibration rows.

        Both periods closed before the test period begins, so both may teach a precision.
        """
        priors = self._check_priors()
        self.rules_ = list(priors)
        self.feature_names_in_ = list(self.rules_)
        frames, labels, streams = [X], [as_label(y)], [selection]
        if X_cal is not None and y_cal is not None and len(X_cal):
            frames.append(X_cal)
            labels.append(as_label(y_cal))
            streams.append(selection_cal)
        counted = np.concatenate(
            [
                np.ones(len(f), dtype=bool)
                if s is None
                else np.isin(np.asarray(s), self.selections)
                for f, s in zip(frames, streams, strict=True)
            ]
        )
        broken = np.vstack([self._broken(f) for f in frames])[counted] > 0
        yc = np.concatenate(labels)[counted]
        controls = broken.sum(axis=0)
        errors = (broken & (yc[:, None] == 1)).sum(axis=0)
        mean = np.array([priors[r][0] for r in self.rules_])
        strength = np.array([priors[r][1] for r in self.rules_])
        self.precision_ = dict(
            zip(self.rules_, (mean * strength + errors) / (strength + controls), strict=True)
        )
        self.table_ = pd.DataFrame(
            {
                "rule": self.rules_,
                "prior_mean": mean,
                "prior_strength": strength,
                "controls": controls.astype("int64"),
                "errors": errors.astype("int64"),
                "precision": [self.precision_[r] for r in self.rules_],
            }
        )
        none = ~broken.any(axis=1)
        # Jeffreys: a rate, never exactly 0 or 1, from however few rows
        self.none_rate_ = float((yc[none].sum() + 0.5) / (none.sum() + 1.0))
        return self

    def predict_rule(self, X: pd.DataFrame) -> pd.DataFrame:
        """`rule_probability` (precision of the strongest rule broken, NaN when none) and
        `rule_feature` (that rule's name, None when none) per row of X.

        Among cases whose strongest rule is the same, the one that breaks more (more rules, more
        days or months) comes first: the probability grows by at most 1e-6 with that magnitude.
        """
        check_is_fitted(self, "precision_")
        vals = self._broken(X)
        broken = vals > 0
        prec = np.array([self.precision_[r] for r in self.rules_])
        held = np.where(broken, prec, -np.inf)
        best = held.argmax(axis=1)  # the first of equal precisions, in config order
        any_broken = broken.any(axis=1)
        names = np.array(self.rules_, dtype=object)[best]
        magnitude = np.log1p(np.where(broken, vals, 0.0)).sum(axis=1)
        tie = _TIE_BREAK * magnitude / (1.0 + magnitude)
        return pd.DataFrame(
            {
                "rule_probability": np.where(any_broken, held.max(axis=1) + tie, np.nan),
                "rule_feature": pd.Series(
                    np.where(any_broken, names, None), index=X.index, dtype=object
                ),
            },
            index=X.index,
        )

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        rule = self.predict_rule(X)["rule_probability"].to_numpy()
        return two_columns(np.where(np.isnan(rule), self.none_rate_, rule))
