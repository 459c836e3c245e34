"""The random stream tonight's list is measured against: closed by D-1, recent, weighted."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from audit.burden import equal_treatment
from audit.night import (
    choose_random_base,
    match_benefit_mix,
    per_benefit_equal_treatment,
    random_stream,
)
from scoring.job import issued_exploration_ids

D = date.fromisoformat


def test_random_stream_is_closed_known_recent_and_weighted():
    controls = pd.DataFrame(
        {
            "control_id": ["old", "ok", "open", "closed_today", "rule", "ok2"],
            "selection": ["random", "random", "random", "random", "rule", "random"],
            "selected_date": [D("2022-01-01"), D("2025-03-01"), D("2025-06-01"), D("2025-08-01"),
                              D("2025-03-01"), D("2025-05-01")],
            "closed_date": [D("2022-03-01"), D("2025-04-01"), None, D("2025-10-01"),
                            D("2025-04-01"), D("2025-09-30")],
            "outcome": ["no_error", "error_fk", None, "no_error", "error_fk", "no_error"],
            "selection_probability": [0.1, 0.02, 0.02, 0.02, np.nan, 0.5],
        }
    )  # fmt: skip
    rnd = random_stream(controls, D("2025-10-01"), window_days=730)
    assert list(rnd["control_id"]) == ["ok", "ok2"]
    assert list(rnd["is_error"]) == [True, False]
    np.testing.assert_allclose(rnd["weight"], [50.0, 2.0])
    everything = random_stream(controls, D("2025-10-01"))
    assert list(everything["control_id"]) == ["old", "ok", "ok2"]


def test_random_errors_are_weighed_to_the_benefit_mix_of_the_list():
    # FP errors are all women's, SJP errors all men's, equally many; the list is 80 % FP
    random = pd.DataFrame(
        {
            "benefit": ["FP"] * 10 + ["SJP"] * 10 + ["AE"] * 5,
            "sex": ["F"] * 10 + ["M"] * 10 + ["F"] * 5,
            "is_error": [True] * 5 + [False] * 5 + [True] * 5 + [False] * 5 + [False] * 5,
            "weight": 2.0,
        }
    )
    selected = pd.DataFrame(
        {"benefit": ["FP"] * 8 + ["SJP"] * 2 + ["AE"], "sex": ["F"] * 8 + ["M"] * 2 + ["F"]}
    )
    rnd, sel, dropped = match_benefit_mix(random, selected)
    assert dropped == ["AE"] and len(sel) == 10 and "AE" not in set(rnd["benefit"])
    err = rnd[rnd["is_error"]]
    women_share_of_errors = err.loc[err["sex"] == "F", "weight"].sum() / err["weight"].sum()
    assert women_share_of_errors == pytest.approx(0.8)  # as on the list: equal burden, ratio 1
    unweighted = random[random["is_error"]]
    assert (unweighted["sex"] == "F").mean() == pytest.approx(0.5)  # ratio 1.6 without the mix


def _stream(n_own_errors: int) -> pd.DataFrame:
    """Ten agency random controls (two errors) and ten of the list's exploration picks."""
    return pd.DataFrame(
        {
            "control_id": [f"R{i}" for i in range(10)] + [f"X{i}" for i in range(10)],
            "is_error": [i < 2 for i in range(10)] + [i < n_own_errors for i in range(10)],
            "weight": 1.0,
        }
    )


def test_the_lists_own_exploration_picks_are_the_base_once_enough_have_errors():
    own = [f"X{i}" for i in range(10)]
    base = choose_random_base(_stream(3), own, "auto", min_errors=3)
    assert base.source == "exploration"
    assert list(base.controls["control_id"]) == own
    assert "10 avslutade kontroller, 3 fel" in base.note_sv


def test_too_few_exploration_errors_fall_back_to_the_random_stream_and_say_why():
    own = [f"X{i}" for i in range(10)]
    auto = choose_random_base(_stream(2), own, "auto", min_errors=3)
    assert auto.source == "random_stream" and len(auto.controls) == 20
    assert "myndighetens slumpurval" in auto.note_sv
    asked = choose_random_base(_stream(2), own, "exploration", min_errors=3)
    assert asked.source == "random_stream" and "bara 2 fel av 3" in asked.note_sv
    always = choose_random_base(_stream(9), own, "random_stream", min_errors=3)
    assert always.source == "random_stream" and len(always.controls) == 20


def test_exploration_ids_come_from_earlier_nights_only(tmp_path):
    for night, rows in {
        "2025-09-01": [("K1", "exploration"), ("K2", "model")],
        "2025-09-02": [("K3", "exploration")],
        "2025-10-01": [("K4", "exploration")],  # tonight's own list: not yet a base
    }.items():
        (tmp_path / night).mkdir()
        pd.DataFrame(rows, columns=["control_id", "selection"]).to_parquet(
            tmp_path / night / "control_list.parquet"
        )
    (tmp_path / "notes").mkdir()
    assert issued_exploration_ids(tmp_path, D("2025-10-01")) == {"K1", "K3"}


def test_within_each_benefit_its_picks_meet_its_own_random_errors():
    # pooled the list is 50/50 like the errors; within FP it is all women, whose FP errors are half
    random = pd.DataFrame(
        {
            "benefit": ["FP"] * 80 + ["SJP"] * 80 + ["KAR"] * 10,
            "sex": (["F", "M"] * 40) * 2 + ["F"] * 10,
            "is_error": ([True] * 40 + [False] * 40) * 2 + [False] * 10,
            "weight": 1.0,
        }
    )
    selected = pd.DataFrame(
        {
            "benefit": ["FP"] * 30 + ["SJP"] * 30 + ["KAR"] * 30 + ["TFP"] * 5,
            "sex": ["F"] * 30 + ["M"] * 30 + ["F"] * 30 + ["M"] * 5,
        }
    )
    within = per_benefit_equal_treatment(
        random, selected, ("sex",), equal_treatment, min_picks=10, n_boot=200, seed=1,
        min_random_errors=3,
    )  # fmt: skip
    # KAR has no random error, TFP too few picks: neither is measured
    assert set(within["benefit"]) == {"FP", "SJP"}
    fp_women = within[(within["benefit"] == "FP") & (within["value"] == "F")].iloc[0]
    assert fp_women["share_selected"] == 1.0 and fp_women["share_random_errors"] == 0.5
    assert fp_women["equal_burden_ratio"] == pytest.approx(2.0) and bool(fp_women["fails"])
    none = per_benefit_equal_treatment(
        random, selected, ("sex",), equal_treatment, min_picks=100, n_boot=200
    )
    assert none.empty and list(none.columns[:2]) == ["benefit", "group"]


def test_power_line_is_the_smallest_ratio_the_random_errors_can_tell_from_1():
    from audit.night import detectable_ratio

    # 50 errors, half of them the group's (k=25): log-SE sqrt(0.5/25) = 0.141; (1.96+0.84) x that
    got = detectable_ratio(np.array([25, 100, 0]), np.array([0.5, 0.5, 0.0]), 0.95, 0.8)
    assert got[0] == pytest.approx(np.exp((1.959964 + 0.841621) * np.sqrt(0.5 / 25)), rel=1e-5)
    assert got[0] == pytest.approx(1.486, abs=1e-3)
    assert got[1] < got[0]  # more errors see a smaller difference
    assert np.isinf(got[2])  # no errors: nothing can be told
