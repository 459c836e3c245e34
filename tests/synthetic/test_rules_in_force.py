"""The world follows the rules in force on each day (felrisk/config/benefit_rules.toml)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow.parquet as pq

from felrisk.benefit_rules import load_benefit_rules
from synthetic.world import generate

RULES = load_benefit_rules()


def _days(s) -> np.ndarray:
    return s.to_numpy().astype("datetime64[D]")


def test_kar_is_claimed_and_paid_only_while_it_existed(world):
    cases = world["cases"][world["cases"]["benefit"] == "KAR"]
    pay = world["payments"][world["payments"]["benefit"] == "KAR"]
    assert len(cases) > 100 and len(pay) > 100  # the 2020-2021 world has KAR
    assert RULES.exists("KAR", _days(cases["insured_event_date"])).all()
    assert RULES.exists("KAR", _days(pay["period_start"])).all()
    assert RULES.exists("KAR", _days(pay["period_end"])).all()
    # a correct claim pays at most the flat amount in force on its day
    ok = pay["case_id"].isin(world.truth.loc[~world.truth["is_erroneous"], "case_id"])
    flat = RULES.value("kar_flat_amount", _days(pay.loc[ok, "period_start"]), "KAR")
    assert (pay.loc[ok, "amount_sek"].to_numpy() <= flat).all()
    assert {700.0, 804.0, 810.0} <= set(pay["amount_sek"])


def test_sjp_day_is_capped_by_the_price_base_amount_of_its_year(world):
    ok = world.truth.loc[~world.truth["is_erroneous"], "case_id"]
    pay = world["payments"]
    pay = pay[(pay["benefit"] == "SJP") & pay["case_id"].isin(ok) & (pay["amount_sek"] > 0)]
    days = (pay["period_end"] - pay["period_start"]).dt.days.to_numpy() + 1
    full_days = days * pay["extent"].to_numpy()
    per_day = pay["amount_sek"].to_numpy() / full_days
    cap = RULES.daily_amount_cap("SJP", _days(pay["period_start"]))
    assert (pay["amount_sek"].to_numpy() <= np.round(cap * full_days) + 0.5).all()
    # 8 price base amounts: 804 SEK a day in 2020, 810 in 2021; the cap of 2021 is reached
    in_2021 = pay["period_start"].dt.year.to_numpy() == 2021
    assert np.isclose(per_day[in_2021], 810.0, atol=0.5).any()


def test_sgi_decisions_stay_within_the_cap_of_their_day(world):
    sgi = world["sgi_decisions"]
    cap = np.round(RULES.max_sgi("FP", _days(sgi["valid_from"])), -2)
    assert (sgi["annual_sgi_sek"].to_numpy() <= cap).all()
    assert (sgi["annual_sgi_sek"].to_numpy() == cap).any()  # high earners meet the cap


def test_a_world_without_kar_has_none_and_no_kar_errors(tmp_path):
    out = tmp_path / "w"
    generate(persons=2000, start=date(2023, 1, 1), end=date(2023, 12, 31), seed=5, out=out)
    cases = pq.read_table(out / "cases.parquet").to_pandas()
    truth = pq.read_table(out / "truth" / "case_truth.parquet").to_pandas()
    assert not (cases["benefit"] == "KAR").any()
    assert not truth["mechanism"].isin(["kar_on_sjp_day", "kar_repeated"]).any()
    assert truth["is_erroneous"].any()  # the other mechanisms still run
