"""Correct cases obey the coordination rules of the contract (felrisk/config/rules.toml).

Only injected errors break a rule; every rule break in the data is either a labelled error or a
documented false alarm. Checked here on payments expanded to days, the slow and plain way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from felrisk.rules import load_rules


@pytest.fixture(scope="module")
def paid_days(world) -> pd.DataFrame:
    """One row per person, day and payment of a daily or monthly extent benefit (not ASS)."""
    p = world["payments"]
    p = p[(p["amount_sek"] > 0) & (p["benefit"] != "ASS")]
    p = p.drop_duplicates(["case_id", "period_start", "period_end"])  # double payments, corrections
    p = p.merge(world.truth[["case_id", "is_erroneous"]], on="case_id")
    s = p["period_start"].to_numpy().astype("datetime64[D]").astype("int64")
    e = p["period_end"].to_numpy().astype("datetime64[D]").astype("int64")
    n = e - s + 1
    idx = np.repeat(np.arange(len(p)), n)
    off = np.arange(idx.size) - np.repeat(np.cumsum(n) - n, n)
    return pd.DataFrame(
        {
            "person": p["person_id"].to_numpy()[idx],
            "day": s[idx] + off,
            "benefit": p["benefit"].to_numpy()[idx],
            "extent": p["extent"].to_numpy()[idx],
            "err": p["is_erroneous"].to_numpy()[idx],
        }
    )


def test_rule1_extents_within_one_day_on_correct_cases(paid_days):
    rules = load_rules()
    d = paid_days[paid_days["benefit"].isin(rules.extent.benefits)]
    g = d.groupby(["person", "day"]).agg(total=("extent", "sum"), err=("err", "any"))
    over = g[g["total"] > rules.extent.max_total + 1e-9]
    assert len(over) > 0  # errors do break it
    assert not (~over["err"]).any()


def test_rule2_forbidden_pairs_only_on_errors(paid_days):
    rules = load_rules()
    d = paid_days.drop_duplicates(["person", "day", "benefit"])
    for pair in rules.forbidden_pairs:
        a, b = pair.benefits
        m = d[d["benefit"] == a].merge(d[d["benefit"] == b], on=["person", "day"])
        if pair.in_force is not None:  # forbidden only on the days the law says (AKS: 2020-07-01)
            m = m[rules.law.in_force(pair.in_force, m["day"].to_numpy(), a)]
        assert (m["err_x"] | m["err_y"]).all(), pair


def test_rule4_correct_double_days_within_the_law_of_their_day(world):
    """Both parents paid the double-day benefit for one child on one day, in correct cases only:
    every such day lies before the child's age limit in force on it, and the child's count of
    them up to it stays within the quota in force on it."""
    rules = load_rules()
    bp = rules.both_parents
    c = world["cases"].merge(world.truth[["case_id", "is_erroneous"]], on="case_id")
    c = c[(c["benefit"] == bp.double_day_benefit) & c["child_id"].notna() & ~c["is_erroneous"]]
    p = world["payments"]
    p = p[(p["amount_sek"] > 0)].drop_duplicates(["case_id", "period_start", "period_end"])
    p = p.merge(c[["case_id", "child_id"]], on="case_id")
    s = p["period_start"].to_numpy().astype("datetime64[D]").astype("int64")
    n = p["period_end"].to_numpy().astype("datetime64[D]").astype("int64") - s + 1
    idx = np.repeat(np.arange(len(p)), n)
    days = pd.DataFrame(
        {
            "child": p["child_id"].to_numpy()[idx],
            "person": p["person_id"].to_numpy()[idx],
            "day": s[idx] + np.arange(idx.size) - np.repeat(np.cumsum(n) - n, n),
        }
    ).drop_duplicates()
    both = days.groupby(["child", "day"]).size()
    double = both[both >= 2].reset_index()[["child", "day"]].sort_values(["child", "day"])
    assert len(double) > 0  # the world has legitimate double days
    d = double["day"].to_numpy()
    quota = rules.law.value(bp.quota_rule, d, bp.double_day_benefit)
    months = rules.law.value(bp.age_months_rule, d, bp.double_day_benefit)
    births = world["children"].drop_duplicates("child_id").set_index("child_id")["child_birth_date"]
    birth = pd.to_datetime(births.reindex(double["child"]).to_numpy())
    limit = np.full(len(d), np.iinfo("int64").min)
    for m in np.unique(months[~np.isnan(months)]):
        at = (birth + pd.DateOffset(months=int(m))).to_numpy().astype("datetime64[D]")
        limit = np.where(months == m, at.astype("int64"), limit)
    assert (d < limit).all()
    used = double.groupby("child").cumcount().to_numpy() + 1
    assert (used <= quota).all()


def _paid_spans(world) -> pd.DataFrame:
    """Per case: its first and last paid day (positive payments)."""
    p = world["payments"]
    p = p[p["amount_sek"] > 0]
    return p.groupby("case_id").agg(first=("period_start", "min"), last=("period_end", "max"))


def test_rule4_tfp_to_both_parents_only_for_a_seriously_ill_child(world):
    """Correct TFP to both parents for one child and day: only the seriously-ill-child trap, both
    parents paid for the same days for a child under 12 (docs/false_alarms.md)."""
    c = world["cases"].merge(world.truth, on="case_id")
    tfp = c[(c["benefit"] == "TFP") & ~c["is_erroneous"]].join(_paid_spans(world), on="case_id")
    m = tfp.merge(tfp, on="child_id")
    m = m[m["person_id_x"] < m["person_id_y"]]
    both = (m["first_x"] <= m["last_y"]) & (m["first_y"] <= m["last_x"])
    m = m[both]
    assert len(m) > 0  # the trap is there
    assert (m["first_x"] == m["first_y"]).all() and (m["last_x"] == m["last_y"]).all()
    births = world["children"].drop_duplicates("child_id").set_index("child_id")["child_birth_date"]
    twelve = births.reindex(m["child_id"]) + pd.DateOffset(years=12)
    assert (m["last_x"].to_numpy() < twelve.to_numpy()).all()


def test_rule7_assistant_hours_when_correct(world):
    rules = load_rules().assistance
    r = world["work_time_reports"].merge(world.truth, left_on="client_case_id", right_on="case_id")
    day = r.groupby(["assistant_id", "work_date"]).agg(
        h=("hours", "sum"), err=("is_erroneous", "any")
    )
    assert not (~day["err"] & (day["h"] > rules.max_assistant_hours_per_day)).any()
    c = world["cases"][["case_id", "granted_hours_per_week"]]
    ok = r[~r["is_erroneous"]]
    week = (
        ok.groupby(["client_case_id", ok["work_date"].dt.to_period("W")])["hours"].sum().rename("h")
    )
    week = week.reset_index().merge(c, left_on="client_case_id", right_on="case_id")
    assert (week["h"] <= week["granted_hours_per_week"] + 1e-9).all()


def test_rule6_no_correct_payment_before_coverage(world):
    p = world["payments"].merge(world["persons"][["person_id", "insured_from"]], on="person_id")
    p = p.merge(world.truth[["case_id", "is_erroneous"]], on="case_id")
    before = p["period_start"] < p["insured_from"]
    assert before.any()
    assert p.loc[before, "is_erroneous"].all()


def test_rule5_age_limits_when_correct(world):
    c = world["cases"].merge(world.truth, on="case_id")
    p = world["payments"].merge(c[["case_id", "child_id", "is_erroneous"]], on="case_id")
    births = world["children"].drop_duplicates("child_id").set_index("child_id")["child_birth_date"]
    kid = p[p["benefit"].isin(["FP", "TFP"])]
    twelve = pd.Series(births.reindex(kid["child_id"]).to_numpy(), index=kid.index) + pd.DateOffset(
        years=12
    )
    old = (kid["period_end"] >= twelve) & ~kid["is_erroneous"]
    # the documented traps only (docs/false_alarms.md): TFP for a child under 16 (certificate) or
    # under 21 (LSS), FP until school year 5 ends (14 June of the year the child turns 12)
    tfp = old & (kid["benefit"] == "TFP")
    assert (kid.loc[tfp, "period_end"] < twelve[tfp] + pd.DateOffset(years=9)).all()
    fp = old & (kid["benefit"] == "FP")
    june = pd.to_datetime(twelve[fp].dt.year.astype(str) + "-06-14")
    assert (kid.loc[fp, "period_end"] <= june).all()
    assert tfp.any() and fp.any()
    per = p.merge(world["persons"][["person_id", "birth_date"]], on="person_id")
    se = per[(per["benefit"] == "SE") & ~per["is_erroneous"]]
    assert (se["period_end"] < se["birth_date"] + pd.DateOffset(years=65)).all()
    assert (se["period_start"] >= se["birth_date"] + pd.DateOffset(years=30)).all()
    ae = per[(per["benefit"] == "AE") & ~per["is_erroneous"]]
    assert (ae["period_end"] < ae["birth_date"] + pd.DateOffset(years=30)).all()
