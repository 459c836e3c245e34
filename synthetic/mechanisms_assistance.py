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
    wk = weak(w, k, rng)
    h = c.iloc[rows]
    long_days = days[days["hours"] >= 6]
    # for each host: an assistant-day of another client inside the host's paid period
    q = pd.DataFrame(
        {
            "host": h["case"].to_numpy(),
            "ps": h["ps"].to_numpy(),
            "pe": h["pe"].to_numpy(),
            "weak": wk,
        }
    )
    pick = long_days.sample(
        n=min(len(long_days), 400 * k), random_state=np.random.RandomState(rng.integers(2**31))
    )
    m = q.merge(pick[["case", "aid", "day", "hours"]], how="cross")
    m = m[(m["case"] != m["host"]) & (m["day"] >= m["ps"]) & (m["day"] <= m["pe"])]
    first = m.drop_duplicates("host")
    first = first.set_index("host")
    # that assistant's working days in the host period get extra (billed) hours on the host
    extra_rows = []
    for host, r in first.iterrows():
        mine = days[
            (days["aid"] == r["aid"])
            & (days["case"] == r["case"])
            & (days["day"] >= r["ps"])
            & (days["day"] <= r["pe"])
            & (days["hours"] >= 6)
        ]
        cnt = int(rng.integers(1, 4)) if r["weak"] else int(rng.integers(5, 31))
        mine = mine.iloc[rng.permutation(len(mine))[:cnt]]
        over = rng.uniform(0.25, 1.0, len(mine)) if r["weak"] else rng.uniform(1.0, 6.0, len(mine))
        add = np.round((24 - mine["hours"].to_numpy() + over) * 4) / 4
        prov = days.loc[days["case"] == host, "provider"]
        extra_rows.append(
            pd.DataFrame(
                {
                    "case": host,
                    "aid": r["aid"],
                    "provider": prov.iloc[0] if len(prov) else mine["provider"].iloc[0],
                    "wage": mine["wage"].to_numpy(),
                    "day": mine["day"].to_numpy(),
                    "hours": add,
                    "billed_factor": 1.0,
                }
            )
        )
    if not extra_rows:
        return 0
    extra = pd.concat(extra_rows, ignore_index=True)
    w.ass_days = pd.concat([days, extra], ignore_index=True)
    wrong = extra.groupby("case")["hours"].sum() * w.scenario.amounts.ass_hourly_sek
    weak_of = pd.Series(wk, index=h["case"].to_numpy())
    w.mark(
        wrong.index.to_numpy(),
        "ass_impossible_hours",
        rng,
        "fixed",
        weak_of.reindex(wrong.index).to_numpy(),
        wrong=np.round(wrong.to_numpy()),
    )
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
    extra_h = pd.Series(days["hours"].to_numpy() * (bf - 1)).groupby(days["case"].to_numpy()).sum()
    wrong = extra_h[extra_h > 0] * w.scenario.amounts.ass_hourly_sek
    w.mark(
        wrong.index.to_numpy(),
        "ass_unprovided_hours",
        rng,
        "fixed",
        weak_of.reindex(wrong.index).to_numpy(),
        wrong=np.round(wrong.to_numpy()),
    )
    return len(wrong)
