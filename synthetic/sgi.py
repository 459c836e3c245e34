"""SGI decisions: decided around sickness and parental cases, plus yearly revisions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.casebook import growth
from synthetic.scenario import Scenario
from synthetic.streams import stream

BASIS = {"employee": "employment", "self_employed": "self_employed", "unemployed": "employment"}


def sgi_decisions(
    cases: pd.DataFrame, persons: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """One decision per SJP case, long FP case and some TFP cases, plus revisions; consistent with pay."""
    rng = stream(seed, "sgi")
    info = persons.set_index("pid")
    c = cases
    long_fp = (c["benefit"] == "FP") & ~c["double_day"] & (c["pe"] - c["ps"] >= 20)
    some_tfp = (c["benefit"] == "TFP") & (rng.random(len(c)) < 0.08)
    forced = c["sgi_hours"].notna() & c["benefit"].isin(["SJP", "FP", "TFP"])
    sel = ((c["benefit"] == "SJP") | long_fp | some_tfp | forced) & (c["sgi"] > 0)
    d = c[sel]
    n = len(d)
    hours = d["sgi_hours"].to_numpy()
    hours = np.where(np.isnan(hours), info["hours"].reindex(d["pid"]).to_numpy(), hours)
    dec = np.clip(d["opened"].to_numpy() + rng.integers(-3, 12, n), d["event"].to_numpy(), None)
    from_cases = pd.DataFrame(
        {
            "pid": d["pid"].to_numpy(),
            "decided": dec,
            "valid_from": d["event"].to_numpy(),
            "sgi": np.round(d["sgi"].to_numpy(), -2),
            "hours": hours,
            "status": info["status"].reindex(d["pid"]).to_numpy(),
        }
    )
    # yearly revisions for a share of persons with an income
    p = persons[(persons["sgi"] > 0) & (rng.random(len(persons)) < 0.25)]
    m = len(p)
    when = rng.integers(start, end, m)
    rev = pd.DataFrame(
        {
            "pid": p["pid"].to_numpy(),
            "decided": when,
            "valid_from": when - rng.integers(0, 30, m),
            "sgi": np.round(p["sgi"].to_numpy() * growth(when, start, sc.amounts), -2),
            "hours": p["hours"].to_numpy(),
            "status": p["status"].to_numpy(),
        }
    )
    out = pd.concat([from_cases, rev], ignore_index=True)
    # a decision states the SGI up to the cap in force (10 price base amounts of its year; the
    # lower SJP cap applies when the sickness benefit is computed)
    cap = sc.rules.max_sgi("FP", out["valid_from"].to_numpy())
    out["sgi"] = np.fmin(out["sgi"].to_numpy(), np.round(cap, -2))
    out = out[(out["decided"] >= start) & (out["decided"] <= end)]
    out = out.sort_values(["pid", "decided", "sgi"], kind="stable").drop_duplicates(
        ["pid", "decided"], keep="last"
    )
    basis = out["status"].map(BASIS).fillna("employment").to_numpy().astype(object)
    basis[rng.random(len(out)) < 0.06] = "mixed"
    out = out.assign(basis=basis).reset_index(drop=True)
    out["sgi_id"] = np.arange(1, len(out) + 1)
    return out
