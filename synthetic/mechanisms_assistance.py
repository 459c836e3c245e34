"""Error mechanisms of personal assistance: impossible hours, hours billed but not provided."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.hosts import choose, eligible, weak
from synthetic.state import WorldState
from synthetic.timeaxis import month_index


def ass_impossible_hours(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """Hours billed for an assistant who already works a long day for another client: > 24 h."""
    days = w.ass_days
    c = w.cases
    rows = choose(w, eligible(w, "ASS", (c["pe"] - c["ps"] >= 60).to_numpy()), n, rng)
    k = len(rows)
    if k == 0 or len(days) == 0:
        return 0
    h = c.iloc[rows]
    q = pd.DataFrame(
        {
            "host": h["case"].to_numpy(),
            "ps": h["ps"].to_numpy(),
            "pe": h["pe"].to_numpy(),
            "weak": weak(w, k, rng),
        }
    )
    long_days = days[days["hours"] >= 6]
    # for each host: one assistant of another client with long days inside the host's period
    spans = long_days.groupby(["case", "aid"], as_index=False, sort=True).agg(
        first=("day", "min"), last=("day", "max")
    )
    m = q.merge(spans, how="cross")
    m = m[(m["case"] != m["host"]) & (m["first"] <= m["pe"]) & (m["last"] >= m["ps"])]
    m = (
        m.assign(u=rng.random(len(m)))
        .sort_values(["host", "u"], kind="stable")
        .drop_duplicates("host")
    )
    # that assistant's long days in the host period get extra (billed) hours on the host
    mine = m[["host", "ps", "pe", "weak", "case", "aid"]].merge(
        long_days[["case", "aid", "day", "hours", "wage"]], on=["case", "aid"]
    )
    mine = mine[(mine["day"] >= mine["ps"]) & (mine["day"] <= mine["pe"])]
    mine = mine.assign(u=rng.random(len(mine))).sort_values(["host", "u"], kind="stable")
    wk = mine["weak"].to_numpy(dtype=bool)
    cnt = np.where(wk, rng.integers(1, 4, len(mine)), rng.integers(5, 31, len(mine)))
    mine = mine[mine.groupby("host").cumcount().to_numpy() < cnt]
    wk = mine["weak"].to_numpy(dtype=bool)
    over = np.where(wk, rng.uniform(0.25, 1.0, len(mine)), rng.uniform(1.0, 6.0, len(mine)))
    provider = days.drop_duplicates("case").set_index("case")["provider"]
    prov = provider.reindex(mine["host"]).to_numpy()
    prov = np.where(pd.isna(prov), provider.reindex(mine["case"]).to_numpy(), prov)
    extra = pd.DataFrame(
        {
            "case": mine["host"].to_numpy(),
            "aid": mine["aid"].to_numpy(),
            "provider": prov.astype("int64"),
            "wage": mine["wage"].to_numpy(),
            "day": mine["day"].to_numpy(),
            "hours": np.round((24 - mine["hours"].to_numpy() + over) * 4) / 4,
            "billed_factor": 1.0,
        }
    )
    if extra.empty:
        return 0
    w.ass_days = pd.concat([days, extra], ignore_index=True)
    per_hour = w.scenario.rules.value("hourly_amount", extra["day"].to_numpy(), "ASS")
    wrong = (extra["hours"] * per_hour).groupby(extra["case"]).sum()
    weak_of = q.set_index("host")["weak"]
    w.mark_measured(wrong, "ass_impossible_hours", rng, weak_of)
    return len(wrong)


def ass_unprovided_hours(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """More hours billed (and paid) than the time reports show, often above the granted hours."""
    days = w.ass_days
    c = w.cases
    rows = choose(w, eligible(w, "ASS", (c["pe"] - c["ps"] >= 90).to_numpy()), n, rng)
    k = len(rows)
    if k == 0:
        return 0
    wk = weak(w, k, rng)
    h = c.iloc[rows]
    m = month_index(days["day"].to_numpy())
    d = pd.DataFrame({"case": days["case"].to_numpy(), "m": m})
    on = d["case"].isin(h["case"]).to_numpy()
    hm = d[on].drop_duplicates()
    hm = hm.assign(u=rng.random(len(hm))).sort_values(["case", "u"], kind="stable")
    weak_of = pd.Series(wk, index=h["case"].to_numpy())
    wk_m = weak_of.reindex(hm["case"]).to_numpy()
    nmon = np.where(wk_m, 1, rng.integers(2, 7, len(hm)))
    hm = hm[hm.groupby("case").cumcount().to_numpy() < nmon]
    factor = np.where(
        weak_of.reindex(hm["case"]).to_numpy(),
        rng.uniform(1.04, 1.1, len(hm)),
        rng.uniform(1.15, 1.5, len(hm)),
    )
    f = pd.Series(factor, index=pd.MultiIndex.from_frame(hm[["case", "m"]]))
    key = pd.MultiIndex.from_arrays([d["case"].to_numpy(), m])
    bf = f.reindex(key).fillna(1.0).to_numpy()
    w.ass_days = days.assign(billed_factor=days["billed_factor"].to_numpy() * bf)
    per_hour = w.scenario.rules.value("hourly_amount", days["day"].to_numpy(), "ASS")
    extra_h = pd.Series(days["hours"].to_numpy() * (bf - 1)).groupby(days["case"].to_numpy()).sum()
    extra_sek = pd.Series(days["hours"].to_numpy() * (bf - 1) * per_hour)
    wrong = extra_sek.groupby(days["case"].to_numpy()).sum()[extra_h > 0]
    w.mark_measured(wrong, "ass_unprovided_hours", rng, weak_of)
    return len(wrong)
