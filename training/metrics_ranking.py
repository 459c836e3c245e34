"""Ranking and calibration metrics on a labelled test period, each with a bootstrap interval."""

from __future__ import annotations

import numpy as np
import pandas as pd

from felrisk.bootstrap import Estimate, as_1d, as_binary, bootstrap, same_length

N_BOOT = 1000


def _check_k(k: int, n: int) -> None:
    if not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if k > n:
        raise ValueError(f"k={k} is larger than the {n} scored cases")


def top_k_take(counts: np.ndarray, order: np.ndarray, k: int) -> np.ndarray:
    """How many copies of each row (in score order) a top-k list of each resample takes.

    Rows are walked best score first; ties keep their input order (a stable sort), so the list
    is the same every run.
    """
    c = counts[:, order]
    before = np.cumsum(c, axis=1) - c
    return np.clip(k - before, 0, c)


def _ranked(y: object, score: object, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y_arr = as_binary(y, "y")
    s = as_1d(score, "score")
    n = same_length(y=y_arr, score=s)
    if np.isnan(s).any():
        raise ValueError(f"score holds {int(np.isnan(s).sum())} missing values")
    _check_k(k, n)
    return y_arr, s, np.argsort(-s, kind="stable")


def precision_at_k(
    y: object, score: object, k: int, *, n_boot: int = N_BOOT, seed: int = 0, level: float = 0.95
) -> Estimate:
    """Hit rate of the top-k cases by score (share with an error); interval from whole-set resamples."""
    y_arr, _, order = _ranked(y, score, k)
    y_sorted = y_arr[order]
    return bootstrap(
        lambda c: top_k_take(c, order, k) @ y_sorted / k,
        len(y_arr),
        n_boot=n_boot,
        seed=seed,
        level=level,
    )


def wrong_sek_at_k(
    y_amount: object,
    score: object,
    k: int,
    *,
    n_boot: int = N_BOOT,
    seed: int = 0,
    level: float = 0.95,
) -> Estimate:
    """Wrongly paid SEK found by controlling the top-k cases (missing amounts count as 0)."""
    amount = np.nan_to_num(as_1d(y_amount, "y_amount"), nan=0.0)
    s = as_1d(score, "score")
    n = same_length(y_amount=amount, score=s)
    _check_k(k, n)
    order = np.argsort(-s, kind="stable")
    a_sorted = amount[order]
    return bootstrap(
        lambda c: top_k_take(c, order, k) @ a_sorted, n, n_boot=n_boot, seed=seed, level=level
    )


def lift(
    y: object,
    score: object,
    k: int,
    *,
    base_rate: float | Estimate | None = None,
    n_boot: int = N_BOOT,
    seed: int = 0,
    level: float = 0.95,
) -> Estimate:
    """Precision at k over a base rate: the random stream's prevalence when given, else this set's.

    A given `base_rate` (e.g. `ipw_prevalence(...)` of the random stream) is held fixed in the
    resamples; without one the base rate is recomputed in each resample of this set.
    """
    y_arr, _, order = _ranked(y, score, k)
    y_sorted = y_arr[order]
    if isinstance(base_rate, Estimate):
        base_rate = base_rate.value
    if base_rate is not None and not base_rate > 0:
        raise ValueError(f"base_rate must be positive, got {base_rate}")

    def stat(c: np.ndarray) -> np.ndarray:
        hit = top_k_take(c, order, k) @ y_sorted / k
        base = base_rate if base_rate is not None else (c @ y_arr) / c.sum(axis=1)
        return hit / base

    return bootstrap(stat, len(y_arr), n_boot=n_boot, seed=seed, level=level)


def _score_bins(score: np.ndarray, descending: bool) -> tuple[np.ndarray, np.ndarray]:
    """Row order by score and the start of each run of tied scores in that order."""
    order = np.argsort(-score if descending else score, kind="stable")
    s = score[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    return order, starts


def _pos_neg_by_bin(
    c: np.ndarray, y: np.ndarray, order: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    cs, ys = c[:, order], y[order]
    pos = np.add.reduceat(cs * ys, starts, axis=1)
    neg = np.add.reduceat(cs * (1 - ys), starts, axis=1)
    return pos, neg


def roc_auc(
    y: object, score: object, *, n_boot: int = N_BOOT, seed: int = 0, level: float = 0.95
) -> Estimate:
    """Area under the ROC curve (ties count one half); NaN in resamples with a single class.

    Each resample's value is scikit-learn's `roc_auc_score` with the resample's counts as
    `sample_weight` (a test pins it), computed for all resamples at once: 0.5 s against 10 s for
    1,000 sklearn calls at 3,000 rows (3.3 s against 22 s at 20,000).
    """
    y_arr = as_binary(y, "y")
    s = as_1d(score, "score")
    same_length(y=y_arr, score=s)
    order, starts = _score_bins(s, descending=False)

    def stat(c: np.ndarray) -> np.ndarray:
        pos, neg = _pos_neg_by_bin(c, y_arr, order, starts)
        below = np.cumsum(neg, axis=1) - neg
        return (pos * (below + 0.5 * neg)).sum(axis=1) / (pos.sum(axis=1) * neg.sum(axis=1))

    return bootstrap(stat, len(y_arr), n_boot=n_boot, seed=seed, level=level)


def pr_auc(
    y: object, score: object, *, n_boot: int = N_BOOT, seed: int = 0, level: float = 0.95
) -> Estimate:
    """Average precision (area under the precision-recall curve, step-wise, not trapezoidal).

    Each resample's value is scikit-learn's `average_precision_score` with the resample's counts
    as `sample_weight` (a test pins it), computed for all resamples at once, as in `roc_auc` and
    for the same reason: 20 times faster than a sklearn call per resample.
    """
    y_arr = as_binary(y, "y")
    s = as_1d(score, "score")
    same_length(y=y_arr, score=s)
    order, starts = _score_bins(s, descending=True)

    def stat(c: np.ndarray) -> np.ndarray:
        pos, neg = _pos_neg_by_bin(c, y_arr, order, starts)
        tp, fp = np.cumsum(pos, axis=1), np.cumsum(neg, axis=1)
        precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
        return (pos * precision).sum(axis=1) / pos.sum(axis=1)

    return bootstrap(stat, len(y_arr), n_boot=n_boot, seed=seed, level=level)


def _probabilities(p: object) -> np.ndarray:
    arr = as_1d(p, "p")
    if np.isnan(arr).any() or (arr < 0).any() or (arr > 1).any():
        raise ValueError("p must hold probabilities in [0, 1] without missing values")
    return arr


def brier(
    y: object, p: object, *, n_boot: int = N_BOOT, seed: int = 0, level: float = 0.95
) -> Estimate:
    """Mean squared error of predicted probabilities against 0/1 outcomes (lower is better)."""
    y_arr = as_binary(y, "y")
    p_arr = _probabilities(p)
    same_length(y=y_arr, p=p_arr)
    sq = (p_arr - y_arr) ** 2
    return bootstrap(
        lambda c: (c @ sq) / c.sum(axis=1), len(y_arr), n_boot=n_boot, seed=seed, level=level
    )


def reliability_table(
    y: object, p: object, bins: int = 10, *, strategy: str = "uniform"
) -> pd.DataFrame:
    """Calibration by bin of predicted probability, with a Wilson 95 % interval per bin.

    `strategy` "uniform" cuts [0, 1] into equal widths, "quantile" into equal counts. Empty bins
    are left out. Columns: bin, p_low, p_high, n, mean_predicted, observed_rate, observed_low,
    observed_high.
    """
    y_arr = as_binary(y, "y")
    p_arr = _probabilities(p)
    same_length(y=y_arr, p=p_arr)
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, bins + 1)
    elif strategy == "quantile":
        edges = np.unique(np.quantile(p_arr, np.linspace(0, 1, bins + 1)))
    else:
        raise ValueError(f"strategy must be 'uniform' or 'quantile', got {strategy!r}")
    idx = np.clip(np.searchsorted(edges, p_arr, side="right") - 1, 0, len(edges) - 2)
    frame = pd.DataFrame({"bin": idx, "p": p_arr, "y": y_arr})
    table = frame.groupby("bin").agg(
        n=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean")
    )
    z = 1.959963984540054
    n, rate = table["n"].to_numpy(float), table["observed_rate"].to_numpy()
    centre = (rate + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    table["observed_low"] = np.minimum(np.clip(centre - half, 0.0, 1.0), rate)
    table["observed_high"] = np.maximum(np.clip(centre + half, 0.0, 1.0), rate)
    table.insert(0, "p_low", edges[table.index.to_numpy()])
    table.insert(1, "p_high", edges[table.index.to_numpy() + 1])
    return table.reset_index()
