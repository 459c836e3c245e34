"""Parental benefits: FP blocks (with legitimate double days) and TFP episodes (VAB)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.casebook import daily_amount, growth, new_cases
from synthetic.scenario import Scenario
from synthetic.sickness import seasonal_days
from synthetic.streams import stream
from synthetic.timeaxis import NA_DAY, add_years, month_of_year

FP_EXTENTS = np.array([1.0, 0.75, 0.5, 0.25, 0.125])
TFP_EXTENTS = np.array([1.0, 0.5, 0.25, 0.125])


def parent_pairs(children: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """One row per child: the first parent (the mother where known), the other (or -1), birth."""
    sex = persons.set_index("pid")["sex"]
    c = children.assign(female=sex.reindex(children["parent"]).to_numpy() == "F")
    c = c.sort_values(["child", "female", "parent"], ascending=[True, False, True], kind="stable")
    first = c.groupby("child", sort=False).head(1)
    other = c[~c.index.isin(first.index)].groupby("child", sort=False).head(1)
    out = first[["child", "parent", "child_birth"]].rename(columns={"parent": "p1"})
    out = out.merge(
        other[["child", "parent"]].rename(columns={"parent": "p2"}), on="child", how="left"
    )
    out["p2"] = out["p2"].fillna(-1).astype("int64")
    return out.reset_index(drop=True)


def _fp_frame(pid, child, s, e, extent, persons, start, end, sc, rng, double=False) -> pd.DataFrame:
    am = sc.amounts
    info = persons.set_index("pid")
    sg = info["sgi"].reindex(pid).to_numpy() * growth(s, start, am)
    n = len(pid)
    opened = s - rng.integers(0, 40, n)
    closed = e + rng.integers(2, 30, n)
    return new_cases(
        n,
        pid=pid,
        benefit="FP",
        event=s,
        opened=opened,
        closed=np.where(closed > end, NA_DAY, closed),
        child=child,
        emp_type=info["status"].reindex(pid).to_numpy(),
        ps=s,
        pe=e,
        extent=extent,
        sgi=sg,
        daily=daily_amount("FP", sg, np.minimum(s, end), sc.rules),  # later: dropped
        double_day=double,
    )


def _double_days_max(days: np.ndarray, sc: Scenario) -> np.ndarray:
    """Most double days allowed for a block starting on each day (at least 5: a block's least)."""
    limit = sc.rules.value("double_days_max", days, "FP")
    return np.maximum(np.nan_to_num(limit, nan=5.0), 5).astype("int64")


def fp_cases(
    pairs: pd.DataFrame, persons: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """FP: a long block for the first parent after birth, a later one for the other, summer blocks."""
    rng = stream(seed, "fp")
    b = sc.benefits
    cb = pairs["child_birth"].to_numpy()
    young = (cb >= start - 450) & (cb <= end)
    y = pairs[young]
    n = len(y)
    yb = y["child_birth"].to_numpy()
    s1 = yb + rng.integers(0, 15, n)
    e1 = s1 + rng.integers(180, 331, n)
    ext1 = FP_EXTENTS[rng.choice(5, n, p=[0.82, 0.08, 0.1, 0.0, 0.0])]
    frames = [
        _fp_frame(
            y["p1"].to_numpy(), y["child"].to_numpy(), s1, e1, ext1, persons, start, end, sc, rng
        )
    ]
    two = y["p2"].to_numpy() >= 0
    y2 = y[two]
    m = len(y2)
    s2 = np.maximum(y2["child_birth"].to_numpy() + rng.integers(270, 480, m), e1[two] + 1)
    e2 = s2 + rng.integers(40, 131, m)
    ext2 = FP_EXTENTS[rng.choice(5, m, p=[0.75, 0.05, 0.2, 0.0, 0.0])]
    frames.append(
        _fp_frame(
            y2["p2"].to_numpy(), y2["child"].to_numpy(), s2, e2, ext2, persons, start, end, sc, rng
        )
    )
    # legitimate double days: both parents in the first weeks, within the limits in force (30 days
    # in the child's first year before 2024-07-01, 60 days before 15 months from then)
    dd = rng.random(m) < b.double_days_share
    y3 = y2[dd]
    k = len(y3)
    s3 = y3["child_birth"].to_numpy() + rng.integers(0, 20, k)
    e3 = s3 + rng.integers(4, _double_days_max(s3, sc), k)
    frames.append(
        _fp_frame(
            y3["p2"].to_numpy(),
            y3["child"].to_numpy(),
            s3,
            e3,
            np.ones(k),
            persons,
            start,
            end,
            sc,
            rng,
            True,
        )
    )
    # older children (1-11): occasional blocks, mostly in summer
    long_ = pd.concat(
        [
            pairs[["child", "p1", "child_birth"]].rename(columns={"p1": "parent"}),
            pairs.loc[pairs["p2"] >= 0, ["child", "p2", "child_birth"]].rename(
                columns={"p2": "parent"}
            ),
        ],
        ignore_index=True,
    )
    cbl = long_["child_birth"].to_numpy()
    lo = np.maximum(start, cbl + 400)
    hi = np.minimum(end - 30, add_years(cbl, 12) - 40)
    ok = hi > lo
    long_, lo, hi = long_[ok], lo[ok], hi[ok]
    cnt = rng.poisson(b.fp_older_child_block_share * (hi - lo) / 365.25)
    idx = np.repeat(np.arange(len(long_)), cnt)
    lo_i, hi_i = lo[idx], hi[idx]
    s4 = lo_i + (rng.random(len(idx)) * (hi_i - lo_i)).astype("int64")
    summer = rng.random(len(idx)) < 0.5
    s4_summer = s4 - (month_of_year(s4) - 7) * 30
    s4 = np.where(summer, np.clip(s4_summer, lo_i, hi_i), s4)
    e4 = s4 + rng.integers(4, 26, len(idx))
    ext4 = FP_EXTENTS[rng.choice(5, len(idx), p=[0.7, 0.05, 0.12, 0.08, 0.05])]
    frames.append(
        _fp_frame(
            long_["parent"].to_numpy()[idx],
            long_["child"].to_numpy()[idx],
            s4,
            e4,
            ext4,
            persons,
            start,
            end,
            sc,
            rng,
        )
    )
    out = pd.concat(frames, ignore_index=True)
    return out[(out["pe"] >= start) & (out["ps"] <= end)].reset_index(drop=True)


def tfp_cases(
    pairs: pd.DataFrame, persons: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """TFP episodes for children 8 months to 11 years with a working parent; winter peaks."""
    rng = stream(seed, "tfp")
    b = sc.benefits
    am = sc.amounts
    status = persons.set_index("pid")["status"]
    working = lambda p: np.isin(status.reindex(p).to_numpy(), ["employee", "self_employed"])  # noqa: E731
    p1, p2 = pairs["p1"].to_numpy(), pairs["p2"].to_numpy()
    w1 = working(p1)
    w2 = (p2 >= 0) & working(np.where(p2 >= 0, p2, 0))
    cb = pairs["child_birth"].to_numpy()
    lo = np.maximum(start, cb + 240)
    hi = np.minimum(end, add_years(cb, 12) - 8)
    ok = (hi > lo) & (w1 | w2)
    idx0 = np.flatnonzero(ok)
    frailty = rng.gamma(1.2, 1 / 1.2, len(idx0))
    agefac = np.where((lo[idx0] - cb[idx0]) < 4 * 365, 1.5, 1.0)
    cnt = rng.poisson(
        b.tfp_episodes_per_child_year * frailty * agefac * (hi[idx0] - lo[idx0]) / 365.25
    )
    idx = np.repeat(idx0, cnt)
    s = seasonal_days(rng, lo[idx], hi[idx], b.tfp_winter_factor)
    length = np.array([1, 2, 3, 4, 5, 6, 7])[
        rng.choice(7, len(idx), p=[0.42, 0.25, 0.15, 0.08, 0.05, 0.03, 0.02])
    ]
    e = s + length - 1
    pick_first = np.where(w1[idx] & w2[idx], rng.random(len(idx)) < 0.62, w1[idx])
    pid = np.where(pick_first, p1[idx], p2[idx])
    n = len(idx)
    sg = persons.set_index("pid")["sgi"].reindex(pid).to_numpy() * growth(s, start, am)
    opened = e + rng.integers(0, 31, n)
    closed = opened + rng.integers(1, 20, n)
    out = new_cases(
        n,
        pid=pid,
        benefit="TFP",
        event=s,
        opened=opened,
        closed=np.where(closed > end, NA_DAY, closed),
        child=pairs["child"].to_numpy()[idx],
        emp_type=status.reindex(pid).to_numpy(),
        ps=s,
        pe=np.minimum(e, end),
        extent=TFP_EXTENTS[rng.choice(4, n, p=[0.85, 0.08, 0.04, 0.03])],
        sgi=sg,
        daily=daily_amount("TFP", sg, s, sc.rules),
    )
    return out[out["daily"] > 0].reset_index(drop=True)
