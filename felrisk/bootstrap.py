"""Seeded, vectorised bootstrap: resampling count matrices, percentile intervals and `Estimate`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import numpy as np

# Cells of one count matrix chunk (reps x rows); bounds memory at about 32 MB of int64.
_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its bootstrap interval (`low`, `high`; NaN when undefined)."""

    value: float
    low: float
    high: float

    def overlaps(self, other: Estimate) -> bool:
        """True when the two intervals share at least one point (a crude 'no clear difference')."""
        return bool(self.low <= other.high and other.low <= self.high)

    def as_dict(self) -> dict[str, float]:
        """`{"value", "low", "high"}` as plain floats (for MLflow metrics and JSON)."""
        return {k: float(v) for k, v in asdict(self).items()}


def as_1d(values: object, name: str, *, dtype: type = float) -> np.ndarray:
    """A 1-d numpy array of `values`, or ValueError naming the argument when it is empty."""
    arr = np.asarray(values, dtype=dtype)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: nothing to measure")
    return arr


def as_binary(values: object, name: str) -> np.ndarray:
    """0/1 labels as float, refusing NaN and values other than 0/1/True/False."""
    arr = as_1d(values, name)
    if np.isnan(arr).any():
        raise ValueError(f"{name} holds {int(np.isnan(arr).sum())} missing labels")
    if not np.isin(arr, (0.0, 1.0)).all():
        raise ValueError(f"{name} must hold only 0/1 (or booleans)")
    return arr


def same_length(**arrays: np.ndarray) -> int:
    """The common length of `arrays`, or ValueError naming the lengths."""
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"inputs differ in length: {lengths}")
    return next(iter(lengths.values()))


def resample_counts(n: int, n_boot: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield (reps, n) float matrices: how often each row appears in each bootstrap resample.

    A resample of n rows drawn with replacement is summarised by its per-row counts, so every
    statistic that is a (weighted) sum over rows becomes a matrix product, and ranked statistics a
    cumulative sum along the score order. Chunks keep memory bounded; the draws depend only on
    `n`, `n_boot` and the generator's state, so a seed gives the same answer every time.
    """
    per_chunk = max(1, _CHUNK_CELLS // max(n, 1))
    done = 0
    while done < n_boot:
        reps = min(per_chunk, n_boot - done)
        idx = rng.integers(0, n, size=(reps, n))
        counts = np.empty((reps, n))
        # one bincount per resample: its n counters stay in cache (four times faster at 80,000
        # rows than one bincount over reps * n counters, the same counts)
        for r in range(reps):
            counts[r] = np.bincount(idx[r], minlength=n)
        yield counts
        done += reps


def interval(reps: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval of bootstrap replicates, ignoring NaN (no interpolation, so inf is safe)."""
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
    reps = np.asarray(reps, dtype=float)
    if np.isnan(reps).all():
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    low, high = np.nanquantile(reps, [alpha, 1 - alpha], method="inverted_cdf")
    return float(low), float(high)


def bootstrap(
    stat: Callable[[np.ndarray], np.ndarray],
    n: int,
    *,
    n_boot: int,
    seed: int,
    level: float = 0.95,
) -> Estimate:
    """Point value `stat(ones)` and percentile interval of `stat` over `n_boot` resamples of n rows.

    `stat` maps a (reps, n) count matrix to a (reps,) vector of the statistic.

    Hand-written rather than `scipy.stats.bootstrap` because it is faster on felrisk's
    statistics: an IPW hit rate (ratio of weighted sums) over 70,000 rows and 1,000 resamples
    took 1.9 s here and 3.0-5.4 s with scipy's percentile method (paired, vectorised) on the
    2-core machine; scipy's default BCa adds a jackknife over every row. The intervals agreed
    within 3e-6. Counts times a design matrix also serve ranked statistics (a cumulative sum in
    score order) that scipy would recompute from indexed copies of the data.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(stat(np.ones((1, n)))[0])
        rng = np.random.default_rng(seed)
        reps = np.concatenate([stat(c) for c in resample_counts(n, n_boot, rng)])
    low, high = interval(reps, level)
    return Estimate(value, low, high)
