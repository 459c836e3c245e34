"""Population estimates from the random control stream with inverse-propensity weights (Hajek)."""

from __future__ import annotations

import numpy as np

from felrisk.bootstrap import Estimate, as_1d, as_binary, bootstrap, same_length
from training.metrics_ranking import N_BOOT


def _weights(w: object) -> np.ndarray:
    arr = as_1d(w, "w")
    if not np.isfinite(arr).all() or (arr <= 0).any():
        raise ValueError("w must hold positive, finite weights (w = 1 / selection_probability)")
    return arr


def _inputs(y: object, w: object, in_list: object | None = None) -> tuple[np.ndarray, ...]:
    y_arr, w_arr = as_binary(y, "y"), _weights(w)
    if in_list is None:
        same_length(y=y_arr, w=w_arr)
        return y_arr, w_arr
    list_arr = as_binary(in_list, "in_list")
    same_length(y=y_arr, w=w_arr, in_list=list_arr)
    return y_arr, w_arr, list_arr


def ipw_prevalence(
    y: object, w: object, *, n_boot: int = N_BOOT, seed: int = 0, level: float = 0.95
) -> Estimate:
    """Share of the population with an error: sum(w*y) / sum(w) over the random stream."""
    y_arr, w_arr = _inputs(y, w)
    wy = w_arr * y_arr
    return bootstrap(
        lambda c: (c @ wy) / (c @ w_arr), len(y_arr), n_boot=n_boot, seed=seed, level=level
    )


def ipw_recall_of_list(
    y: object,
    w: object,
    in_list: object,
    *,
    n_boot: int = N_BOOT,
    seed: int = 0,
    level: float = 0.95,
) -> Estimate:
    """Share of the population's errors a list would catch, estimated on the random stream.

    `in_list` marks the random-stream cases the list would hold (e.g. score at or above that
    night's k-th score): sum(w*y*in_list) / sum(w*y). NaN when a resample holds no error.
    """
    y_arr, w_arr, list_arr = _inputs(y, w, in_list)
    wy = w_arr * y_arr
    wyl = wy * list_arr
    return bootstrap(
        lambda c: (c @ wyl) / (c @ wy), len(y_arr), n_boot=n_boot, seed=seed, level=level
    )


def ipw_lift(
    y: object,
    w: object,
    in_list: object,
    *,
    n_boot: int = N_BOOT,
    seed: int = 0,
    level: float = 0.95,
) -> Estimate:
    """Weighted hit rate of the list's cases over the population prevalence, both on the random stream."""
    y_arr, w_arr, list_arr = _inputs(y, w, in_list)
    wy, wl = w_arr * y_arr, w_arr * list_arr
    wyl = wy * list_arr

    def stat(c: np.ndarray) -> np.ndarray:
        return ((c @ wyl) / (c @ wl)) / ((c @ wy) / (c @ w_arr))

    return bootstrap(stat, len(y_arr), n_boot=n_boot, seed=seed, level=level)
