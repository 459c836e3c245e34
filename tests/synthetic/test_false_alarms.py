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


# --- the traps of [false_alarms] (synthetic/traps.py, docs/false_alarms.md) ---------------------


def _correct_paid(world, benefit: str) -> pd.DataFrame:
    """Correct cases of `benefit` with their first and last paid day and the child's birth."""
    c = _correct(world)
    c = c[c["benefit"] == benefit]
    p = world["payments"]
    p = p[(p["amount_sek"] > 0) & p["case_id"].isin(c["case_id"])]
    span = p.groupby("case_id").agg(
        first=("period_start", "min"), last=("period_end", "max"), paid=("amount_sek", "sum")
    )
    births = world["children"].drop_duplicates("child_id").set_index("child_id")["child_birth_date"]
    c = c.join(span, on="case_id", how="inner")
    return c.assign(child_birth=births.reindex(c["child_id"]).to_numpy())


def _age_at(birth: pd.Series, day: pd.Series) -> pd.Series:
    """Whole years of age."""
    years = day.dt.year - birth.dt.year
    before = (day.dt.month < birth.dt.month) | (
        (day.dt.month == birth.dt.month) & (day.dt.day < birth.dt.day)
    )
    return years - before.astype(int)


def test_tfp_for_a_child_of_12_to_15_and_under_lss_to_20_is_correct(world):
    """TFP for a child aged 12-15 (certificate) and 16-20 (LSS): the age check's false alarms."""
    t = _correct_paid(world, "TFP")
    age = _age_at(t["child_birth"], t["last"])
    assert ((age >= 12) & (age <= 15)).sum() >= 1
    assert ((age >= 16) & (age <= 20)).sum() >= 1
    # nothing older: the law's limits hold for correct cases
    assert (age[age >= 12] <= 20).all()
    # the whole episode lies past the 12th birthday (one short episode, not a long case)
    old = t[age >= 12]
    assert (_age_at(old["child_birth"], old["first"]) >= 12).all()
    assert ((old["last"] - old["first"]).dt.days <= 4).all()


def test_fp_until_school_year_5_ends_is_correct(world):
    """FP after the 12th birthday up to 14 June of that year (school year 5 ends)."""
    f = _correct_paid(world, "FP")
    old = f[_age_at(f["child_birth"], f["last"]) >= 12]
    assert len(old) >= 1
    assert (old["first"].dt.year == old["child_birth"].dt.year + 12).all()
    assert (old["last"].dt.month * 100 + old["last"].dt.day <= 614).all()
    # one block per child
    assert old["child_id"].is_unique


def test_both_parents_on_tfp_for_a_seriously_ill_child_is_correct(world):
    t = _correct_paid(world, "TFP")
    m = t.merge(t, on="child_id")
    m = m[m["person_id_x"] < m["person_id_y"]]
    m = m[(m["first_x"] <= m["last_y"]) & (m["first_y"] <= m["last_x"])]
    assert len(m) >= 1
    # both parents of the child, the same days, longer than a usual VAB episode
    parents = world["children"].groupby("child_id")["parent_id"].agg(set)
    assert all(
        {a, b} == parents[k]
        for k, a, b in zip(m["child_id"], m["person_id_x"], m["person_id_y"], strict=True)
    )
    assert ((m["first_x"] == m["first_y"]) & (m["last_x"] == m["last_y"])).all()
    assert ((m["last_x"] - m["first_x"]).dt.days >= 4).all()


def test_sgi_protected_while_studying_has_no_pay_behind_it(world):
    """FP paid above the basic level on an SGI decided with an employment basis, for a person
    with no pay reported and no AKS: the SGI kept while studying."""
    s = world["sgi_decisions"]
    s = s[s["income_basis"] == "employment"]
    # no pay reported for the person in the world at all, and no AKS (not registered unemployed)
    c = world["cases"]
    unpaid = s[
        ~s["person_id"].isin(world["income_reports"]["person_id"])
        & ~s["person_id"].isin(c.loc[c["benefit"] == "AKS", "person_id"])
    ]
    f = _correct_paid(world, "FP")
    f = f[f["person_id"].isin(unpaid["person_id"])]
    p = world["payments"]
    p = p[p["case_id"].isin(f["case_id"]) & (p["amount_sek"] > 0)]
    days = (p["period_end"] - p["period_start"]).dt.days + 1
    per_day = p["amount_sek"] / (days * p["extent"])
    assert (per_day > 260).sum() >= 1  # above the basic level of 250 SEK a day
    assert not world.truth.set_index("case_id").loc[f["case_id"], "is_erroneous"].any()


def test_aks_month_with_a_former_employers_final_pay_is_correct(world):
    """A correct AKS case whose first month shows employer pay far above the declared work."""
    c = _correct(world)
    a = world["activity_reports"]
    a = a[a["case_id"].isin(c.loc[c["benefit"] == "AKS", "case_id"])]
    inc = (
        world["income_reports"]
        .groupby(["person_id", "month"], as_index=False)["gross_pay_sek"]
        .sum()
    )
    m = a.merge(inc, on=["person_id", "month"])
    flagged = m[m["gross_pay_sek"] > 300 * m["declared_work_hours"] + 1000]
    first = a.groupby("case_id")["month"].min()
    assert (flagged["month"].to_numpy() == first.reindex(flagged["case_id"]).to_numpy()).any()
