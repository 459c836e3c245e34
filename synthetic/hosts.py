"""Choosing the cases an error mechanism hits: eligible, not yet erroneous, bias knobs applied."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.state import WorldState
from synthetic.streams import weighted_pick


def eligible(
    w: WorldState, benefit: str | tuple[str, ...], mask: np.ndarray | None = None
) -> np.ndarray:
    """Row positions of correct cases of `benefit` that are paid inside the world."""
    c = w.cases
    bset = (benefit,) if isinstance(benefit, str) else benefit
    ok = (
        c["benefit"].isin(bset).to_numpy()
        & ~c["err"].to_numpy()
        & (c["ps"].to_numpy() >= w.start)
        & (c["pe"].to_numpy() <= w.end)
        & (c["ps"].to_numpy() <= c["pe"].to_numpy())
    )
    if mask is not None:
        ok &= mask
    return np.flatnonzero(ok)


def choose(w: WorldState, rows: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Up to n of `rows`, weighted by the scenario's (default neutral) sex and region factors."""
    ec = w.scenario.errors
    pid = w.cases["pid"].to_numpy()[rows]
    info = w.persons.set_index("pid")
    wt = np.where(info["sex"].reindex(pid).to_numpy() == "F", ec.female_error_factor, 1.0)
    reg = info["region"].reindex(pid).to_numpy()
    wt = wt * np.where((reg != "SE") & pd.notna(reg), ec.foreign_error_factor, 1.0)
    # one error per person and mechanism call keeps traces separable
    order = weighted_pick(rng, np.arange(len(rows)), wt, len(rows))
    _, first = np.unique(pid[order], return_index=True)
    order = order[np.sort(first)]
    return rows[order[:n]]


def weak(w: WorldState, n: int, rng: np.random.Generator) -> np.ndarray:
    """Which of n error cases leave only a weak trace."""
    return rng.random(n) < w.scenario.errors.weak_trace_share


def child_of(
    w: WorldState,
    pid: np.ndarray,
    day: np.ndarray,
    lo_days: int,
    hi_days: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """For each (person, day): a child of the person aged lo..hi days that day, or -1; and its birth."""
    q = pd.DataFrame({"i": np.arange(len(pid)), "parent": pid, "day": day})
    m = q.merge(w.children, on="parent", how="inner")
    age = m["day"] - m["child_birth"]
    m = m[(age >= lo_days) & (age <= hi_days)]
    m = m.assign(u=rng.random(len(m))).sort_values(["i", "u"], kind="stable").drop_duplicates("i")
    child = np.full(len(pid), -1, dtype="int64")
    birth = np.zeros(len(pid), dtype="int64")
    child[m["i"].to_numpy()] = m["child"].to_numpy()
    birth[m["i"].to_numpy()] = m["child_birth"].to_numpy()
    return child, birth
