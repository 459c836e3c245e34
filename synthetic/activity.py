"""AKS (activity support) cases for the unemployed, their months, self-declarations and pay."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.casebook import daily_amount, new_cases
from synthetic.scenario import Scenario
from synthetic.streams import stream
from synthetic.timeaxis import (
    NA_DAY,
    month_first,
    month_last,
    split_by_month,
    weekdays_between,
)


def aks_cases(persons: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int) -> pd.DataFrame:
    """One or two programme periods for most unemployed persons."""
    rng = stream(seed, "aks")
    st = persons["status"].to_numpy()
    un = np.flatnonzero(
        (st == "unemployed") & (rng.random(len(st)) < sc.benefits.aks_share_of_unemployed)
    )
    k = np.where(rng.random(len(un)) < 0.25, 2, 1)
    who = np.repeat(un, k)
    n = len(who)
    s = rng.integers(start - 400, end - 20, n)
    e = s + rng.integers(60, 600, n)
    pid = persons["pid"].to_numpy()[who]
    sg = persons["sgi"].to_numpy()[who]
    opened = s - rng.integers(0, 20, n)
    closed = e + rng.integers(5, 30, n)
    out = new_cases(
        n,
        pid=pid,
        benefit="AKS",
        event=s,
        opened=opened,
        closed=np.where(closed > end, NA_DAY, closed),
        emp_type="unemployed",
        ps=np.maximum(s, start),
        pe=np.minimum(e, end),
        extent=np.where(rng.random(n) < 0.85, 1.0, 0.5),
        sgi=sg,
        daily=daily_amount("AKS", sg, np.maximum(s, start), sc.rules),
    )
    return out[out["ps"] <= out["pe"]].reset_index(drop=True)


def aks_months(
    cases: pd.DataFrame, employers: pd.DataFrame, sc: Scenario, seed: int
) -> pd.DataFrame:
    """Case-months of AKS: programme days, absence, declared work (and its employer and pay)."""
    rng = stream(seed, "aks_months")
    c = cases[cases["benefit"] == "AKS"]
    idx, cs, ce, m = split_by_month(c["ps"].to_numpy(), c["pe"].to_numpy())
    n = len(idx)
    prog = weekdays_between(cs, ce)
    absence = np.minimum(rng.poisson(0.7, n), prog)
    work = rng.random(n) < sc.benefits.aks_declared_work_share
    hours = np.where(work, np.round(rng.uniform(8, 60, n)), 0.0)
    normal = employers.loc[employers["kind"] == "normal", "eid"].to_numpy()
    months = pd.DataFrame(
        {
            "case": c["case"].to_numpy()[idx],
            "pid": c["pid"].to_numpy()[idx],
            "cs": cs,
            "ce": ce,
            "month": m,
            "prog": prog,
            "declared_absence": absence,
            "actual_absence": absence,
            "declared_hours": hours,
            "work_pay": np.round(hours * rng.uniform(140, 200, n), -1),
            "work_eid": np.where(work, normal[rng.integers(0, len(normal), n)], -1),
            "daily": c["daily"].to_numpy()[idx],
            "extent": c["extent"].to_numpy()[idx],
            "submitted": month_last(m) + rng.integers(1, 13, n),
        }
    )
    return months[months["prog"] > 0].reset_index(drop=True)


def aks_payment_rows(months: pd.DataFrame) -> pd.DataFrame:
    """Monthly AKS payments: programme days less declared absence and declared work."""
    paid_days = np.maximum(
        months["prog"] - months["declared_absence"] - months["declared_hours"] / 8, 0
    )
    amount = np.round(paid_days * months["daily"] * months["extent"])
    return pd.DataFrame(
        {
            "case": months["case"],
            "ps": months["cs"],
            "pe": months["ce"],
            "extent": months["extent"],
            "hours": np.nan,
            "amount": amount,
            "not_before": months["submitted"],
        }
    )


def activity_reports(months: pd.DataFrame) -> pd.DataFrame:
    """The self-declarations as the contract table wants them (internal keys)."""
    return pd.DataFrame(
        {
            "pid": months["pid"],
            "case": months["case"],
            "month": month_first(months["month"].to_numpy()),
            "declared_absence_days": months["declared_absence"].astype("int64"),
            "declared_work_hours": months["declared_hours"],
            "submitted": months["submitted"],
        }
    )
