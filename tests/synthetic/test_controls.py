"""The historical control policy: logged random stream, rules, biased tips, outcomes, cooldown."""

from __future__ import annotations

import numpy as np
import pandas as pd

from felrisk.contract import ERROR_OUTCOMES
from synthetic.controls import person_years, tip_stream
from synthetic.scenario import load_scenario
from tests.synthetic.conftest import END, START


def _selectable(world) -> pd.DataFrame:
    """Cases the random stream could draw: open on some day of the world."""
    c = world["cases"]
    start, end = pd.Timestamp(START), pd.Timestamp(END)
    lo = c["opened_date"].clip(lower=start)
    hi = c["closed_date"].fillna(end).clip(upper=end)
    return c[lo <= hi]


def test_random_stream_logs_the_probability_of_its_density(world):
    """p(benefit) = weight x scale, the scale giving the scenario's random controls per 1,000
    person-years in expectation; logged per control, the same for every case of a benefit."""
    k = world["controls"]
    rnd = k[k["selection"] == "random"]
    w = world.scenario.controls
    n_b = _selectable(world)["benefit"].value_counts()
    kilo_py = person_years(len(world["persons"]), 0, (END - START).days) / 1000
    scale = (
        w.random_per_1000_person_years
        * kilo_py
        / sum(wt * n_b.get(b, 0) for b, wt in w.random_weight.items())
    )
    expected = rnd["benefit"].map({b: min(1.0, scale * wt) for b, wt in w.random_weight.items()})
    assert np.allclose(rnd["selection_probability"], expected)
    assert (rnd["selection_probability"] < 0.1).all()  # FK's density: few cases ever drawn
    assert k.loc[k["selection"] != "random", "selection_probability"].isna().all()


def test_random_stream_draws_each_benefit_at_its_rate(world):
    k = world["controls"]
    rnd = k[k["selection"] == "random"]
    cases = _selectable(world)
    for b in ("SJP", "KAR", "TFP", "FP"):
        n = int((cases["benefit"] == b).sum())
        p = rnd.loc[rnd["benefit"] == b, "selection_probability"].iloc[0]
        drawn = int((rnd["benefit"] == b).sum())
        assert abs(drawn - n * p) <= 4 * np.sqrt(n * p * (1 - p)) + 1, b


def test_random_hit_rate_near_true_prevalence(dense_world):
    k = dense_world["controls"].merge(dense_world.truth, on="case_id")
    rnd = k[(k["selection"] == "random") & k["outcome"].notna()]
    found = rnd["outcome"].isin(ERROR_OUTCOMES).mean()
    true = rnd["is_erroneous"].mean()
    se = np.sqrt(true * (1 - true) / len(rnd))
    recall = dense_world.scenario.controls.recall
    assert 0.6 * recall * true - 3 * se <= found <= true + 3 * se
    assert not (rnd["outcome"].isin(ERROR_OUTCOMES) & ~rnd["is_erroneous"]).any()


def test_targeted_controls_hit_more_than_random(world, dense_world):
    k = world["controls"].merge(world.truth, on="case_id")
    k = k[k["outcome"].notna()]
    rate = k.groupby("selection")["is_erroneous"].mean()
    # the random stream's rate, measured where it has the labels (same world, dense scenario)
    d = dense_world["controls"].merge(dense_world.truth, on="case_id")
    random = d.loc[d["outcome"].notna() & (d["selection"] == "random"), "is_erroneous"].mean()
    assert rate["rule"] > 3 * random
    assert rate["tip"] > 2 * random


def test_outcomes_close_after_selection(world):
    k = world["controls"]
    closed = k["closed_date"].notna()
    assert (k.loc[closed, "closed_date"] > k.loc[closed, "selected_date"]).all()
    assert (k["outcome"].notna() == closed).all()
    assert (k["wrong_amount_sek"].notna() == closed).all()
    assert (k.loc[k["outcome"] == "no_error", "wrong_amount_sek"] == 0).all()
    assert (k.loc[k["outcome"].isin(ERROR_OUTCOMES), "wrong_amount_sek"] > 0).all()
    assert (~closed).any()  # controls selected late in the world are still open


def test_outcome_kind_follows_the_truth(world):
    k = world["controls"].merge(world.truth, on="case_id")
    assert (k.loc[k["outcome"] == "error_fk", "caused_by"] == "fk").all()
    assert k.loc[k["outcome"] == "suspected_crime", "intentional"].all()
    assert (k.loc[k["outcome"] == "error_customer", "caused_by"] == "customer").all()


def test_selected_while_the_case_was_open(world):
    k = world["controls"].merge(
        world["cases"][["case_id", "opened_date", "closed_date"]],
        on="case_id",
        suffixes=("", "_case"),
    )
    assert (k["selected_date"] >= k["opened_date"]).all()
    ended = k["closed_date_case"].notna() & (k["selection"] != "rule")
    assert (k.loc[ended, "selected_date"] <= k.loc[ended, "closed_date_case"]).all()


def test_cooldown_between_targeted_controls_of_a_person(world):
    k = world["controls"].sort_values(["person_id", "selected_date"], kind="stable")
    gap = k.groupby("person_id")["selected_date"].diff().dt.days
    targeted = k["selection"] != "random"
    assert (gap[targeted].dropna() >= world.scenario.controls.min_days_between_controls).all()


def _tips_of_a_neutral_world(n: int = 200_000) -> pd.DataFrame:
    """Tips and reports in a world where sex, origin and employment carry no information."""
    sc = load_scenario()
    rng = np.random.default_rng(0)
    cases = pd.DataFrame(
        {
            "case": np.arange(n),
            "pid": np.arange(n),
            "benefit": np.array(["TFP", "SJP", "FP"])[np.arange(n) % 3],
            "opened": 100,
            "closed": 200,
            "err": rng.random(n) < 0.05,
            "emp_type": np.where(rng.random(n) < 0.7, "employee", "unemployed"),
        }
    )
    persons = pd.DataFrame(
        {
            "pid": np.arange(n),
            "sex": np.where(rng.random(n) < 0.5, "F", "M"),
            "region": np.where(rng.random(n) < 0.8, "SE", "OTHER"),
        }
    )
    tips = tip_stream(cases, persons, 0, 1000, sc, seed=1)
    return tips.merge(cases, on="case").merge(persons, on="pid")


def test_tips_lean_towards_errors_and_each_source_has_its_bias():
    t = _tips_of_a_neutral_world()
    assert set(t["source"]) == {"akassa", "agency", "public", "employer"}
    assert set(t.loc[t["source"].isin(["akassa", "agency"]), "selection"]) == {"report"}
    assert set(t.loc[t["source"].isin(["public", "employer"]), "selection"]) == {"tip"}
    assert t["err"].mean() > 3 * 0.05
    fem = t.groupby(["source", "benefit"])["sex"].apply(lambda s: (s == "F").mean())
    # the public leans towards women for TFP and FP (1.8 times the weight: about 64 %)
    assert fem[("public", "TFP")] > 0.58 and fem[("public", "FP")] > 0.58
    assert abs(fem[("public", "SJP")] - 0.5) < 0.06
    # reports from a-kassor about FP fall disproportionately on men (the annual report)
    assert fem[("akassa", "FP")] < 0.35
    # other agencies lean towards persons born abroad; employers tip only about employees
    foreign = t.groupby("source")["region"].apply(lambda r: (r != "SE").mean())
    assert foreign["agency"] > 0.24 and abs(foreign["public"] - 0.2) < 0.03
    assert (t.loc[t["source"] == "employer", "emp_type"] == "employee").all()
