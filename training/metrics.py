"""Evaluation metrics with seeded bootstrap intervals, and the model comparison table.

Public interface (pure numpy/pandas; the same seed gives the same numbers):

- `Estimate(value, low, high)`, `.overlaps(other)`, `.as_dict()`
- `precision_at_k(y, score, k)`, `wrong_sek_at_k(y_amount, score, k)`, `lift(y, score, k, base_rate=)`
- `pr_auc(y, score)`, `roc_auc(y, score)`, `brier(y, p)`, `reliability_table(y, p, bins=10)`
- `ipw_prevalence(y, w)`, `ipw_recall_of_list(y, w, in_list)`, `ipw_lift(y, w, in_list)`
- `compare_at_k(frame, scores, k)` -> one row per model
- `plot_reliability(y, p, path)`, `plot_lift_at_k(y, scores, path)`, `plot_pr(y, scores, path)`

Every estimate keyword-accepts `n_boot` (default 1000), `seed` (0) and `level` (0.95). Intervals
are percentile intervals over resamples of the rows; models compared with the same seed on the
same frame see the same resamples (paired comparison). Empty input, mismatched lengths, missing
labels and k larger than n raise ValueError.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from felrisk.bootstrap import Estimate, as_1d
from training.metrics_ipw import ipw_lift, ipw_prevalence, ipw_recall_of_list
from training.metrics_plots import plot_lift_at_k, plot_pr, plot_reliability
from training.metrics_ranking import (
    N_BOOT,
    brier,
    lift,
    pr_auc,
    precision_at_k,
    reliability_table,
    roc_auc,
    wrong_sek_at_k,
)

__all__ = [
    "N_BOOT",
    "Estimate",
    "brier",
    "compare_at_k",
    "ipw_lift",
    "ipw_prevalence",
    "ipw_recall_of_list",
    "lift",
    "plot_lift_at_k",
    "plot_pr",
    "plot_reliability",
    "pr_auc",
    "precision_at_k",
    "reliability_table",
    "roc_auc",
    "wrong_sek_at_k",
]

_NAN = Estimate(float("nan"), float("nan"), float("nan"))


def compare_at_k(
    frame: pd.DataFrame,
    scores: Mapping[str, object],
    k: int,
    *,
    y_col: str = "is_error",
    amount_col: str | None = "wrong_amount_sek",
    base_rate: float | Estimate | None = None,
    n_boot: int = N_BOOT,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """The comparison table training prints and logs: one row per model, same test rows for all.

    `frame` holds the test period's labels (`y_col`, 0/1) and optionally the wrong amount
    (`amount_col`; None or absent gives NaN). `scores` maps a model name to its scores, aligned
    with `frame`'s rows. `base_rate` is the random stream's prevalence for the lift (default: the
    test set's own). Brier is NaN for a score that is not a probability.

    Columns: model, k, n, then value/low/high triples hit_rate*, wrong_sek*, lift*, pr_auc*,
    roc_auc*, brier* (e.g. `hit_rate`, `hit_rate_low`, `hit_rate_high`).
    """
    if not scores:
        raise ValueError("scores is empty: nothing to compare")
    if y_col not in frame.columns:
        raise ValueError(f"frame has no label column {y_col!r}")
    y = frame[y_col].to_numpy(dtype=float)
    has_amount = amount_col is not None and amount_col in frame.columns
    opts = {"n_boot": n_boot, "seed": seed, "level": level}
    rows = []
    for name, score in scores.items():
        s = as_1d(score, f"scores[{name!r}]")
        if len(s) != len(frame):
            raise ValueError(f"scores[{name!r}] has {len(s)} values for {len(frame)} rows")
        is_probability = bool(np.isfinite(s).all() and (s >= 0).all() and (s <= 1).all())
        figures = {
            "hit_rate": precision_at_k(y, s, k, **opts),
            "wrong_sek": wrong_sek_at_k(frame[amount_col], s, k, **opts) if has_amount else _NAN,
            "lift": lift(y, s, k, base_rate=base_rate, **opts),
            "pr_auc": pr_auc(y, s, **opts),
            "roc_auc": roc_auc(y, s, **opts),
            "brier": brier(y, s, **opts) if is_probability else _NAN,
        }
        row: dict[str, object] = {"model": name, "k": k, "n": len(frame)}
        for key, est in figures.items():
            row[key], row[f"{key}_low"], row[f"{key}_high"] = est.value, est.low, est.high
        rows.append(row)
    return pd.DataFrame(rows)
