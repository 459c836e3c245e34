"""Long-term benefits: SE (sjukersättning, 30-64) and AE (aktivitetsersättning, 19-29)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.casebook import daily_amount, new_cases
from synthetic.scenario import Scenario
from synthetic.streams import stream
from synthetic.timeaxis import (
    NA_DAY,
    add_years,
    month_first,
    month_index,
    month_last,
    split_by_month,
    years_between,
)

EXTENTS = np.array([1.0, 0.75, 0.5, 0.25])


def longterm_cases(
    persons: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """SE and AE cases, most granted years before the world starts and still running."""
    rng = stream(seed, "longterm")
    b = sc.benefits
    birth = persons["birth"].to_numpy()
    n = len(birth)
    age = years_between(birth, np.full(n, (start + end) // 2))
    u = rng.random(n)
    frames = []
    for benefit, lo_age, hi_age, prev in (
        ("SE", 30, 65, b.se_prevalence_30_64),
        ("AE", 19, 30, b.ae_prevalence_19_29),
    ):
        who = np.flatnonzero((age >= lo_age) & (age < hi_age) & (u < prev))
        u[who] = 2.0  # one long-term benefit per person
        bw = birth[who]
        first_ok = add_years(bw, lo_age)
        if benefit == "AE":
            first_ok = month_first(month_index(first_ok))
            last_ok = month_first(month_index(add_years(bw, hi_age))) - 1
        else:
            last_ok = add_years(bw, hi_age) - 1
        lo = np.maximum(first_ok, start - 12 * 365)
        ev = lo + (rng.random(len(who)) ** 0.7 * (end - 60 - lo)).astype("int64")
        ps = np.maximum(ev + 90, start)
        pe = np.minimum(last_ok, end)
        ok = ps <= pe
        who, ev, ps, pe, last_ok = who[ok], ev[ok], ps[ok], pe[ok], last_ok[ok]
        k = len(who)
        sg = persons["sgi"].to_numpy()[who]
        closed = np.where(last_ok <= end, last_ok, NA_DAY)
        frames.append(
            new_cases(
                k,
                pid=persons["pid"].to_numpy()[who],
                benefit=benefit,
                event=ev,
                opened=ev + rng.integers(20, 80, k),
                closed=closed,
                ps=ps,
                pe=pe,
                extent=EXTENTS[rng.choice(4, k, p=[0.65, 0.1, 0.15, 0.1])],
                sgi=sg,
                daily=daily_amount(benefit, sg, ps, sc.rules),
            )
        )
    return pd.concat(frames, ignore_index=True)


def longterm_payment_rows(cases: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Monthly SE/AE payments, pro rata for part months."""
    rng = stream(seed, "longterm_pay")
    c = cases[cases["benefit"].isin(["SE", "AE"])]
    idx, cs, ce, m = split_by_month(c["ps"].to_numpy(), c["pe"].to_numpy())
    dim = month_last(m) - month_first(m) + 1
    monthly = (
        c["daily"].to_numpy()[idx]
        * c["extent"].to_numpy()[idx]
        * c["amount_factor"].to_numpy()[idx]
    )
    return pd.DataFrame(
        {
            "case": c["case"].to_numpy()[idx],
            "ps": cs,
            "pe": ce,
            "extent": c["extent"].to_numpy()[idx],
            "hours": np.nan,
            "amount": np.round(monthly * (ce - cs + 1) / dim),
            "not_before": ce + rng.integers(0, 4, len(idx)),
        }
    )
