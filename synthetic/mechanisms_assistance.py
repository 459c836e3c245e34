"""Error mechanisms of personal assistance: impossible hours, hours billed but not provided, hours
billed for an assistant on sick pay.

Assistance carries the money of the agency's control investigations (464 of 1,038 MSEK in 2020):
its errors are few (0.3 % of cases) but run for months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.hosts import choose, eligible, weak
from synthetic.state import WorldState
from synthetic.timeaxis import expand_days, month_index


def link_assistants(w: WorldState, extra: pd.DataFrame) -> None:
    """Record the assistants a mechanism adds to a case (`extra`: ass_days rows) in the links, so
    that who works for whom stays known (a correction ends their pay for the case)."""
    new = extra[["case", "aid", "provider", "wage"]].drop_duplicates(["case", "aid"])
    new = new.assign(ci=-1, share=0.0, delivered=0.0)
    w.ass_links = pd.concat([w.ass_links, new[list(w.ass_links.columns)]], ignore_index=True)


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
    cnt = np.where(wk, rng.integers(1, 4, len(mine)), rng.integers(20, 121, len(mine)))
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
    link_assistants(w, extra)
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
    hm = d[on].drop_duplicates().sort_values(["case", "m"], kind="stable")
    weak_of = pd.Series(wk, index=h["case"].to_numpy())
    frac = pd.Series(rng.random(k), index=h["case"].to_numpy()).reindex(hm["case"]).to_numpy()
    months = hm.groupby("case")["m"]
    first = months.transform("min").to_numpy()
    span = months.transform("max").to_numpy() - first
    # from a month in the case's first half on: weak, that month a little over; strong, every
    # month to the case's end (long unprovided hours)
    frm = first + (frac * 0.5 * span).astype("int64")
    mm = hm["m"].to_numpy()
    hm = hm[np.where(weak_of.reindex(hm["case"]).to_numpy(), mm == frm, mm >= frm)]
    factor = np.where(
        weak_of.reindex(hm["case"]).to_numpy(),
        rng.uniform(1.04, 1.1, len(hm)),
        rng.uniform(1.25, 1.6, len(hm)),
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


def ass_assistant_on_sick_pay(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """Hours billed for an assistant on days the assistant was paid full SJP (not delivered).

    The assistant was sick (the SJP case is correct); the provider went on reporting and billing
    the assistant's usual hours, so the ASS case is paid for care nobody gave.
    """
    c = w.cases
    days = w.ass_days
    sjp = c[
        (c["benefit"] == "SJP").to_numpy()
        & (c["extent"] == 1.0).to_numpy()
        & ~c["err"].to_numpy()
        & (c["pe"] >= w.start).to_numpy()
    ]
    links = w.ass_links[["case", "aid", "provider", "wage"]]
    m = links.merge(sjp[["pid", "ps", "pe"]], left_on="aid", right_on="pid")
    m = m.merge(c.loc[c["benefit"] == "ASS", ["case", "ps", "pe"]], on="case", suffixes=("", "_a"))
    m = m.assign(
        lo=np.maximum(m["ps"], np.maximum(m["ps_a"], w.start)), hi=np.minimum(m["pe"], m["pe_a"])
    )
    m = m[m["hi"] - m["lo"] >= 6]
    host = np.flatnonzero(c["case"].isin(m["case"]).to_numpy())
    rows = choose(w, np.intersect1d(eligible(w, "ASS"), host), n, rng)
    k = len(rows)
    if k == 0:
        return 0
    m = m[m["case"].isin(c["case"].to_numpy()[rows])]
    m = m.assign(u=rng.random(len(m))).sort_values(["case", "u"], kind="stable")
    m = m.drop_duplicates("case").reset_index(drop=True)
    wk = pd.Series(weak(w, len(m), rng), index=m["case"].to_numpy())
    # the assistant's usual hours for the client (the grant's share when none were worked)
    usual = days.groupby(["case", "aid"])["hours"].mean()
    h = usual.reindex(pd.MultiIndex.from_frame(m[["case", "aid"]])).to_numpy()
    granted = c.set_index("case")["granted"].reindex(m["case"]).to_numpy()
    h = np.where(np.isnan(h), granted / 7 / 3, h)
    lo = m["lo"].to_numpy()
    hi = np.minimum(
        m["hi"].to_numpy(), lo + np.where(wk.to_numpy(), rng.integers(0, 3, len(m)), 150)
    )
    idx, d = expand_days(lo, hi)
    extra = pd.DataFrame(
        {
            "case": m["case"].to_numpy()[idx],
            "aid": m["aid"].to_numpy()[idx],
            "provider": m["provider"].to_numpy()[idx],
            "wage": m["wage"].to_numpy()[idx],
            "day": d,
            "hours": np.round(h[idx] * rng.uniform(0.9, 1.1, len(idx)) * 4) / 4,
            "billed_factor": 1.0,
        }
    )
    extra = extra[extra["hours"] > 0]
    w.ass_days = pd.concat([days, extra], ignore_index=True)
    per_hour = w.scenario.rules.value("hourly_amount", extra["day"].to_numpy(), "ASS")
    wrong = (extra["hours"] * per_hour).groupby(extra["case"]).sum()
    w.mark_measured(wrong, "ass_assistant_on_sick_pay", rng, wk)
    return len(wrong)
