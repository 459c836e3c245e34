"""Inverse-probability weights of random controls: each stands for 1 / its selection probability."""

from __future__ import annotations

import numpy as np
import pandas as pd


def ipw_weights(frame: pd.DataFrame) -> np.ndarray:
    """1 / selection_probability per row (1 where the probability is missing, zero or not finite)."""
    p = pd.to_numeric(frame["selection_probability"], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(p) & (p > 0), 1.0 / np.where(p > 0, p, 1.0), 1.0)
