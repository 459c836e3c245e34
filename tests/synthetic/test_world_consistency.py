"""The world agrees with itself where the agency's own checks look, checked by hand on the small
world: correct amounts follow the SGI decision in force, full SE/AE replaces the job's pay, an
assistant on AKS declares the assistance work, and every case paid from an SGI with hours taken
as days is an error."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.activity import declare_assistance
from synthetic.assistance import off_own_benefit_days
from synthetic.casebook import daily_amount
from synthetic.timeaxis import month_index
from tests.synthetic.test_mechanisms import DAY, _monthly_pay

EPOCH = pd.Timestamp("1970-01-01")


def day(month: int, d: int) -> int:
    """Day number of a day of 2021."""
    return int((pd.Timestamp(2021, month, d) - EPOCH) / DAY)


def _day_numbers(s: pd.Series) -> np.ndarray:
    return ((s - EPOCH) / DAY).astype("int64").to_numpy()


def _decision_in_force(world, pay: pd.DataFrame) -> pd.DataFrame:
    """Each payment with the SGI of the person's decision in force on its first day: valid from it
    or before, the latest decided (ties by sgi_id)."""
    s = world["sgi_decisions"]
    m = pay.merge(s, on="person_id")
    m = m[m["valid_from"] <= m["period_start"]]
    m = m.sort_values(["payment_id", "decision_date", "sgi_id"], kind="stable")
    return m.drop_duplicates("payment_id", keep="last")


def test_a_correct_tfp_period_pays_what_the_decision_in_force_gives(world):
    """days x round(rate x min(SGI, cap) / 365) x extent from the decision in force; never above
    it (a later correction may pay a little less)."""
    t = world.truth
    ok = set(t.loc[~t["is_erroneous"], "case_id"])
    p = world["payments"]
    p = p[(p["benefit"] == "TFP") & p["case_id"].isin(ok) & (p["amount_sek"] > 0)]
    m = _decision_in_force(world, p)
    assert len(m) > 100
    days = ((m["period_end"] - m["period_start"]) / DAY).to_numpy() + 1
    daily = daily_amount(
        "TFP", m["annual_sgi_sek"].to_numpy(), _day_numbers(m["period_start"]), world.scenario.rules
    )
    expected = np.round(days * daily * m["extent"].to_numpy())
    paid = m["amount_sek"].to_numpy()
    assert (paid <= expected + days).all(), m[paid > expected + days].head()
    assert np.mean(np.abs(paid - expected) <= 1) > 0.9


def test_a_correct_full_se_or_ae_month_has_no_job_pay(world):
    """Months a correct SE/AE case paid in full carry at most the allowed small income (1,000
    SEK) in nearly all cases (holiday compensation from a job that ended aside)."""
    t = world.truth
    ok = set(t.loc[~t["is_erroneous"], "case_id"])
    p = world["payments"]
    p = p[p["benefit"].isin(["SE", "AE"]) & p["case_id"].isin(ok) & (p["extent"] == 1.0)]
    p = p[(p["amount_sek"] > 0) & (p["period_start"].dt.day == 1)]
    p = p.assign(month=p["period_start"]).drop_duplicates(["case_id", "month"])
    m = p.merge(_monthly_pay(world), on=["person_id", "month"], how="left")
    assert len(m) > 500
    assert (m["gross_pay_sek"].fillna(0) > 1000).mean() < 0.03


def test_a_partial_se_month_lowers_the_pay_by_the_extent(world):
    """A person on half SE earns about half of what they earn outside it."""
    t = world.truth
    ok = set(t.loc[~t["is_erroneous"], "case_id"])
    p = world["payments"]
    p = p[(p["benefit"] == "SE") & p["case_id"].isin(ok) & (p["extent"] == 0.5)]
    p = p[(p["amount_sek"] > 0) & (p["period_start"].dt.day == 1)]
    p = p.assign(month=p["period_start"]).drop_duplicates(["case_id", "month"])
    pay = _monthly_pay(world)
    m = p.merge(pay, on=["person_id", "month"])
    assert len(m) > 20
    # the persons' job pay outside SE months is not observed here: their pay in SE months is
    # half of a full-time pay of their SGI at most (a pay near the SGI's would be the full pay)
    assert m["gross_pay_sek"].median() < 25_000


def test_an_assistant_on_aks_declares_work_in_months_with_provider_pay():
    """Half-time AKS in March and April: the assistant's 10 + 6 hours in March and 8 in April are
    declared in those months' reports; May (no AKS) is no report's."""
    mar, apr, may = (month_index(np.array([d]))[0] for d in (day(3, 5), day(4, 2), day(5, 3)))
    months = pd.DataFrame(
        {"pid": [7, 7], "month": [mar, apr], "declared_hours": [0.0, 12.0], "work_eid": -1}
    )
    ass_days = pd.DataFrame(
        {
            "aid": [7, 7, 7, 7, 8],
            "day": [day(3, 5), day(3, 20), day(4, 2), day(5, 3), day(3, 5)],
            "hours": [10.0, 6.0, 8.0, 9.0, 5.0],
        }
    )
    out = declare_assistance(months, ass_days)
    assert out["declared_hours"].tolist() == [16.0, 20.0]


def test_an_assistant_on_full_aks_is_not_assigned_in_its_months():
    """Full AKS from 10 March to 20 April: no assistant days from 1 March to 30 April; half AKS
    leaves them (the work is declared)."""
    days = pd.DataFrame({"aid": 7, "day": [day(3, 2), day(3, 15), day(4, 28), day(5, 2)]})
    cases = pd.DataFrame(
        {
            "pid": [7],
            "benefit": ["AKS"],
            "extent": [1.0],
            "ps": [day(3, 10)],
            "pe": [day(4, 20)],
        }
    )
    assert off_own_benefit_days(days, cases)["day"].tolist() == [day(5, 2)]
    half = off_own_benefit_days(days, cases.assign(extent=0.5))
    assert len(half) == 4


def test_every_case_paid_from_an_sgi_with_hours_as_days_is_an_error(world):
    """The agency's rule flags every SJP/FP/TFP case of the person ending on or after a decision of
    SGI >= 100,000 SEK with <= 365 hours; where the low hours are the mechanism's, each is wrong."""
    bad = world.cases_of("sgi_hours_as_days")
    s = world["sgi_decisions"]
    low = s[(s["annual_sgi_sek"] >= 100_000) & (s["annual_work_hours"] <= 365)]
    low = low[low["person_id"].isin(bad["person_id"])]
    c = world["cases"].merge(world.truth, on="case_id")
    c = c[c["benefit"].isin(["SJP", "FP", "TFP"])]
    p = world["payments"].groupby("case_id")["period_end"].max().rename("last_paid")
    c = c.merge(p, on="case_id")
    first = low.groupby("person_id")["valid_from"].min().rename("low_from")
    flagged = c.merge(first, on="person_id")
    flagged = flagged[flagged["last_paid"] >= flagged["low_from"]]
    assert len(flagged) > len(bad["person_id"].unique())
    assert flagged["is_erroneous"].mean() > 0.95, flagged[~flagged["is_erroneous"]].head()
    assert (flagged.loc[flagged["is_erroneous"], "mechanism"] == "sgi_hours_as_days").mean() > 0.8
