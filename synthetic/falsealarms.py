"""Legitimate patterns that look like errors: partial benefit combinations on the same days.

The domain brief lists false alarms the data must contain; most come from the benefit generators
(employer sick pay, holiday and back pay, double days, reversals, late and corrected reports,
collective top-ups). The partial combinations are added here: half SJP beside half FP, and half
AKS beside half FP, which rule 1 allows (extents add up to 1.0) but a naive overlap rule flags;
then the traps of the `[false_alarms]` section (synthetic.traps), legitimate cases that the
contract's simplified rules or the agency's rules flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.hosts import child_of
from synthetic.mechanisms_coordination import new_daily_cases
from synthetic.state import WorldState
from synthetic.streams import pick, stream
from synthetic.traps import add_traps


def add_false_alarms(w: WorldState) -> None:
    """Add half FP on days of half-time SJP and half-time AKS cases of parents, then the traps."""
    b = w.scenario.benefits
    for host, per_100k in (
        ("SJP", b.legit_half_sjp_half_fp_per_100k),
        ("AKS", b.legit_half_aks_half_fp_per_100k),
    ):
        rng = stream(w.seed, f"false_alarm:{host}")
        c = w.cases
        mask = (
            (c["benefit"] == host)
            & (c["extent"] == 0.5)
            & (c["pe"] - c["ps"] >= 20)
            & (c["ps"] >= w.start)
        ).to_numpy()
        rows = np.flatnonzero(mask)
        child, _ = child_of(
            w, c["pid"].to_numpy()[rows], c["ps"].to_numpy()[rows], 30, 11 * 365, rng
        )
        rows = rows[child >= 0]
        child = child[child >= 0]
        want = round(len(w.persons) * per_100k / 1e5)
        sel = pick(rng, np.arange(len(rows)), want)
        rows, child = rows[sel], child[sel]
        _, first = np.unique(c["pid"].to_numpy()[rows], return_index=True)
        rows, child = rows[np.sort(first)], child[np.sort(first)]
        k = len(rows)
        if k == 0:
            continue
        ps, pe = c["ps"].to_numpy()[rows], c["pe"].to_numpy()[rows]
        s = ps + (rng.random(k) * (pe - ps - 5)).astype("int64")
        e = np.minimum(s + rng.integers(4, 30, k), pe)
        free = ~_child_taken(c, child, s, e)
        k = int(free.sum())
        new_daily_cases(
            w,
            "FP",
            c["pid"].to_numpy()[rows][free],
            child[free],
            s[free],
            e[free],
            np.full(k, 0.5),
            rng,
        )
    add_traps(w)


def _child_taken(
    cases: pd.DataFrame, child: np.ndarray, s: np.ndarray, e: np.ndarray
) -> np.ndarray:
    """True where the child already has an FP or TFP case (the other parent's) on a day of s..e:
    a second parent's FP on those days would be a double day the rules may not allow."""
    mine = cases.loc[cases["benefit"].isin(["FP", "TFP"]) & (cases["child"] >= 0)]
    cand = np.arange(len(child))
    m = mine[["child", "ps", "pe"]].merge(
        pd.DataFrame({"cand": cand, "child": child, "s": s, "e": e}), on="child"
    )
    hit = m.loc[(m["ps"] <= m["e"]) & (m["pe"] >= m["s"]), "cand"].to_numpy()
    return np.isin(cand, hit)
