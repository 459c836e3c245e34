"""Each injected error mechanism leaves the trace in the contract tables that features can see."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from synthetic.mechanisms_coordination import AKS_RULE
from synthetic.scenario import MECHANISMS, load_scenario

DAY = pd.Timedelta(days=1)
# the first day AKS may not be paid beside SJP, SE or AE (benefit_rules.toml)
AKS_RULE_FROM = pd.Timestamp(load_scenario().rules.entries(AKS_RULE, "AKS")[0].valid_from)


def _days(pay: pd.DataFrame) -> pd.DataFrame:
    """One row per payment and day paid for."""
    n = ((pay["period_end"] - pay["period_start"]) / DAY).astype("int64").to_numpy() + 1
    idx = np.repeat(np.arange(len(pay)), n)
    off = np.arange(len(idx)) - np.repeat(np.cumsum(n) - n, n)
    out = pay.iloc[idx].reset_index(drop=True)
    out["day"] = out["period_start"] + pd.to_timedelta(off, unit="D")
    return out


def _overlaps(a: pd.DataFrame, b: pd.DataFrame, on: str = "person_id") -> pd.DataFrame:
    """Pairs of payments (suffix _a, _b) sharing `on` whose periods overlap."""
    m = a.merge(b, on=on, suffixes=("_a", "_b"))
    return m[
        (m["period_start_a"] <= m["period_end_b"]) & (m["period_start_b"] <= m["period_end_a"])
    ]


def _pay(world, case_ids) -> pd.DataFrame:
    p = world["payments"]
    return p[p["case_id"].isin(set(case_ids)) & (p["amount_sek"] > 0)]


def kar_on_sjp_day(world, cases):
    sjp = _pay(world, cases["case_id"])
    kar = world["payments"][world["payments"]["benefit"] == "KAR"]
    return set(_overlaps(sjp, kar)["case_id_a"])


def kar_repeated(world, cases):
    """The person claims KAR again and again: three or more claims within a year."""
    c = world["cases"]
    kar = c[c["benefit"] == "KAR"].sort_values(["person_id", "insured_event_date"])
    third = kar.groupby("person_id")["insured_event_date"].shift(-2)
    many = kar.loc[(third - kar["insured_event_date"]).dt.days <= 365, "person_id"]
    return set(cases.loc[cases["person_id"].isin(many), "case_id"])


def tfp_in_sickpay_period(world, cases):
    c = world["cases"]
    sick = c[(c["benefit"] == "SJP") & (c["employment_type"] == "employee")]
    tfp = _pay(world, cases["case_id"])
    m = tfp.merge(sick[["person_id", "insured_event_date"]], on="person_id")
    inside = (m["period_start"] <= m["insured_event_date"] + 13 * DAY) & (
        m["period_end"] >= m["insured_event_date"]
    )
    return set(m.loc[inside, "case_id"])


def fp_beside_aks(world, cases):
    aks = world["payments"][world["payments"]["benefit"] == "AKS"]
    return set(_overlaps(_pay(world, cases["case_id"]), aks)["case_id_a"])


def sgi_hours_as_days(world, cases):
    s = world["sgi_decisions"]
    low = s[(s["annual_work_hours"] <= 365) & (s["annual_sgi_sek"] >= 100_000)]
    return set(cases.loc[cases["person_id"].isin(low["person_id"]), "case_id"])


def inflated_sgi_shell(world, cases):
    """Pay from an employer that first reported the person shortly before the insured event."""
    inc = world["income_reports"]
    first = inc.groupby(["person_id", "employer_id"], as_index=False)["month"].min()
    m = cases.merge(first, on="person_id")
    recent = (m["month"] <= m["insured_event_date"]) & (
        m["month"] >= m["insured_event_date"] - 200 * DAY
    )
    return set(m.loc[recent, "case_id"])


def pay_while_full_benefit(world, cases):
    """A month paid in full (20+ days at extent 1.0) with employer pay reported for it."""
    d = _days(_pay(world, cases["case_id"]))
    d = d[d["extent"] == 1.0]
    d["month"] = d["day"].dt.to_period("M").dt.to_timestamp()
    full = d.groupby(["case_id", "person_id", "month"], as_index=False).size()
    full = full[full["size"] >= 20]
    inc = world["income_reports"].assign(
        month=lambda x: x["month"].dt.to_period("M").dt.to_timestamp()
    )
    pay = inc.groupby(["person_id", "month"], as_index=False)["gross_pay_sek"].sum()
    m = full.merge(pay, on=["person_id", "month"])
    return set(m.loc[m["gross_pay_sek"] > 1500, "case_id"])


def aks_undeclared_work(world, cases):
    a = world["activity_reports"]
    a = a[a["case_id"].isin(cases["case_id"]) & (a["declared_work_hours"] == 0)]
    inc = world["income_reports"]
    m = a.merge(inc, on=["person_id", "month"])
    return set(m.loc[m["gross_pay_sek"] > 0, "case_id"])


def aks_absence_wrong(world, cases):
    """Declared no absence in a month, and (where there is a child) TFP paid on programme days."""
    a = world["activity_reports"]
    zero = set(
        a.loc[a["case_id"].isin(cases["case_id"]) & (a["declared_absence_days"] == 0), "case_id"]
    )
    return zero


def ass_impossible_hours(world, cases):
    r = world["work_time_reports"]
    tot = r.groupby(["assistant_id", "work_date"])["hours"].transform("sum")
    return set(r.loc[(tot > 24) & r["client_case_id"].isin(cases["case_id"]), "client_case_id"])


def ass_unprovided_hours(world, cases):
    """More hours paid in a month than the time reports of the month show."""
    r = world["work_time_reports"]
    r = r[r["client_case_id"].isin(cases["case_id"])]
    rep = r.groupby(["client_case_id", r["work_date"].dt.to_period("M")])["hours"].sum()
    p = _pay(world, cases["case_id"])
    paid = p.groupby(["case_id", p["period_start"].dt.to_period("M")])["hours"].sum()
    ratio = (paid / rep.rename_axis(paid.index.names)).dropna()
    return set(ratio[ratio > 1.03].index.get_level_values(0))


def tfp_both_parents(world, cases):
    tfp = world["payments"][world["payments"]["benefit"] == "TFP"]
    c = world["cases"][["case_id", "child_id"]]
    mine = _pay(world, cases["case_id"]).merge(c, on="case_id")
    other = tfp.merge(c, on="case_id")
    m = _overlaps(mine, other, on="child_id")
    return set(m.loc[m["person_id_a"] != m["person_id_b"], "case_id_a"])


def age_rule_break(world, cases):
    p = _pay(world, cases["case_id"])
    c = world["cases"][["case_id", "child_id"]]
    births = pd.concat(
        [
            world["children"][["child_id", "child_birth_date"]].rename(
                columns={"child_birth_date": "birth"}
            ),
        ]
    ).drop_duplicates("child_id")
    kid = p.merge(c, on="case_id").merge(births, on="child_id")
    kid_old = kid["period_end"] >= kid["birth"] + pd.DateOffset(years=12)
    per = p.merge(world["persons"][["person_id", "birth_date"]], on="person_id")
    age_end = (per["period_end"] - per["birth_date"]).dt.days / 365.25
    age_start = (per["period_start"] - per["birth_date"]).dt.days / 365.25
    bad = ((per["benefit"] == "SE") & (age_end >= 65)) | (
        (per["benefit"] == "AE") & (age_start >= 29.9)
    )
    return set(kid.loc[kid_old, "case_id"]) | set(per.loc[bad, "case_id"])


def coverage_break(world, cases):
    p = _pay(world, cases["case_id"]).merge(
        world["persons"][["person_id", "insured_from"]], on="person_id"
    )
    return set(p.loc[p["period_start"] < p["insured_from"], "case_id"])


def fk_wrong_rate(world, cases):
    """Paid per day more than the same benefit pays others with the same SGI decision level."""
    p = _pay(world, cases["case_id"])
    per_unit = p["amount_sek"] / np.where(
        p["hours"].notna(),
        p["hours"],
        ((p["period_end"] - p["period_start"]) / DAY + 1) * p["extent"],
    )
    allp = world["payments"][world["payments"]["amount_sek"] > 0]
    top = allp.assign(
        u=allp["amount_sek"]
        / np.where(
            allp["hours"].notna(),
            allp["hours"],
            ((allp["period_end"] - allp["period_start"]) / DAY + 1) * allp["extent"],
        )
    )
    # the trace: the rate per unit differs from the case's own SGI-based rate; seen simply as a
    # rate above the benefit's median for a case of this SGI, or above the flat/capped levels
    med = top.groupby("benefit")["u"].median()
    hi = per_unit.to_numpy() > med.reindex(p["benefit"]).to_numpy()
    return set(p.loc[hi, "case_id"])


def fk_double_payment(world, cases):
    p = _pay(world, cases["case_id"])
    dup = p.duplicated(["case_id", "period_start", "period_end", "amount_sek"], keep=False)
    return set(p.loc[dup, "case_id"])


def _monthly_pay(world) -> pd.DataFrame:
    """Pay per person and month (all employers, the latest report of each), and the person's usual
    monthly pay: the median of the pay of the three months before and after (pay grows 3 % a
    year, so a median over the whole world would put early months below it)."""
    inc = world["income_reports"].sort_values("reported_date")
    inc = inc.drop_duplicates(["person_id", "employer_id", "month"], keep="last")
    pay = inc.groupby(["person_id", "month"], as_index=False)["gross_pay_sek"].sum()
    near = pd.concat(
        [pay.assign(month=pay["month"] + pd.DateOffset(months=k)) for k in (-3, -2, -1, 1, 2, 3)],
        ignore_index=True,
    )
    usual = near.groupby(["person_id", "month"])["gross_pay_sek"].median().rename("usual")
    return pay.merge(usual.reset_index(), on=["person_id", "month"], how="left")


def tfp_while_working(world, cases):
    """The pay of the TFP month is lowered by less than half of what the TFP days should take."""
    p = _pay(world, cases["case_id"])
    p = p[p["period_start"].dt.to_period("M") == p["period_end"].dt.to_period("M")]
    p = p.assign(month=p["period_start"].dt.to_period("M").dt.to_timestamp())
    m = p.merge(_monthly_pay(world), on=["person_id", "month"])
    share = ((m["period_end"] - m["period_start"]) / DAY + 1) / m["month"].dt.days_in_month
    return set(m.loc[m["gross_pay_sek"] >= m["usual"] * (1 - 0.5 * share), "case_id"])


def aks_beside_benefit(world, cases, first=AKS_RULE_FROM):
    """An AKS day also paid as SJP, SE or AE, on or after the day the rule applies from."""
    pay = world["payments"]
    other = pay[pay["benefit"].isin(["SJP", "SE", "AE"]) & (pay["amount_sek"] > 0)]
    m = _overlaps(_pay(world, cases["case_id"]), other)
    last = np.minimum(m["period_end_a"], m["period_end_b"])
    return set(m.loc[last >= first, "case_id_a"])


def _ass_days(world) -> pd.DataFrame:
    """Reported hours with each assistant's total of the day across all clients."""
    r = world["work_time_reports"]
    return r.assign(total=r.groupby(["assistant_id", "work_date"])["hours"].transform("sum"))


def ass_provider_ring(world, cases):
    """An assistant of the case reports more than 24 hours a day across clients and providers."""
    r = _ass_days(world)
    r = r[r["client_case_id"].isin(cases["case_id"]) & (r["total"] > 24)]
    return set(r["client_case_id"])


def ass_assistant_on_sick_pay(world, cases):
    """An assistant reports hours for the case on a day paid to the assistant as full SJP."""
    r = world["work_time_reports"]
    r = r[r["client_case_id"].isin(cases["case_id"])]
    p = world["payments"]
    sjp = p[(p["benefit"] == "SJP") & (p["extent"] == 1.0) & (p["amount_sek"] > 0)]
    m = r.merge(sjp, left_on="assistant_id", right_on="person_id")
    on = (m["work_date"] >= m["period_start"]) & (m["work_date"] <= m["period_end"])
    return set(m.loc[on, "client_case_id"])


TRACES = {
    "kar_on_sjp_day": kar_on_sjp_day,
    "kar_repeated": kar_repeated,
    "tfp_in_sickpay_period": tfp_in_sickpay_period,
    "fp_beside_aks": fp_beside_aks,
    "sgi_hours_as_days": sgi_hours_as_days,
    "inflated_sgi_shell": inflated_sgi_shell,
    "pay_while_full_benefit": pay_while_full_benefit,
    "aks_undeclared_work": aks_undeclared_work,
    "aks_absence_wrong": aks_absence_wrong,
    "ass_impossible_hours": ass_impossible_hours,
    "ass_unprovided_hours": ass_unprovided_hours,
    "tfp_both_parents": tfp_both_parents,
    "age_rule_break": age_rule_break,
    "coverage_break": coverage_break,
    "fk_wrong_rate": fk_wrong_rate,
    "fk_double_payment": fk_double_payment,
    "tfp_while_working": tfp_while_working,
    "aks_beside_benefit": aks_beside_benefit,
    "ass_provider_ring": ass_provider_ring,
    "ass_assistant_on_sick_pay": ass_assistant_on_sick_pay,
}
# share of a mechanism's cases that must show the trace (weak traces and rare variants allowed)
MIN_SHARE = {
    "fk_wrong_rate": 0.5,
    "inflated_sgi_shell": 0.6,
    "pay_while_full_benefit": 0.6,
    "tfp_while_working": 0.7,
}


def test_every_mechanism_has_a_trace_check():
    assert set(TRACES) == set(MECHANISMS)


@pytest.mark.parametrize("mechanism", sorted(TRACES))
def test_mechanism_leaves_its_trace(world, mechanism):
    cases = world.cases_of(mechanism)
    assert len(cases) > 0, f"no {mechanism} case in the test world"
    seen = TRACES[mechanism](world, cases)
    hits = len(seen & set(cases["case_id"]))
    # one case may lose its trace to a correction that stopped it before the trace was filed (a
    # later month's activity report): in a small world that one case is a large share
    assert hits >= MIN_SHARE.get(mechanism, 0.8) * len(cases) - 1, (mechanism, hits, len(cases))


@pytest.mark.parametrize(
    "mechanism",
    [
        "kar_on_sjp_day",
        "tfp_in_sickpay_period",
        "tfp_both_parents",
        "fk_double_payment",
        "aks_beside_benefit",
    ],
)
def test_correct_cases_rarely_show_a_hard_rule_trace(world, mechanism):
    """Hard-rule traces belong to errors: correct cases of the same benefit do not show them."""
    benefit = world.cases_of(mechanism)["benefit"].mode().iloc[0]
    c = world["cases"].merge(world.truth, on="case_id")
    correct = c[(c["benefit"] == benefit) & ~c["is_erroneous"]]
    # the world as it would be without the erroneous cases' payments (a host of an error, such as
    # the first parent's TFP, is correct itself but overlaps the erroneous one)
    pay = world["payments"]
    clean = replace(
        world, tables={**world.tables, "payments": pay[pay["case_id"].isin(correct["case_id"])]}
    )
    seen = TRACES[mechanism](clean, correct)
    assert len(seen) <= 0.002 * len(correct) + 1, (mechanism, len(seen))
