"""Proxy screen: how well features, alone and together, and the score predict protected attributes."""

from __future__ import annotations

import numpy as np
import pandas as pd

ALL_FEATURES = "(all features)"
SCORE = "(score)"


def _numeric_matrix(features: pd.DataFrame) -> np.ndarray:
    """Features as floats: booleans as 0/1, text and categories as codes (missing stays NaN)."""
    cols = []
    for name in features.columns:
        col = features[name]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            cols.append(pd.to_numeric(col, errors="coerce").astype(float).to_numpy())
        else:
            codes, _ = pd.factorize(col, sort=True)
            cols.append(np.where(codes < 0, np.nan, codes).astype(float))
    return np.column_stack(cols) if cols else np.empty((len(features), 0))


def _rank_auc(x: np.ndarray, y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Direction-free rank AUC of each column of x for y (macro one-vs-rest beyond two classes).

    Missing values rank lowest (missingness can itself be a proxy). A column's AUC is
    max(AUC, 1 - AUC): a proxy is a proxy in either direction.
    """
    filled = np.where(np.isnan(x), np.nanmin(np.r_[x.ravel(), 0.0]) - 1.0, x)
    ranks = pd.DataFrame(filled).rank(method="average").to_numpy()  # ties share their mean rank
    targets = classes[1:] if len(classes) == 2 else classes
    aucs = []
    for c in targets:
        pos = y == c
        n1, n0 = pos.sum(), (~pos).sum()
        auc = (ranks[pos].sum(axis=0) - n1 * (n1 + 1) / 2) / (n1 * n0)
        aucs.append(np.maximum(auc, 1 - auc))
    return np.mean(aucs, axis=0)


def _model_auc(x: np.ndarray, y: np.ndarray, folds: int, seed: int) -> float:
    """Cross-validated AUC of a gradient-boosted model on all features (macro OvR beyond two).

    Classes with fewer than two rows cannot be stratified and are left out of this one figure;
    NaN when fewer than two classes remain. One thread: OpenMP workers that spin on a shared
    machine slow a small fit down by orders of magnitude.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    counts = pd.Series(y).value_counts()
    keep = np.isin(y, counts.index[counts >= 2])
    x, y = x[keep], y[keep]
    classes = np.unique(y)
    if len(classes) < 2:
        return float("nan")
    smallest = int(counts.loc[classes].min())
    cv = StratifiedKFold(n_splits=min(folds, smallest), shuffle=True, random_state=seed)
    model = HistGradientBoostingClassifier(max_iter=100, random_state=seed)
    with threadpool_limits(limits=1):
        proba = cross_val_predict(model, x, y, cv=cv, method="predict_proba")
    if len(classes) == 2:
        return float(roc_auc_score(y == classes[1], proba[:, 1]))
    return float(roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes))


def proxy_screen(
    features: pd.DataFrame,
    protected: pd.DataFrame,
    score: pd.Series | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    max_rows: int = 100_000,
) -> pd.DataFrame:
    """Table of how well each feature, all features together and the score predict each attribute.

    Rows align by position. For every column of `protected` (rows where it is missing are left
    out): the rank AUC of each feature alone and of `score`, direction-free (0.5 = no
    information, 1 = a perfect proxy), and the `folds`-fold cross-validated AUC of a
    gradient-boosted model on all features. Multi-class attributes (birth_region, bands) use the
    macro average of one-vs-rest AUCs. Above `max_rows` a seeded random subsample is used.

    Columns: attribute, feature, auc, n; sorted by attribute, then auc from high to low.
    """
    if len(features) != len(protected) or (score is not None and len(score) != len(features)):
        raise ValueError("features, protected and score must have the same number of rows")
    if len(features) == 0:
        raise ValueError("features is empty: nothing to screen")
    rows_idx = np.arange(len(features))
    if len(rows_idx) > max_rows:
        rows_idx = np.sort(np.random.default_rng(seed).choice(rows_idx, max_rows, replace=False))
    x_all = _numeric_matrix(features)[rows_idx]
    names = [str(c) for c in features.columns]
    if score is not None:
        x_all = np.column_stack([x_all, np.asarray(score, dtype=float)[rows_idx]])
        names.append(SCORE)
    n_features = features.shape[1]
    out = []
    for attribute in protected.columns:
        values = protected[attribute].iloc[rows_idx]
        keep = values.notna().to_numpy()
        y = values[keep].astype(str).to_numpy()
        classes = np.unique(y)
        if len(classes) < 2:
            continue
        x = x_all[keep]
        for name, auc in zip(names, _rank_auc(x, y, classes), strict=True):
            out.append((attribute, name, float(auc), int(keep.sum())))
        if n_features:
            auc = _model_auc(x[:, :n_features], y, folds, seed)
            out.append((attribute, ALL_FEATURES, auc, int(keep.sum())))
    table = pd.DataFrame(out, columns=["attribute", "feature", "auc", "n"])
    return table.sort_values(
        ["attribute", "auc"], ascending=[True, False], kind="stable"
    ).reset_index(drop=True)
