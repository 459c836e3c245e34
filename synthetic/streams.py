"""Independent, reproducible random streams: one per generator step, all derived from the seed."""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """A PCG64 generator for step `name`; the same seed and name always give the same numbers."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(name.encode())]))
    )


def pick(rng: np.random.Generator, pool: np.ndarray, n: int) -> np.ndarray:
    """Up to n distinct elements of `pool` in random order (fewer if the pool is small)."""
    n = int(min(max(n, 0), len(pool)))
    if n == 0:
        return pool[:0]
    return pool[rng.permutation(len(pool))[:n]]


def weighted_pick(
    rng: np.random.Generator, pool: np.ndarray, weights: np.ndarray, n: int
) -> np.ndarray:
    """Up to n distinct elements of `pool`, drawn with probability proportional to `weights`."""
    n = int(min(max(n, 0), int((weights > 0).sum())))
    if n == 0:
        return pool[:0]
    # Efraimidis-Spirakis: the n largest of u^(1/w) are a weighted sample without replacement.
    with np.errstate(divide="ignore"):
        keys = np.where(weights > 0, np.log(rng.random(len(pool))) / weights, -np.inf)
    return pool[np.argsort(-keys, kind="stable")[:n]]
