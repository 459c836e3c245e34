"""Make the correct (not yet erroneous) cases obey the coordination rules before errors go in.

The benefit generators draw episodes independently, so a person may get two sickness spells that
overlap, SJP beside full AKS, or days before coverage began. A correct world must not break the
rules of the data contract (../shared/data-contract.md): only injected errors may, so that every
rule break in the data is either a labelled error or a documented false alarm.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from felrisk.rules import load_rules
from synthetic.timeaxis import NA_DAY, overlaps_earlier

# benefits whose daily extents add up per person (coordination rule 1); ASS is paid by the hour
EXTENT_BENEFITS = ("SJP", "KAR", "FP", "TFP", "AKS", "SE", "AE")
# who keeps its days when two correct cases collide: lower wins (long-term and AKS first)
PRIORITY = {"SE": 0, "AE": 0, "AKS": 1, "FP": 2, "SJP": 3, "KAR": 4, "TFP": 5}


def respect_coverage(cases: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """Start paid days no earlier than insured_from (rule 6); drop cases left without days."""
    ins = persons.set_index("pid")["insured_from"].reindex(cases["pid"]).to_numpy()
    ins = np.where(ins == NA_DAY, np.iinfo("int64").min, ins)
    ps = np.maximum(cases["ps"].to_numpy(), ins)
    out = cases.assign(ps=ps)
    return out[out["ps"] <= out["pe"]].reset_index(drop=True)


def drop_collisions(cases: pd.DataFrame) -> pd.DataFrame:
    """Drop correct daily cases whose days overlap a higher-priority case of the same person.

    One vectorised pass: a case is dropped when it overlaps any case ranked before it (by benefit
    priority, then start). That may drop a little more than a sequential pass would; the result
    has no overlapping daily cases for any person, which is what the rules ask of correct data.
    """
    daily = cases["benefit"].isin(EXTENT_BENEFITS).to_numpy()
    c = cases[daily]
    rank = c["benefit"].map(PRIORITY).to_numpy(dtype="int64")
    pid = c["pid"].to_numpy(dtype="int64")
    ps = c["ps"].to_numpy(dtype="int64")
    pe = c["pe"].to_numpy(dtype="int64")
    # sort by (person, rank, start): an "earlier" interval is one of higher priority
    order = np.lexsort((pe, ps, rank, pid))
    hit = np.zeros(len(c), dtype=bool)
    hit[order] = _overlaps_any_before(pid[order], ps[order], pe[order])
    keep = np.ones(len(cases), dtype=bool)
    keep[np.flatnonzero(daily)[hit]] = False
    return cases[keep].reset_index(drop=True)


def _overlaps_any_before(p: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """For rows grouped by person in a fixed order: True where a row overlaps any earlier row.

    Earlier rows of a person are not sorted by start, so a row is compared with each earlier row
    of its person: one vectorised step per distance (lag) within the person's block, over the rows
    that have an earlier row at that distance (blocks are small: a person's cases).
    """
    n = len(p)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    first = np.r_[True, p[1:] != p[:-1]]
    block = np.cumsum(first) - 1
    pos = np.arange(n) - np.flatnonzero(first)[block]  # position within the person's block
    by_pos = np.argsort(pos, kind="stable")
    below = np.searchsorted(pos[by_pos], np.arange(int(pos.max()) + 2))
    for lag in range(1, int(pos.max()) + 1):
        j = by_pos[below[lag] :]
        i = j - lag
        out[j] |= (s[i] <= e[j]) & (s[j] <= e[i])
    return out


def disjoint_spells(spells: pd.DataFrame) -> pd.DataFrame:
    """Drop sickness spells that overlap an earlier spell of the same person."""
    hit = overlaps_earlier(spells["pid"].to_numpy(), spells["s"].to_numpy(), spells["e"].to_numpy())
    return spells[~hit].reset_index(drop=True)


def no_tfp_in_sickpay_period(cases: pd.DataFrame, spells: pd.DataFrame) -> pd.DataFrame:
    """Drop TFP days inside the first 14 days of the same employee's sickness (rule 3)."""
    sp = spells[spells["emp_type"] == "employee"]
    cases = cases.reset_index(drop=True)
    t = cases.loc[cases["benefit"] == "TFP", ["pid", "ps", "pe"]].reset_index(names="row")
    m = t.merge(sp[["pid", "s"]], on="pid")
    bad = m.loc[(m["ps"] <= m["s"] + 13) & (m["pe"] >= m["s"]), "row"].to_numpy()
    keep = np.ones(len(cases), dtype=bool)
    keep[bad] = False
    return cases[keep].reset_index(drop=True)


def one_parent_per_child_day(cases: pd.DataFrame) -> pd.DataFrame:
    """Drop TFP, and FP other than double days, that overlap another such case for one child.

    Rule 4 (rules.toml [both_parents]): both parents for one child and day only as double days
    of the double-day benefit (generated separately and marked, within the quota and age limit in
    force: synthetic.parental); the `never` benefits to both parents never.
    """
    rule = load_rules().both_parents
    drop = np.zeros(len(cases), dtype=bool)
    for benefit in (*rule.never, rule.double_day_benefit):
        m = (cases["benefit"].to_numpy() == benefit) & (cases["child"].to_numpy() >= 0)
        m &= ~cases["double_day"].to_numpy(dtype=bool)
        rows = np.flatnonzero(m)
        hit = overlaps_earlier(
            cases["child"].to_numpy()[rows],
            cases["ps"].to_numpy()[rows],
            cases["pe"].to_numpy()[rows],
        )
        drop[rows[hit]] = True
    return cases[~drop].reset_index(drop=True)
