"""LightGBM models: a calibrated binary classifier (error, intent) and an amount regressor."""

from __future__ import annotations

from collections.abc import Sequence

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from models.base import (
    RiskClassifierMixin,
    as_float_frame,
    as_label,
    select_columns,
    two_columns,
)


def _lightgbm_estimator(est: BaseEstimator, objective: str) -> lgb.LGBMModel:
    """LightGBM's own scikit-learn estimator, felrisk's settings under its parameter names.

    deterministic + force_row_wise + seed: identical models across runs and thread counts.
    """
    wrapper = lgb.LGBMClassifier if objective == "binary" else lgb.LGBMRegressor
    return wrapper(
        objective=objective,
        n_estimators=est.num_boost_round,
        learning_rate=est.learning_rate,
        num_leaves=est.num_leaves,
        min_child_samples=est.min_data_in_leaf,
        colsample_bytree=est.feature_fraction,
        subsample=est.bagging_fraction,
        subsample_freq=est.bagging_freq,
        reg_lambda=est.lambda_l2,
        n_jobs=est.num_threads,
        random_state=est.seed,
        max_cat_to_onehot=est.max_cat_to_onehot,
        deterministic=True,
        force_row_wise=True,
        verbosity=-1,
    )


class _BoosterBase(BaseEstimator):
    """Settings and the typed input view shared by the LightGBM models."""

    def __init__(
        self,
        categorical_features: Sequence[str] = (),
        num_boost_round: int = 300,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_data_in_leaf: int = 40,
        feature_fraction: float = 1.0,
        bagging_fraction: float = 1.0,
        bagging_freq: int = 0,
        lambda_l2: float = 0.0,
        max_cat_to_onehot: int = 8,
        num_threads: int = 2,
        seed: int = 0,
        monotone_increasing: Sequence[str] = (),
    ) -> None:
        self.categorical_features = categorical_features
        self.num_boost_round = num_boost_round
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_data_in_leaf = min_data_in_leaf
        self.feature_fraction = feature_fraction
        self.bagging_fraction = bagging_fraction
        self.bagging_freq = bagging_freq
        self.lambda_l2 = lambda_l2
        self.max_cat_to_onehot = max_cat_to_onehot
        self.num_threads = num_threads
        self.seed = seed
        self.monotone_increasing = monotone_increasing

    def _frame(self, X: pd.DataFrame) -> pd.DataFrame:
        cols = self.feature_names_in_
        return as_float_frame(select_columns(X, cols, type(self).__name__), cols, self.cats_)

    def _train(self, X: pd.DataFrame, y: np.ndarray, weight, objective: str) -> lgb.Booster:
        self.feature_names_in_ = list(X.columns)
        self.cats_ = [c for c in self.categorical_features if c in self.feature_names_in_]
        model = _lightgbm_estimator(self, objective)
        rising = set(self.monotone_increasing)
        unknown = sorted(rising - set(self.feature_names_in_))
        if unknown:
            raise ValueError(f"monotone_increasing names features not in X: {', '.join(unknown)}")
        if rising:
            # +1: the prediction never falls as such a feature grows, all else equal (LightGBM's
            # "basic" method guarantees it for every input, not only on average)
            model.set_params(
                monotone_constraints=[int(c in rising) for c in self.feature_names_in_],
                monotone_constraints_method="basic",
            )
        model.fit(self._frame(X), y, sample_weight=weight, categorical_feature=self.cats_ or "auto")
        return model.booster_


class LightGBMClassifier(RiskClassifierMixin, _BoosterBase):
    """LightGBM binary, deterministic, probabilities calibrated on rows the booster did not see.

    No class weights: they distort probabilities; calibration (Platt by default, which keeps the
    ranking, or isotonic) makes them honest. The calibration rows:
    - with `calibration_selections` and the rows' streams given (`selection`, `selection_cal`):
      the rows of those streams, training rows scored out of fold (`calibration_folds` boosters,
      each without one fold of them) and calibration-period rows by the booster itself. Labels
      that are not a random draw (tips lean to errors) inflate a booster's probabilities; the
      random stream puts them back on the population's scale, which is what a probability must
      mean beside a rule's precision. A validation period alone holds too few of its rows.
    - otherwise `X_cal, y_cal` (a later period), as they are.
    Without both classes there the booster's own sigmoid is used. Both calibrations are
    non-decreasing, so a feature in `monotone_increasing` never lowers the calibrated probability.

    Not `CalibratedClassifierCV(FrozenEstimator(...))`: it calibrates one fitted model's outputs,
    while the first way above pools margins of several boosters (each row's out-of-fold one). On
    the second way it gives the same isotonic probabilities, but its sigmoid (Platt's smoothed
    targets) moved probabilities by up to 0.039 on a 20,000-person world's test period (same
    ranking), and a probability stands beside a rule's precision in the hybrid.
    """

    def __init__(
        self,
        categorical_features: Sequence[str] = (),
        num_boost_round: int = 300,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_data_in_leaf: int = 40,
        feature_fraction: float = 1.0,
        bagging_fraction: float = 1.0,
        bagging_freq: int = 0,
        lambda_l2: float = 0.0,
        max_cat_to_onehot: int = 8,
        num_threads: int = 2,
        seed: int = 0,
        monotone_increasing: Sequence[str] = (),
        calibration: str = "sigmoid",
        calibration_selections: Sequence[str] = (),
        calibration_folds: int = 3,
    ) -> None:
        super().__init__(
            categorical_features,
            num_boost_round,
            learning_rate,
            num_leaves,
            min_data_in_leaf,
            feature_fraction,
            bagging_fraction,
            bagging_freq,
            lambda_l2,
            max_cat_to_onehot,
            num_threads,
            seed,
            monotone_increasing,
        )
        self.calibration = calibration
        self.calibration_selections = calibration_selections
        self.calibration_folds = calibration_folds

    def _out_of_fold(self, X: pd.DataFrame, y: np.ndarray, weight, rows: np.ndarray) -> np.ndarray:
        """Raw margins of X[rows], each from a booster trained without that row's fold.

        Folds split every row, not only `rows`: a booster without some random rows but with all
        the tips would see a higher error rate than the full booster, and its margins with it.
        """
        folds = np.random.default_rng(self.seed).integers(0, self.calibration_folds, len(X))
        out = np.empty(int(rows.sum()))
        for k in range(self.calibration_folds):
            held = folds == k
            if not (held & rows).any():
                continue
            keep = ~held
            booster = self._train(
                X.loc[keep], y[keep], None if weight is None else np.asarray(weight)[keep], "binary"
            )
            out[held[rows]] = booster.predict(self._frame(X.loc[held & rows]), raw_score=True)
        return out

    def _calibration_rows(
        self, X, y, weight, selection, X_cal, y_cal, selection_cal
    ) -> tuple[np.ndarray, np.ndarray]:
        """(raw margins, labels) of the rows to calibrate on (see the class docstring)."""
        has_cal = X_cal is not None and y_cal is not None and len(X_cal) > 0
        if self.calibration_selections and selection is not None:
            rows = np.isin(np.asarray(selection), self.calibration_selections)
            raw, lab = [self._out_of_fold(X, y, weight, rows)], [y[rows]]
            if has_cal and selection_cal is not None:
                cal_rows = np.isin(np.asarray(selection_cal), self.calibration_selections)
                if cal_rows.any():  # a small world's validation period may hold no random row
                    raw.append(self.decision_function(X_cal.loc[cal_rows]))
                    lab.append(as_label(y_cal)[cal_rows])
            return np.concatenate(raw), np.concatenate(lab)
        if has_cal:
            return self.decision_function(X_cal), as_label(y_cal)
        return np.empty(0), np.empty(0, dtype="int64")

    def fit(
        self,
        X: pd.DataFrame,
        y,
        *,
        sample_weight: np.ndarray | None = None,
        X_cal: pd.DataFrame | None = None,
        y_cal=None,
        selection: Sequence[str] | None = None,
        selection_cal: Sequence[str] | None = None,
        **_: object,
    ) -> LightGBMClassifier:
        if self.calibration not in ("sigmoid", "isotonic"):
            raise ValueError(
                f"calibration must be 'sigmoid' or 'isotonic', got {self.calibration!r}"
            )
        if self.calibration_folds < 2:
            raise ValueError(f"calibration_folds must be at least 2, got {self.calibration_folds}")
        y = as_label(y)
        if len(np.unique(y)) < 2:
            raise ValueError("LightGBMClassifier needs both classes in the training labels")
        self.booster_ = self._train(X, y, sample_weight, "binary")
        self.calibrator_ = None
        raw, yc = self._calibration_rows(
            X, y, sample_weight, selection, X_cal, y_cal, selection_cal
        )
        self.n_calibration_ = len(yc)
        if len(np.unique(yc)) == 2:
            if self.calibration == "sigmoid":
                platt = LogisticRegression(C=1e4).fit(raw.reshape(-1, 1), yc)
                # a slope <= 0 would turn the ranking upside down (and break monotonicity):
                # then the booster's own sigmoid stays
                self.calibrator_ = platt if platt.coef_[0, 0] > 0 else None
            else:
                self.calibrator_ = IsotonicRegression(
                    y_min=0.0, y_max=1.0, out_of_bounds="clip"
                ).fit(raw, yc)
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The booster's raw margin (log-odds before calibration)."""
        check_is_fitted(self, "booster_")
        return self.booster_.predict(self._frame(X), raw_score=True)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        raw = self.decision_function(X)
        if self.calibrator_ is None:
            p = 1.0 / (1.0 + np.exp(-raw))
        elif isinstance(self.calibrator_, IsotonicRegression):
            p = self.calibrator_.predict(raw)
        else:
            p = self.calibrator_.predict_proba(raw.reshape(-1, 1))[:, 1]
        return two_columns(p)

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """TreeSHAP contributions to the raw margin, one column per feature plus `bias`.

        Slow (100-500 times a prediction): call it for selected cases only.
        """
        check_is_fitted(self, "booster_")
        contrib = self.booster_.predict(self._frame(X), pred_contrib=True)
        return pd.DataFrame(contrib, columns=[*self.feature_names_in_, "bias"], index=X.index)


class LightGBMAmount(_BoosterBase):
    """Wrong amount in SEK given an error: LightGBM on log1p(amount), back-transformed by smearing.

    Fit it on positive controls only; the expected wrong SEK of a case is P(error) * predict(X).
    """

    def fit(
        self, X: pd.DataFrame, y, *, sample_weight: np.ndarray | None = None, **_: object
    ) -> LightGBMAmount:
        y = np.asarray(y, dtype="float64")
        if len(y) == 0 or np.isnan(y).any() or (y < 0).any():
            raise ValueError("LightGBMAmount needs non-empty, non-negative, non-missing amounts")
        target = np.log1p(y)
        self.booster_ = self._train(X, target, sample_weight, "regression")
        resid = target - self.booster_.predict(self._frame(X))
        # Duan's smearing: E[y] = E[exp(resid)] * exp(prediction) - 1 on the log1p scale
        self.smearing_ = float(np.average(np.exp(resid), weights=sample_weight))
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "booster_")
        mu = self.booster_.predict(self._frame(X))
        return np.clip(self.smearing_ * np.exp(mu) - 1.0, 0.0, None)

    def score(self, X: pd.DataFrame, y, sample_weight: np.ndarray | None = None) -> float:
        """Negative mean absolute error in SEK (higher is better, as sklearn expects)."""
        err = np.abs(self.predict(X) - np.asarray(y, dtype="float64"))
        return -float(np.average(err, weights=sample_weight))
