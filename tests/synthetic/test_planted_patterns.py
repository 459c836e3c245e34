"""The annual report's patterns planted by issue 13, checked by hand on the small world.

TFP while working, AKS beside SJP/SE/AE, the provider ring, the assistant on sick pay, and the
agency's own handling errors (FP beside AKS, SGI hours as days) labelled as the agency's.
"""

from __future__ import annotations

import pandas as pd

from synthetic.scenario import FK_MECHANISMS
from tests.synthetic.test_mechanisms import AKS_RULE_FROM, DAY, _monthly_pay, _overlaps, _pay


def _one_month_episodes(world, case_ids) -> pd.DataFrame:
    """Payments of the cases inside one calendar month, with the person's pay of that month."""
    p = _pay(world, case_ids)
    p = p[p["period_start"].dt.to_period("M") == p["period_end"].dt.to_period("M")]
    p = p.assign(month=p["period_start"].dt.to_period("M").dt.to_timestamp())
    return p.merge(_monthly_pay(world), on=["person_id", "month"])


def test_tfp_while_working_month_pay_is_the_usual_pay(world):
    """The error's month pays what the parent usually earns; correct TFP lowers it."""
    bad = _one_month_episodes(world, world.cases_of("tfp_while_working")["case_id"])
    assert len(bad) > 0
    ratio = bad["gross_pay_sek"] / bad["usual"]
    # strong traces are not lowered at all (pay varies by about 2 % a month)
    assert ratio.median() >= 0.97, ratio.describe()
    c = world["cases"].merge(world.truth, on="case_id")
    ok = c[(c["benefit"] == "TFP") & ~c["is_erroneous"] & (c["employment_type"] == "employee")]
    good = _one_month_episodes(world, ok["case_id"])
    good = good[(good["period_end"] - good["period_start"]) / DAY >= 2]
    assert (good["gross_pay_sek"] / good["usual"]).median() < 0.95


def test_aks_beside_benefit_overlaps_lie_after_the_rule_began(world):
    """Each planted AKS day also paid as SJP, SE or AE lies on or after 2020-07-01."""
    pay = world["payments"]
    other = pay[pay["benefit"].isin(["SJP", "SE", "AE"]) & (pay["amount_sek"] > 0)]
    m = _overlaps(_pay(world, world.cases_of("aks_beside_benefit")["case_id"]), other)
    assert len(m) > 0
    first_overlap_day = m[["period_start_a", "period_start_b"]].max(axis=1)
    assert (first_overlap_day >= AKS_RULE_FROM).all()


def test_ring_assistants_are_shared_and_report_impossible_days(world):
    """A ring's straw assistant reports for the ring's client and for another client on the same
    days, more than 24 hours in all."""
    ring = set(world.cases_of("ass_provider_ring")["case_id"])
    assert ring
    r = world["work_time_reports"]
    day = r.groupby(["assistant_id", "work_date"]).agg(
        total=("hours", "sum"), clients=("client_case_id", "nunique")
    )
    mine = r[r["client_case_id"].isin(ring)].merge(
        day.reset_index(), on=["assistant_id", "work_date"]
    )
    shared = mine[(mine["clients"] >= 2) & (mine["total"] > 24)]
    assert set(shared["client_case_id"]) == ring


def test_assistant_on_sick_pay_reports_hours_on_sjp_days(world):
    """The assistant was paid full SJP for a day with hours reported for the client."""
    cases = world.cases_of("ass_assistant_on_sick_pay")
    assert len(cases) > 0
    r = world["work_time_reports"]
    r = r[r["client_case_id"].isin(cases["case_id"])]
    p = world["payments"]
    sjp = p[(p["benefit"] == "SJP") & (p["extent"] == 1.0) & (p["amount_sek"] > 0)]
    m = r.merge(sjp, left_on="assistant_id", right_on="person_id")
    m = m[(m["work_date"] >= m["period_start"]) & (m["work_date"] <= m["period_end"])]
    assert set(m["client_case_id"]) == set(cases["case_id"])


def test_agency_handling_errors_are_labelled_the_agencys(world):
    """FP beside AKS and SGI hours as days are the agency's handling errors (annual report)."""
    t = world.truth[world.truth["mechanism"].isin(["fp_beside_aks", "sgi_hours_as_days"])]
    assert len(t) > 0
    assert {"fp_beside_aks", "sgi_hours_as_days"} <= set(FK_MECHANISMS)
    assert (t["caused_by"] == "fk").all()
    assert not t["intentional"].any()
