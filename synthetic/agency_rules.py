"""The agency's simple targeted-control rules (domain brief), evaluated on the internal world.

Each rule flags cases from what the agency's tables show, with the first day the flag could be
seen. The historical control policy investigates a share of the flags; the calibration table
reports what share of all errors each rule alone would catch and how often a flag is an error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.timeaxis import NA_DAY, month_index, years_between

RULES: tuple[str, ...] = (
    "kar_on_sjp_day",
    "tfp_in_sickpay_period",
    "fp_beside_aks",
    "sgi_low_hours",
    "aks_work_vs_income",
    "ass_over_24h",
)
# checks of the contract's coordination rules: in the calibration table, not in the control policy
CHECKS: tuple[str, ...] = ("paid_before_insured_from", "paid_past_age_limit", "tfp_both_parents")
# hit rates the agency reported for rules built on these patterns (domain brief); None: none given
AGENCY_HIT_RATE: dict[str, float | None] = {
    "kar_on_sjp_day": None,
    "tfp_in_sickpay_period": 1.0,
    "fp_beside_aks": 0.77,
    "sgi_low_hours": 0.36,
    "aks_work_vs_income": 0.36,
    "ass_over_24h": None,
    "paid_before_insured_from": None,
    "paid_past_age_limit": None,
    "tfp_both_parents": None,
}


def _pairs(cases: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """All (case of benefit a, case of benefit b) pairs of one person (suffixes _a, _b)."""
    ca = cases.loc[
        cases["benefit"] == a, ["case", "pid", "event", "opened", "ps", "pe", "emp_type", "extent"]
    ]
    cb = cases.loc[
        cases["benefit"] == b, ["case", "pid", "event", "opened", "ps", "pe", "emp_type", "extent"]
    ]
    return ca.merge(cb, on="pid", suffixes=("_a", "_b"))


def _flags(case: np.ndarray, seen: np.ndarray, rule: str) -> pd.DataFrame:
    f = pd.DataFrame(
        {"case": np.asarray(case, dtype="int64"), "seen": np.asarray(seen, dtype="int64")}
    )
    f = f.groupby("case", as_index=False, sort=True)["seen"].min()
    return f.assign(rule=rule)


def rule_flags(
    cases: pd.DataFrame,
    sgi: pd.DataFrame,
    income: pd.DataFrame,
    activity: pd.DataFrame,
    time_reports: pd.DataFrame,
    payments: pd.DataFrame,
) -> pd.DataFrame:
    """One row per flagged (case, rule): the case, the rule and the day the flag became visible."""
    first_paid = payments.groupby("case")["paid"].min()
    out = []
    # KAR for a day already paid as SJP: the SJP case is in error
    p = _pairs(cases, "SJP", "KAR")
    p = p[(p["ps_b"] >= p["ps_a"]) & (p["ps_b"] <= p["pe_a"])]
    seen = np.maximum(
        first_paid.reindex(p["case_b"]).fillna(1e9).to_numpy(), p["opened_a"].to_numpy()
    )
    out.append(_flags(p["case_a"], seen, "kar_on_sjp_day"))
    # TFP inside days 1-14 of the same person's SJP as an employee
    p = _pairs(cases, "TFP", "SJP")
    p = p[
        (p["emp_type_b"] == "employee")
        & (p["ps_a"] <= p["event_b"] + 13)
        & (p["pe_a"] >= p["event_b"])
    ]
    out.append(
        _flags(p["case_a"], np.maximum(p["opened_a"], p["opened_b"]), "tfp_in_sickpay_period")
    )
    # FP for days also paid as AKS
    p = _pairs(cases, "FP", "AKS")
    p = p[(p["ps_a"] <= p["pe_b"]) & (p["pe_a"] >= p["ps_b"])]
    out.append(_flags(p["case_a"], np.maximum(p["opened_a"], p["opened_b"]), "fp_beside_aks"))
    # SGI >= 100,000 SEK with a yearly working time <= 365 hours: the person's cases after it
    low = sgi[(sgi["sgi"] >= 100_000) & (sgi["hours"] <= 365)]
    c = cases.loc[cases["benefit"].isin(["SJP", "FP", "TFP"]), ["case", "pid", "opened", "pe"]]
    p = c.merge(low[["pid", "decided", "valid_from"]], on="pid")
    p = p[p["pe"] >= p["valid_from"]]
    out.append(_flags(p["case"], np.maximum(p["opened"], p["decided"]), "sgi_low_hours"))
    # AKS months with employer-reported pay but no declared work (or far less than the pay)
    inc = income.assign(m=month_index(income["month"].to_numpy()))
    inc = inc.groupby(["pid", "m"], as_index=False).agg(
        pay=("pay", "sum"), reported=("reported", "min")
    )
    a = activity.assign(m=month_index(activity["month"].to_numpy()))
    p = a.merge(inc, on=["pid", "m"])
    p = p[p["pay"] > 1.5 * 200 * p["declared_work_hours"] + 1000]
    out.append(_flags(p["case"], np.maximum(p["submitted"], p["reported"]), "aks_work_vs_income"))
    # an assistant reporting more than 24 hours on one day, across clients: flag every client case
    r = time_reports
    tot = r.groupby(["aid", "day"])["hours"].transform("sum")
    over = r[tot.to_numpy() > 24]
    out.append(_flags(over["case"], over["submitted"], "ass_over_24h"))
    return pd.concat(out, ignore_index=True)


def check_flags(cases: pd.DataFrame, persons: pd.DataFrame, children: pd.DataFrame) -> pd.DataFrame:
    """Cases breaking a coordination rule of the contract: coverage, age limits, both parents TFP."""
    out = []
    info = persons.set_index("pid")
    ins = info["insured_from"].reindex(cases["pid"]).to_numpy()
    before = (ins != NA_DAY) & (cases["ps"].to_numpy() < ins)
    out.append(_flags(cases["case"][before], cases["opened"][before], "paid_before_insured_from"))
    births = children.drop_duplicates("child").set_index("child")["child_birth"]
    kid = cases["benefit"].isin(["FP", "TFP"]).to_numpy() & (cases["child"].to_numpy() >= 0)
    cb = births.reindex(cases["child"]).to_numpy(dtype="float64", na_value=np.nan)
    old = kid & (cases["pe"].to_numpy() >= np.nan_to_num(cb, nan=1e12) + 12 * 365.25)
    age = years_between(info["birth"].reindex(cases["pid"]).to_numpy(), cases["pe"].to_numpy())
    b = cases["benefit"].to_numpy()
    old |= ((b == "SE") & (age >= 65)) | ((b == "AE") & (age >= 30))
    out.append(_flags(cases["case"][old], cases["opened"][old], "paid_past_age_limit"))
    t = cases.loc[
        (cases["benefit"] == "TFP") & (cases["child"] >= 0),
        ["case", "pid", "child", "ps", "pe", "opened"],
    ]
    m = t.merge(t, on="child", suffixes=("_a", "_b"))
    both = (m["pid_a"] != m["pid_b"]) & (m["ps_a"] <= m["pe_b"]) & (m["ps_b"] <= m["pe_a"])
    m = m[both]
    out.append(_flags(m["case_a"], np.maximum(m["opened_a"], m["opened_b"]), "tfp_both_parents"))
    return pd.concat(out, ignore_index=True)


def rule_matrix(cases: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Boolean frame: one row per case (in `cases` order), one column per rule or check."""
    m = pd.DataFrame(index=pd.Index(cases["case"].to_numpy(), name="case"))
    for rule in RULES + CHECKS:
        m[rule] = m.index.isin(flags.loc[flags["rule"] == rule, "case"])
    return m
