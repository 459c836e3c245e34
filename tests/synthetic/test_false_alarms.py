"""The false alarms of the domain brief are in the data, on correct cases."""

from __future__ import annotations

import pandas as pd

DAY = pd.Timedelta(days=1)


def _correct(world) -> pd.DataFrame:
    c = world["cases"].merge(world.truth, on="case_id")
    return c[~c["is_erroneous"]]


def test_legit_half_and_half_on_the_same_days(world):
    """Half SJP (or AKS) beside half FP for the same days: allowed, and present."""
    ok = set(_correct(world)["case_id"])
    p = world["payments"]
    p = p[p["case_id"].isin(ok) & (p["amount_sek"] > 0)]
    fp = p[(p["benefit"] == "FP") & (p["extent"] == 0.5)]
    for other in ("SJP", "AKS"):
        o = p[(p["benefit"] == other) & (p["extent"] == 0.5)]
        m = fp.merge(o, on="person_id")
        both = (m["period_start_x"] <= m["period_end_y"]) & (
            m["period_start_y"] <= m["period_end_x"]
        )
        assert both.any(), other


def test_double_days_of_fp_for_a_young_child(world):
    c = _correct(world)
    fp = c[c["benefit"] == "FP"]
    m = fp.merge(fp, on="child_id")
    m = m[(m["person_id_x"] < m["person_id_y"])]
    both = (m["insured_event_date_x"] <= m["insured_event_date_y"] + 60 * DAY) & (
        m["insured_event_date_y"] <= m["insured_event_date_x"] + 60 * DAY
    )
    assert both.sum() >= 5


def test_pay_events_in_income_reports(world):
    inc = world["income_reports"]
    # corrected reports: the same person, employer and month reported again later
    dup = inc.duplicated(["person_id", "employer_id", "month"], keep=False)
    assert dup.sum() >= 20
    # late reports: well after the 12th of the following month
    late = inc["reported_date"] > inc["month"] + pd.DateOffset(months=1) + 40 * DAY
    assert late.mean() > 0.01
    # holiday pay: July pay above the person's usual level
    usual = inc.groupby(["person_id", "employer_id"])["gross_pay_sek"].transform("median")
    july = inc["month"].dt.month == 7
    assert (inc.loc[july, "gross_pay_sek"] > 1.25 * usual[july]).mean() > 0.2


def test_employer_sick_pay_lowers_pay_only_partly(world):
    """Days 1-14 are paid by the employer (sjuklön): pay in the month drops little, no SJP yet."""
    c = world["cases"]
    sjp = c[(c["benefit"] == "SJP") & (c["employment_type"] == "employee")]
    pay = world["payments"]
    first = pay[pay["benefit"] == "SJP"].groupby("case_id")["period_start"].min()
    start = sjp.set_index("case_id")["insured_event_date"]
    gap = (first - start.reindex(first.index)).dt.days.dropna()
    assert (gap >= 14).mean() > 0.95  # SJP from day 15 for employees


def test_reversals_and_corrections(world):
    p = world["payments"]
    neg = p[p["amount_sek"] < 0]
    assert len(neg) > 10
    ok = set(_correct(world)["case_id"])
    assert neg["case_id"].isin(ok).mean() > 0.8  # mostly on correct cases


def test_collective_top_up_pay_on_full_sick_leave(world):
    """Some correct full-time SJP months still show a little employer pay (agreement top-up)."""
    ok = set(_correct(world)["case_id"])
    p = world["payments"]
    full = p[(p["benefit"] == "SJP") & (p["extent"] == 1.0) & p["case_id"].isin(ok)]
    full = full[(full["period_end"] - full["period_start"]).dt.days >= 27]
    full = full.assign(month=full["period_start"].dt.to_period("M").dt.to_timestamp())
    inc = (
        world["income_reports"]
        .groupby(["person_id", "month"], as_index=False)["gross_pay_sek"]
        .sum()
    )
    m = full.merge(inc, on=["person_id", "month"])
    assert (m["gross_pay_sek"] > 0).sum() >= 10


def test_sgi_rule_has_false_positives(world):
    s = world["sgi_decisions"]
    low = s[(s["annual_work_hours"] <= 365) & (s["annual_sgi_sek"] >= 100_000)]
    c = world["cases"].merge(world.truth, on="case_id")
    bad_people = set(c.loc[c["mechanism"] == "sgi_hours_as_days", "person_id"])
    assert (~low["person_id"].isin(bad_people)).any()


def test_assistants_are_paid_by_their_provider_and_not_on_their_own_sick_days(world):
    r = world["work_time_reports"]
    inc = world["income_reports"]
    paid = r.merge(
        inc, left_on=["assistant_id", "provider_id"], right_on=["person_id", "employer_id"]
    )
    assert paid["assistant_id"].nunique() >= 0.9 * r["assistant_id"].nunique()
    c = world["cases"].merge(world.truth, on="case_id")
    p = world["payments"]
    full = p[(p["extent"] == 1.0) & p["benefit"].isin(["SJP", "FP", "SE", "AE"])]
    m = r.merge(full, left_on="assistant_id", right_on="person_id")
    on_leave = (m["work_date"] >= m["period_start"]) & (m["work_date"] <= m["period_end"])
    wrong = set(c.loc[c["is_erroneous"], "case_id"])
    m = m[on_leave]
    assert (m["case_id"].isin(wrong) | m["client_case_id"].isin(wrong)).all()
