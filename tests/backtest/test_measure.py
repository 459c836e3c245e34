"""Honest and oracle figures of replayed lists, against hand-counted answers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from backtest import measure

D1, D2 = date(2025, 3, 3), date(2025, 3, 10)


def _picks() -> pd.DataFrame:
    rows = [
        # policy, night, case
        ("hybrid", D1, "C1"),
        ("hybrid", D1, "C2"),
        ("hybrid", D2, "C3"),
        ("hybrid", D2, "C5"),
        ("rules", D1, "C1"),
        ("rules", D2, "C4"),
    ]
    f = pd.DataFrame(rows, columns=["policy", "as_of", "case_id"])
    return f.assign(person_id=f["case_id"].str.replace("C", "P"), selection="model")


def _controls() -> pd.DataFrame:
    # C1: random draw after both nights, error, p = 0.5; C2: random after, no error, p = 0.25;
    # C3: a rule control only (no honest label); C4: random after D2, error, p = 0.1, and a
    # second, later random control that must not count twice; C5: a random draw before its
    # night (the night knew it): no honest label.
    return pd.DataFrame(
        {
            "control_id": ["K1", "K2", "K3", "K4", "K5", "K6"],
            "case_id": ["C1", "C2", "C3", "C4", "C4", "C5"],
            "selection": ["random", "random", "rule", "random", "random", "random"],
            "selection_probability": [0.5, 0.25, np.nan, 0.1, 0.1, 0.5],
            "selected_date": pd.to_datetime(
                ["2025-04-01", "2025-05-01", "2025-02-01", "2025-04-01", "2025-09-01", "2025-02-01"]
            ),
            "closed_date": pd.to_datetime(
                ["2025-05-01", "2025-06-01", "2025-03-01", "2025-05-01", "2025-10-01", "2025-02-20"]
            ),
            "outcome": [
                "error_customer",
                "no_error",
                "error_fk",
                "suspected_crime",
                "no_error",
                "no_error",
            ],
            "wrong_amount_sek": [1000.0, 0.0, 500.0, 4000.0, 0.0, 0.0],
        }
    )


def _truth() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["C1", "C2", "C3", "C4", "C5"],
            "is_erroneous": [True, False, True, True, False],
            "wrong_amount_sek": [1100.0, 0.0, 600.0, 4200.0, 0.0],
            # C3 was corrected before night D2: picking it then is no find
            "corrected_date": pd.to_datetime([None, None, "2025-03-05", None, None]),
        }
    )


def test_random_draws_keep_every_closed_random_control():
    draws = measure.random_draws(_controls())
    assert sorted(draws["control_id"]) == ["K1", "K2", "K4", "K5", "K6"]
    assert draws.set_index("control_id").loc["K4", "draw_p"] == pytest.approx(0.1)


def test_a_pick_is_labelled_only_by_the_first_random_draw_on_or_after_its_night():
    lab = measure.label_picks(_picks(), _controls(), _truth()).set_index(["policy", "case_id"])
    # C5's draw came before the night: the night knew it, it labels nothing
    assert not lab.loc[("hybrid", "C5"), "labelled"]
    assert lab.loc[("hybrid", "C5"), "honest_w"] == 0.0
    # C4: the first draw after D2 (an error, p = 0.1), not the later one
    c4 = lab.loc[("rules", "C4")]
    assert c4["labelled"] and c4["honest_error"] and c4["honest_w"] == pytest.approx(10.0)
    assert lab.loc[("hybrid", "C2"), "honest_w"] == pytest.approx(4.0)


def test_the_weight_divides_by_the_share_of_the_span_after_the_night():
    cases = pd.DataFrame(
        {
            "case_id": ["C1", "C2"],
            "opened_date": pd.to_datetime(["2025-01-01", "2025-03-01"]),
            "closed_date": pd.to_datetime([None, "2025-06-30"]),
        }
    )
    lab = measure.label_picks(_picks(), _controls(), None, cases).set_index(["policy", "case_id"])
    # the random stream's days run from its first draw (02-01) to its last (09-01)
    first, last = date(2025, 2, 1), date(2025, 9, 1)
    share_c1 = ((last - D1).days + 1) / ((last - first).days + 1)
    assert lab.loc[("hybrid", "C1"), "honest_w"] == pytest.approx(1 / (0.5 * share_c1))
    share_c2 = ((date(2025, 6, 30) - D1).days + 1) / (
        (date(2025, 6, 30) - date(2025, 3, 1)).days + 1
    )
    assert lab.loc[("hybrid", "C2"), "honest_w"] == pytest.approx(1 / (0.25 * share_c2))
    # a case the cases table lacks keeps the logged probability's weight
    assert lab.loc[("rules", "C4"), "honest_w"] == pytest.approx(10.0)


def test_oracle_finds_exclude_errors_corrected_before_the_night():
    lab = measure.label_picks(_picks(), _controls(), _truth())
    c3 = lab[lab["case_id"] == "C3"].iloc[0]
    assert c3["oracle_error"] == 0.0 and c3["oracle_wrong"] == 0.0
    assert not c3["labelled"]
    c1 = lab[(lab["case_id"] == "C1") & (lab["policy"] == "hybrid")].iloc[0]
    assert c1["oracle_error"] == 1.0 and c1["oracle_wrong"] == 1100.0


def test_totals_are_the_hand_counted_ratios():
    lab = measure.label_picks(_picks(), _controls(), _truth())
    sums = measure.complete_nights(measure.night_sums(lab), ["hybrid", "rules"], [D1, D2])
    tot = measure.totals(sums, ["hybrid", "rules"], n_boot=200, seed=1, level=0.95).set_index(
        "policy"
    )
    # hybrid: C1 (error, w 2), C2 (no error, w 4), C3 and C5 (unlabelled); oracle: C1 only
    assert tot.loc["hybrid", "picks"] == 4
    assert tot.loc["hybrid", "labelled_picks"] == 2
    assert tot.loc["hybrid", "honest_errors_per_control"] == pytest.approx(2 / 6)
    # errors found: the Horvitz-Thompson total, C1's weight
    assert tot.loc["hybrid", "honest_errors"] == pytest.approx(2.0)
    assert tot.loc["hybrid", "oracle_errors"] == 1
    assert tot.loc["hybrid", "oracle_errors_per_control"] == pytest.approx(1 / 4)
    # rules: C1 (w 2, error 1000) and C4 (w 10, error 4000): both errors
    assert tot.loc["rules", "honest_errors_per_control"] == pytest.approx(1.0)
    assert tot.loc["rules", "honest_errors"] == pytest.approx(12.0)
    assert tot.loc["rules", "honest_wrong_sek_per_control"] == pytest.approx(
        (2 * 1000 + 10 * 4000) / 12
    )
    assert tot.loc["rules", "oracle_wrong_sek"] == pytest.approx(1100 + 4200)
    low, high = tot.loc[
        "hybrid", ["oracle_errors_per_control_low", "oracle_errors_per_control_high"]
    ]
    assert low <= 1 / 4 <= high


def test_paired_difference_is_the_difference_of_the_ratios():
    lab = measure.label_picks(_picks(), _controls(), _truth())
    sums = measure.complete_nights(measure.night_sums(lab), ["hybrid", "rules"], [D1, D2])
    d = measure.paired_difference(
        sums, "rules", "hybrid", "oracle_errors_per_control", n_boot=200, seed=1, level=0.95
    )
    assert d.value == pytest.approx(1.0 - 1 / 4)
    assert d.low <= d.value <= d.high


def test_paired_errors_found_count_shared_picks_alike():
    lab = measure.label_picks(_picks(), _controls(), _truth())
    sums = measure.complete_nights(measure.night_sums(lab), ["hybrid", "rules"], [D1, D2])
    boot = {"n_boot": 200, "seed": 1, "level": 0.95}
    honest = measure.paired_difference(sums, "rules", "hybrid", "honest_errors", **boot)
    # both picked C1 (w 2); only rules picked C4 (w 10, an error)
    assert honest.value == pytest.approx(10.0)
    oracle = measure.paired_difference(sums, "rules", "hybrid", "oracle_errors_found", **boot)
    assert oracle.value == pytest.approx(2 - 1)
    table = measure.paired_table(sums, [("hybrid", "rules")], **boot)
    assert set(table["figure"]) == set(measure.PAIRED_FIGURES)


def test_a_night_without_picks_counts_as_zero_not_as_missing():
    lab = measure.label_picks(_picks(), _controls(), _truth())
    sums = measure.complete_nights(
        measure.night_sums(lab), ["hybrid", "rules"], [D1, D2, date(2025, 3, 17)]
    )
    empty = sums[(sums["policy"] == "rules") & (sums["as_of"] == date(2025, 3, 17))].iloc[0]
    assert empty["picks"] == 0 and empty["oracle_errors"] == 0


def test_without_truth_the_oracle_is_missing_and_honest_figures_remain():
    lab = measure.label_picks(_picks(), _controls(), None)
    sums = measure.complete_nights(measure.night_sums(lab), ["hybrid"], [D1, D2])
    tot = measure.totals(sums, ["hybrid"], n_boot=100, seed=1, level=0.95).iloc[0]
    assert np.isnan(tot["oracle_errors_per_control"])
    assert tot["honest_errors_per_control"] == pytest.approx(2 / 6)
