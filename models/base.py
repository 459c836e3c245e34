"""The contract every felrisk estimator shares: columns checked by name, fitted state, a score."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score


def select_columns(X: pd.DataFrame, columns: Sequence[str], owner: str) -> pd.DataFrame:
    """The named columns of X, in that order; a missing column is an error naming it."""
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"{owner} expects a pandas DataFrame with named feature columns")
    missing = [c for c in columns if c not in X.columns]
    if missing:
        raise ValueError(f"{owner}: feature columns missing from X: {', '.join(missing)}")
    return X.loc[:, list(columns)]


def as_float_frame(
    X: pd.DataFrame, columns: Sequence[str], categorical: Sequence[str] = ()
) -> pd.DataFrame:
    """Numeric features as float64 and categorical ones as int64 codes (-1 = missing).

    One typed view for LightGBM, the MLflow signature and the drift profile: pandas `category`
    dtypes break the pyfunc flavour, so categoricals travel as integer codes.
    """
    cats = set(categorical)
    out = {}
    for c in columns:
        col = X[c]
        if c in cats:
            out[c] = pd.to_numeric(col, errors="coerce").fillna(-1).astype("int64").to_numpy()
        else:
            out[c] = pd.to_numeric(col, errors="coerce").astype("float64").to_numpy()
    return pd.DataFrame(out, index=X.index)


def as_label(y: Sequence | np.ndarray | pd.Series) -> np.ndarray:
    """A 0/1 label vector; anything else is an error."""
    arr = np.asarray(y)
    if arr.dtype == bool:
        return arr.astype("int64")
    values = np.unique(arr)
    if not np.isin(values, [0, 1]).all():
        raise ValueError(f"labels must be 0/1 or boolean, got values {values[:5].tolist()}")
    return arr.astype("int64")


def two_columns(p: np.ndarray) -> np.ndarray:
    """(n,) probabilities of the positive class as sklearn's (n, 2) predict_proba array."""
    p = np.clip(np.asarray(p, dtype="float64"), 0.0, 1.0)
    return np.column_stack([1.0 - p, p])


class RiskClassifierMixin:
    """Shared behaviour of felrisk's classifiers: `score` is average precision (PR-AUC).

    Average precision, not accuracy: with a few percent positives accuracy rewards a constant.
    """

    _estimator_type = "classifier"

    def score(self, X: pd.DataFrame, y: Sequence, sample_weight: np.ndarray | None = None) -> float:
        y = as_label(y)
        return float(
            average_precision_score(y, self.predict_proba(X)[:, 1], sample_weight=sample_weight)
        )
