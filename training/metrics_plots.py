"""PNG charts of the evaluation: reliability, hit rate by list size, precision-recall curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from felrisk.bootstrap import as_1d, as_binary, same_length
from felrisk.figures import new_figure, save_png
from training.metrics_ranking import reliability_table


def plot_reliability(y: object, p: object, path: str | Path, *, bins: int = 10) -> Path:
    """Observed error rate against mean predicted probability per bin, with Wilson intervals."""
    table = reliability_table(y, p, bins=bins)
    fig = new_figure(5.5, 5.0)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    # Wilson bounds can sit a rounding error inside the rate (rate 0 or 1): never a negative bar
    err = np.clip(
        np.vstack(
            [
                table["observed_rate"] - table["observed_low"],
                table["observed_high"] - table["observed_rate"],
            ]
        ),
        0.0,
        None,
    )
    ax.errorbar(
        table["mean_predicted"], table["observed_rate"], yerr=err, marker="o", label="model"
    )
    ax.set(xlabel="mean predicted probability", ylabel="observed error rate", xlim=(0, 1))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    return save_png(fig, path)


def _hit_rate_curve(y: np.ndarray, score: np.ndarray, ks: np.ndarray) -> np.ndarray:
    order = np.argsort(-score, kind="stable")
    return np.cumsum(y[order])[ks - 1] / ks


def plot_lift_at_k(
    y: object,
    scores: Mapping[str, object],
    path: str | Path,
    *,
    ks: Sequence[int] | None = None,
    base_rate: float | None = None,
) -> Path:
    """Hit rate of each model's top-k for a range of k, beside the base (random) rate."""
    y_arr = as_binary(y, "y")
    n = len(y_arr)
    ks_arr = (
        np.unique(np.linspace(1, n, num=min(n, 200)).astype(int))
        if ks is None
        else np.asarray(sorted(ks), dtype=int)
    )
    if (ks_arr < 1).any() or (ks_arr > n).any():
        raise ValueError(f"every k must lie in 1..{n}")
    fig = new_figure()
    ax = fig.add_subplot()
    for name, score in scores.items():
        s = as_1d(score, f"scores[{name!r}]")
        same_length(y=y_arr, score=s)
        ax.plot(ks_arr, _hit_rate_curve(y_arr, s, ks_arr), label=name)
    base = float(y_arr.mean()) if base_rate is None else base_rate
    ax.axhline(base, linestyle="--", color="grey", label=f"base rate {base:.1%}")
    ax.set(xlabel="k (cases controlled)", ylabel="hit rate of top k")
    ax.set_ylim(0, 1)
    ax.legend()
    return save_png(fig, path)


def plot_pr(y: object, scores: Mapping[str, object], path: str | Path) -> Path:
    """Precision-recall curves of each model on the same labels."""
    from sklearn.metrics import precision_recall_curve

    y_arr = as_binary(y, "y")
    fig = new_figure(5.5, 5.0)
    ax = fig.add_subplot()
    for name, score in scores.items():
        s = as_1d(score, f"scores[{name!r}]")
        same_length(y=y_arr, score=s)
        precision, recall, _ = precision_recall_curve(y_arr, s)
        ax.step(recall, precision, where="post", label=name)
    ax.axhline(y_arr.mean(), linestyle="--", color="grey", label="prevalence")
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
    ax.legend()
    return save_png(fig, path)
