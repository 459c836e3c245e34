"""The shared bootstrap: resample counts as plain indexing draws them, intervals, estimates."""

from __future__ import annotations

import numpy as np
import pytest

from felrisk.bootstrap import bootstrap, resample_counts


def _reference_counts(n: int, n_boot: int, seed: int, per_chunk: int) -> np.ndarray:
    """Counts of the same draws, the slow plain way: each resample's indices, counted by row."""
    rng = np.random.default_rng(seed)
    rows = []
    done = 0
    while done < n_boot:
        reps = min(per_chunk, n_boot - done)
        for idx in rng.integers(0, n, size=(reps, n)):
            rows.append([np.sum(idx == i) for i in range(n)])
        done += reps
    return np.array(rows, dtype=float)


@pytest.mark.parametrize("n", [1, 7, 50])
def test_counts_are_the_draws_of_indexing_resamples(n, monkeypatch):
    monkeypatch.setattr("felrisk.bootstrap._CHUNK_CELLS", 60)  # several chunks, a short last one
    got = np.vstack(list(resample_counts(n, 23, np.random.default_rng(5))))
    assert got.shape == (23, n)
    assert (got.sum(axis=1) == n).all()
    np.testing.assert_array_equal(got, _reference_counts(n, 23, 5, max(1, 60 // n)))


def test_bootstrap_mean_point_interval_and_seed():
    x = np.random.default_rng(0).normal(10.0, 2.0, 400)

    def mean(counts: np.ndarray) -> np.ndarray:
        return counts @ x / counts.sum(axis=1)

    est = bootstrap(mean, len(x), n_boot=500, seed=3)
    assert est.value == pytest.approx(x.mean())
    assert est.low < est.value < est.high
    assert est.high - est.low == pytest.approx(2 * 1.96 * x.std() / np.sqrt(len(x)), rel=0.2)
    assert bootstrap(mean, len(x), n_boot=500, seed=3) == est
