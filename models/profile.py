"""Training profile for drift: per-feature bins and proportions, and the score's, with PSI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

_EPS = 1e-4
MISSING = "missing"


@dataclass(frozen=True)
class BinProfile:
    """One variable's training distribution: numeric quantile edges or categorical codes.

    Numeric bins are (-inf, e0], (e0, e1], ..., (e_last, inf) plus a missing bin; categorical
    bins are the codes seen in training plus `other` and `missing`.
    """

    name: str
    kind: str  # "numeric" or "categorical"
    edges: tuple[float, ...] = ()
    codes: tuple[int, ...] = ()
    proportions: tuple[float, ...] = ()

    def labels(self) -> list[str]:
        if self.kind == "categorical":
            return [str(c) for c in self.codes] + ["other", MISSING]
        lo = ["-inf", *[f"{e:g}" for e in self.edges]]
        hi = [*[f"{e:g}" for e in self.edges], "inf"]
        return [f"({a}, {b}]" for a, b in zip(lo, hi, strict=True)] + [MISSING]

    def counts(self, values: Sequence | np.ndarray | pd.Series) -> np.ndarray:
        """How many of `values` fall in each bin (same order as `labels`)."""
        v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64")
        miss = np.isnan(v)
        if self.kind == "categorical":
            codes = np.asarray(self.codes, dtype="float64")
            out = [(v == c).sum() for c in codes]
            other = (~miss & ~np.isin(v, codes)).sum()
            return np.array([*out, other, miss.sum()], dtype="float64")
        idx = np.searchsorted(np.asarray(self.edges), v[~miss], side="left")
        binned = np.bincount(idx, minlength=len(self.edges) + 1)
        return np.append(binned, miss.sum()).astype("float64")

    def psi(self, values: Sequence | np.ndarray | pd.Series) -> float:
        """Population stability index of `values` against the training proportions."""
        c = self.counts(values)
        actual = c / max(c.sum(), 1.0)
        expected = np.asarray(self.proportions)
        a = np.clip(actual, _EPS, None)
        e = np.clip(expected, _EPS, None)
        return float(((a - e) * np.log(a / e)).sum())


def profile_values(
    name: str, values: Sequence | np.ndarray | pd.Series, *, categorical: bool, bins: int
) -> BinProfile:
    """Bin one variable's training values (quantile edges, or its most common codes)."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64")
    present = v[~np.isnan(v)]
    if categorical:
        uniq, cnt = np.unique(present, return_counts=True)
        order = np.argsort(-cnt, kind="stable")[: max(bins, 1) * 5]
        prof = BinProfile(name, "categorical", codes=tuple(int(u) for u in uniq[order]))
    else:
        qs = np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1]) if len(present) else []
        prof = BinProfile(name, "numeric", edges=tuple(float(e) for e in np.unique(qs)))
    c = prof.counts(v)
    props = tuple(float(x) for x in c / max(c.sum(), 1.0))
    return BinProfile(prof.name, prof.kind, prof.edges, prof.codes, props)


@dataclass(frozen=True)
class TrainingProfile:
    """The training distribution of every model feature and of the score, for the nightly drift."""

    features: dict[str, BinProfile] = field(default_factory=dict)
    score: BinProfile | None = None
    n_rows: int = 0

    @classmethod
    def build(
        cls,
        X: pd.DataFrame,
        score: np.ndarray,
        *,
        categorical: Sequence[str] = (),
        bins: int = 10,
    ) -> TrainingProfile:
        cats = set(categorical)
        feats = {c: profile_values(c, X[c], categorical=c in cats, bins=bins) for c in X.columns}
        return cls(feats, profile_values("score", score, categorical=False, bins=bins), len(X))

    def psi(self, X: pd.DataFrame, score: np.ndarray | None = None) -> pd.DataFrame:
        """Population stability per feature (and for the score) of new data against training."""
        rows = [(n, p.psi(X[n])) for n, p in self.features.items() if n in X.columns]
        if score is not None and self.score is not None:
            rows.append(("score", self.score.psi(score)))
        return pd.DataFrame(rows, columns=["variable", "psi"])

    def to_frame(self) -> pd.DataFrame:
        """One row per variable and bin: variable, bin label, training proportion."""
        rows = []
        items = list(self.features.values()) + ([self.score] if self.score else [])
        for p in items:
            for label, prop in zip(p.labels(), p.proportions, strict=True):
                rows.append((p.name, p.kind, label, prop))
        return pd.DataFrame(rows, columns=["variable", "kind", "bin", "proportion"])
