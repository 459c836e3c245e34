"""Selection policy: capacity, lanes, exploration, cooldown, hard rules, ids."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from felrisk.config import parse_config
from felrisk.errors import ConfigError, ContractError
from scoring.config import SelectionConfig, load_selection_config
from scoring.selection import (
    LIST_COLUMNS,
    assign_lanes,
    cooldown_persons,
    exploration_draw,
    select_controls,
)
from tests.scoring.conftest import make_config, make_scored

D = date(2025, 10, 1)


def _counts(lst: pd.DataFrame) -> dict:
    return lst.groupby(["benefit", "lane"]).size().to_dict()


def test_capacity_per_benefit_and_lane(config, scored):
    lst = select_controls(scored, config, as_of=D)
    assert list(lst.columns) == list(LIST_COLUMNS)
    counts = _counts(lst)
    assert counts[("SJP", "verifiering")] == 10
    assert counts[("SJP", "kontrollutredning")] == 5
    assert counts[("TFP", "verifiering")] == 5
    assert ("TFP", "kontrollutredning") not in counts
    assert "FP" not in set(lst["benefit"])  # no capacity in the config: no list


def test_capacity_larger_than_candidates_takes_all_eligible():
    scored = make_scored(n=6, benefits=("SJP",))
    cfg = make_config(capacity={"SJP": {"verifiering": 50, "kontrollutredning": 50}})
    lst = select_controls(scored, cfg, as_of=D)
    assert sorted(lst["case_id"]) == sorted(scored["case_id"])


def test_lanes_never_mixed(config, scored):
    lst = select_controls(scored, config, as_of=D)
    inv = lst[lst["lane"] == "kontrollutredning"]
    assert (inv["intent_probability"] >= config.intent_threshold).all()
    assert not inv["hard_rule_break"].any()
    assert (inv["selection"] == "model").all()
    ver_model = lst[(lst["lane"] == "verifiering") & (lst["selection"] == "model")]
    assert (
        (ver_model["intent_probability"] < config.intent_threshold) | ver_model["hard_rule_break"]
    ).all()


def test_intent_given_error_reads_intent_as_a_share_of_the_error_probability(scored):
    cfg = make_config(intent_basis="given_error", exploration_share=0.0, hard_rule_features=[])
    frame = scored.assign(probability=0.2, intent_probability=0.0)
    frame.loc[:9, "intent_probability"] = 0.15  # 75 % of a 20 % error risk is intentional
    frame.loc[10:19, "intent_probability"] = 0.05  # 25 %: verification
    lanes = assign_lanes(frame, cfg)
    assert (lanes[:10] == "kontrollutredning").all()
    assert (lanes[10:] == "verifiering").all()
    # read as absolute probabilities, neither reaches 0.5
    assert (assign_lanes(frame, make_config(intent_basis="absolute")) == "verifiering").all()
    # without an intent model every case goes to verification
    assert (assign_lanes(frame.assign(intent_probability=np.nan), cfg) == "verifiering").all()


def test_hard_rule_break_goes_to_verification_first_whatever_its_score(config, scored):
    scored = scored.copy()
    scored["overlap_forbidden_days"] = 0
    low = scored[scored["benefit"] == "SJP"]["expected_wrong_sek"].idxmin()
    scored.loc[low, ["overlap_forbidden_days", "intent_probability"]] = [5, 0.99]
    lst = select_controls(scored, make_config(exploration_share=0.0), as_of=D)
    row = lst[lst["case_id"] == scored.loc[low, "case_id"]]
    assert len(row) == 1
    assert row["lane"].item() == "verifiering"
    assert row["rank"].item() == 1
    assert row["hard_rule_break"].item()


def test_ranks_by_expected_sek_or_probability(scored):
    base = make_config(exploration_share=0.0, hard_rule_features=[])
    by_sek = select_controls(scored, base, as_of=D)
    by_p = select_controls(
        scored,
        make_config(exploration_share=0.0, hard_rule_features=[], rank_by="probability"),
        as_of=D,
    )
    for lst, col in ((by_sek, "expected_wrong_sek"), (by_p, "probability")):
        for _, grp in lst.groupby(["benefit", "lane"]):
            assert grp.sort_values("rank")[col].is_monotonic_decreasing
    # the best cases by each measure are the ones selected
    sjp_ver = scored[(scored["benefit"] == "SJP") & (scored["intent_probability"] < 0.5)]
    top_sek = set(sjp_ver.nlargest(10, "expected_wrong_sek")["case_id"])
    got = by_sek[(by_sek["benefit"] == "SJP") & (by_sek["lane"] == "verifiering")]
    assert set(got["case_id"]) == top_sek
    assert set(by_sek["case_id"]) != set(by_p["case_id"])


def test_investigation_list_can_rank_by_intent_probability(scored):
    cfg = make_config(
        exploration_share=0.0, hard_rule_features=[], investigation_rank_by="intent_probability"
    )
    lst = select_controls(scored, cfg, as_of=D)
    inv = lst[(lst["benefit"] == "SJP") & (lst["lane"] == "kontrollutredning")]
    assert inv.sort_values("rank")["intent_probability"].is_monotonic_decreasing
    pool = scored[(scored["benefit"] == "SJP") & (scored["intent_probability"] >= 0.5)]
    assert set(inv["case_id"]) == set(pool.nlargest(5, "intent_probability")["case_id"])
    ver = lst[(lst["benefit"] == "SJP") & (lst["lane"] == "verifiering")]
    assert ver.sort_values("rank")["expected_wrong_sek"].is_monotonic_decreasing
    same = select_controls(
        scored, make_config(exploration_share=0.0, hard_rule_features=[]), as_of=D
    )
    assert set(inv["case_id"]) != set(
        same[(same["benefit"] == "SJP") & (same["lane"] == "kontrollutredning")]["case_id"]
    )


def test_without_amounts_expected_sek_ranking_falls_back_to_probability(scored):
    cfg = make_config(exploration_share=0.0, hard_rule_features=[])
    no_amount = scored.assign(expected_wrong_sek=np.nan)
    by_p = select_controls(
        scored,
        make_config(exploration_share=0.0, hard_rule_features=[], rank_by="probability"),
        as_of=D,
    )
    got = select_controls(no_amount, cfg, as_of=D)
    assert list(got["case_id"]) == list(by_p["case_id"])


def test_exploration_share_and_probability(config, scored):
    lst = select_controls(scored, config, as_of=D)
    exp = lst[lst["selection"] == "exploration"]
    # SJP: round(0.2 * 15) = 3 slots; TFP: round(0.2 * 5) = 1
    assert _counts(exp) == {("SJP", "verifiering"): 3, ("TFP", "verifiering"): 1}
    n_sjp = int((scored["benefit"] == "SJP").sum())
    n_tfp = int((scored["benefit"] == "TFP").sum())
    sjp_p = exp.loc[exp["benefit"] == "SJP", "selection_probability"].unique()
    tfp_p = exp.loc[exp["benefit"] == "TFP", "selection_probability"].unique()
    assert sjp_p == pytest.approx([3 / n_sjp])
    assert tfp_p == pytest.approx([1 / n_tfp])
    assert lst.loc[lst["selection"] == "model", "selection_probability"].isna().all()


def test_exploration_is_reproducible_and_order_independent(config, scored):
    a = select_controls(scored, config, as_of=D)
    b = select_controls(scored.sample(frac=1.0, random_state=3), config, as_of=D)
    pd.testing.assert_frame_equal(a, b)
    c = select_controls(scored, config, as_of=date(2025, 10, 2))
    exp = lambda x: set(x.loc[x["selection"] == "exploration", "case_id"])  # noqa: E731
    assert exp(a) != exp(c)
    d = select_controls(scored, make_config(seed=8), as_of=D)
    assert exp(a) != exp(d)


def test_exploration_draws_from_all_active_cases_uniformly():
    ids = pd.Series([f"C{i:03d}" for i in range(60)])
    hits = pd.Series(0, index=ids)
    nights = 400
    for k in range(nights):
        picked = exploration_draw(ids, 5, 7, date(2024, 1, 1) + timedelta(days=k), "SJP")
        assert len(set(picked)) == 5
        hits[picked] += 1
    # every case is drawn, at a frequency near 5/60 per night, whatever its score
    assert (hits > 0).all()
    freq = hits / nights
    assert freq.max() < 0.2 and freq.min() > 0.01


def test_cooldown_excludes_persons_from_model_and_exploration(config, scored):
    first = select_controls(scored, config, as_of=D)
    cooled = set(first["person_id"])
    second = select_controls(scored, config, as_of=D, cooled_persons=cooled)
    assert not (set(second["person_id"]) & cooled)
    eligible = scored[~scored["person_id"].isin(cooled) & (scored["benefit"] == "SJP")]
    p = second.loc[
        (second["selection"] == "exploration") & (second["benefit"] == "SJP"),
        "selection_probability",
    ]
    assert p.unique() == pytest.approx([3 / len(eligible)])


def test_cooldown_window_is_known_by_d_minus_1():
    controls = pd.DataFrame(
        {
            "person_id": ["a", "b", "c", "d"],
            "selected_date": [
                date(2025, 9, 1),  # exactly 30 days before: inside
                date(2025, 8, 31),  # 31 days before: outside
                date(2025, 9, 30),  # D-1: inside
                date(2025, 10, 1),  # D itself: not known yet
            ],
        }
    )
    issued = pd.DataFrame({"person_id": ["e", "f"], "as_of": [date(2025, 9, 15), D]})
    assert cooldown_persons(controls, D, 30, issued) == {"a", "c", "e"}
    assert cooldown_persons(controls, D, 0, issued) == set()


def test_nobody_twice_in_one_night():
    scored = make_scored(n=200, benefits=("SJP", "TFP"))
    scored["person_id"] = [f"P{i % 40:03d}" for i in range(200)]  # five cases per person
    cfg = make_config(
        capacity={
            "SJP": {"verifiering": 20, "kontrollutredning": 10},
            "TFP": {"verifiering": 20, "kontrollutredning": 10},
        }
    )
    lst = select_controls(scored, cfg, as_of=D)
    model = lst[lst["selection"] == "model"]
    assert not model["person_id"].duplicated().any()
    assert not (
        set(model["person_id"]) & set(lst.loc[lst["selection"] == "exploration", "person_id"])
    )


def test_control_ids_unique_within_and_across_nights(config, scored):
    a = select_controls(scored, config, as_of=D)
    b = select_controls(scored, config, as_of=date(2025, 10, 2))
    assert a["control_id"].is_unique
    assert not set(a["control_id"]) & set(b["control_id"])
    assert a["control_id"].str.startswith("K20251001-").all()
    for _, grp in a.groupby(["benefit", "lane"]):
        assert list(grp["rank"]) == list(range(1, len(grp) + 1))


def test_empty_input_gives_empty_list_with_columns(config, scored):
    lst = select_controls(scored.iloc[:0], config, as_of=D)
    assert lst.empty and list(lst.columns) == list(LIST_COLUMNS)


def test_bad_inputs_are_named(config, scored):
    with pytest.raises(ContractError, match="intent_probability"):
        select_controls(scored.drop(columns="intent_probability"), config, as_of=D)
    with pytest.raises(ContractError, match="duplicated case_id"):
        select_controls(pd.concat([scored, scored.head(1)]), config, as_of=D)
    with pytest.raises(ConfigError, match="tfp_in_sickpay_period_days"):
        select_controls(scored.drop(columns="tfp_in_sickpay_period_days"), config, as_of=D)


def test_config_defaults_load_and_bad_values_are_named():
    cfg = load_selection_config()
    assert cfg.capacity_for("SJP").total > 0
    assert cfg.rank_by in ("expected_sek", "probability")
    raw = cfg.model_dump()
    with pytest.raises(ConfigError, match="XYZ"):
        parse_config(SelectionConfig, {**raw, "capacity": {"XYZ": raw["capacity"]["SJP"]}})
    with pytest.raises(ConfigError, match="rank_by"):
        parse_config(SelectionConfig, {**raw, "rank_by": "shoe_size"})
    with pytest.raises(ConfigError, match="cooldown"):
        parse_config(SelectionConfig, {**raw, "cooldown": 3})


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 80),
    seed=st.integers(0, 10_000),
    share=st.floats(0, 1),
    ver=st.integers(0, 12),
    inv=st.integers(0, 6),
    cool=st.integers(0, 20),
)
def test_invariants_hold_for_any_night(n, seed, share, ver, inv, cool):
    scored = make_scored(n=n, seed=seed, benefits=("SJP", "KAR"))
    cfg = make_config(
        exploration_share=share,
        capacity={
            "SJP": {"verifiering": ver, "kontrollutredning": inv},
            "KAR": {"verifiering": inv, "kontrollutredning": ver},
        },
    )
    cooled = set(scored["person_id"].head(cool))
    lst = select_controls(scored, cfg, as_of=D, cooled_persons=cooled)
    assert lst["control_id"].is_unique and lst["case_id"].is_unique
    assert not set(lst["person_id"]) & cooled
    for (benefit, lane), grp in lst.groupby(["benefit", "lane"]):
        assert len(grp) <= getattr(cfg.capacity_for(benefit), lane)
    inv_lane = lst[lst["lane"] == "kontrollutredning"]
    assert (inv_lane["intent_probability"] >= 0.5).all() and not inv_lane["hard_rule_break"].any()
    exp = lst[lst["selection"] == "exploration"]
    assert ((exp["selection_probability"] > 0) & (exp["selection_probability"] <= 1)).all()
    assert (exp["lane"] == "verifiering").all()
    # within capacity, no eligible hard-rule break is left out while a non-break model pick is in
    model_ver = lst[(lst["selection"] == "model") & (lst["lane"] == "verifiering")]
    left = scored[~scored["case_id"].isin(lst["case_id"]) & ~scored["person_id"].isin(cooled)]
    left_breaks = left[left["overlap_forbidden_days"] > 0]
    for benefit in left_breaks["benefit"].unique():
        assert model_ver[model_ver["benefit"] == benefit]["hard_rule_break"].all()
