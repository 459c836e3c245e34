"""A control that confirms an error corrects its case: payments stop, no later control, truth says so."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from felrisk.contract import ERROR_OUTCOMES
from synthetic.agency_rules import rule_flags
from synthetic.build import build_world
from synthetic.controls import settle
from synthetic.correction import control_history, cut_payments
from synthetic.scenario import load_scenario
from synthetic.timeaxis import NA_DAY, day, month_index
from synthetic.world import _known_cases
from tests.synthetic.conftest import DENSE


def test_a_confirmed_error_stops_its_case(world):
    truth = world.truth
    k = world["controls"]
    confirmed = k[k["outcome"].isin(ERROR_OUTCOMES)].groupby("case_id")["closed_date"].min()
    assert len(confirmed) >= 10
    corrected = truth.set_index("case_id")["corrected_date"]
    # the truth's corrected_date is the closed date of the case's first confirming control
    assert corrected.dropna().sort_index().equals(confirmed.sort_index().rename("corrected_date"))
    assert truth.loc[truth["corrected_date"].notna(), "is_erroneous"].all()
    assert (truth.loc[truth["corrected_date"].notna(), "wrong_amount_sek"] > 0).all()

    def after(frame: pd.DataFrame, case_col: str, day_col: str) -> int:
        c = corrected.reindex(frame[case_col]).to_numpy()
        return int((frame[day_col].to_numpy() > c).sum())

    # no payment for a day after the correction, no control selected after it
    assert after(world["payments"], "case_id", "period_end") == 0
    assert after(k, "case_id", "selected_date") == 0
    assert after(world["cases"], "case_id", "closed_date") == 0
    assert after(world["activity_reports"], "case_id", "month") == 0
    assert after(world["work_time_reports"], "client_case_id", "work_date") == 0
    # a corrected case that was still paying closes on its correction day
    cases = world["cases"].set_index("case_id")
    assert (cases.loc[corrected.dropna().index, "closed_date"].notna()).all()


def test_found_wrong_amounts_follow_the_corrected_truth(world):
    """A control measures the wrong amount of the case as paid (after its correction), +-15 %."""
    k = world["controls"].merge(world.truth, on="case_id", suffixes=("", "_truth"))
    found = k[k["outcome"].isin(ERROR_OUTCOMES)]
    got, truth = found["wrong_amount_sek"], found["wrong_amount_sek_truth"]
    assert (got >= 0.85 * truth - 0.5).all() and (got <= 1.05 * truth + 0.5).all()
    assert (got >= 1).all()


def test_cut_payments_cuts_the_spanning_period_and_drops_later_ones():
    pay = pd.DataFrame(
        {
            "case": [1, 1, 1, 1, 2],
            "ps": [0, 31, 31, 62, 31],
            "pe": [30, 60, 60, 90, 60],
            "amount": [3100.0, 3000.0, -3000.0, 2900.0, 3000.0],
            "hours": [np.nan, 100.0, 100.0, np.nan, np.nan],
            "paid": [35, 65, 120, 95, 65],
        }
    )
    out = cut_payments(pay, pd.Series({1: 40}))
    assert out["case"].tolist() == [1, 1, 1, 2]
    assert out["pe"].tolist() == [30, 40, 40, 60]
    # 10 of 30 days remain of the period spanning day 40, and its reversal shrinks alike
    assert out["amount"].tolist() == [3100.0, 1000.0, -1000.0, 3000.0]
    assert out["hours"].iloc[1] == pytest.approx(33.25)  # quarter hours
    assert out["paid"].tolist() == [35, 65, 120, 65]
    assert cut_payments(pay, pd.Series(dtype="int64")).equals(pay)


def _cases() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case": [1, 2, 3, 4],
            "pid": [1, 1, 2, 3],
            "benefit": "SJP",
            "err": [True, False, False, True],
            "weak": False,
            "caused_by": ["customer", None, None, "customer"],
            "intentional": False,
            "wrong_from": [0, NA_DAY, NA_DAY, 500],
        }
    )


def _cand(rows: list[tuple]) -> pd.DataFrame:
    cols = ["case", "pid", "selection", "selected", "delay", "lo", "hi", "u"]
    c = pd.DataFrame(rows, columns=cols)
    order = {"random": 0, "rule": 1, "tip": 2}
    return c.assign(
        order=c["selection"].map(order),
        probability=np.where(c["selection"] == "random", 0.05, np.nan),
        u_found=0.0,
        u_crime=1.0,
        wrong_factor=1.0,
    )


def test_settle_drops_later_controls_and_keeps_the_random_draw_inside_the_open_span():
    nan = np.nan
    cand = _cand(
        [
            (1, 1, "tip", 10, 40, nan, nan, nan),  # confirms; closes day 50
            (1, 1, "rule", 120, 30, nan, nan, nan),  # after the correction: never made
            (1, 1, "random", 150, 100, 0, 300, 0.5),  # its place moves into days 0-50
            (2, 1, "tip", 130, 20, nan, nan, nan),  # same person: freed from the cooldown
            (3, 2, "random", 40, 20, 0, 100, 0.4),
            (4, 3, "tip", 20, 30, nan, nan, nan),  # an error not yet paid: not found
        ]
    )
    controls, corrected = settle(cand, _cases(), 1000, load_scenario())
    assert corrected.to_dict() == {1: 50}
    got = controls.set_index(["case", "selection"])
    assert ("rule" not in got.loc[1].index) and got.loc[(1, "tip"), "outcome"] == "error_customer"
    assert got.loc[(1, "random"), "selected"] == 25  # 0 + 0.5 x 51 days
    assert got.loc[(1, "random"), "probability"] == 0.05
    assert got.loc[(2, "tip"), "selected"] == 130
    assert got.loc[(3, "random"), "selected"] == 40
    assert got.loc[(4, "tip"), "outcome"] == "no_error"
    assert controls["selected"].is_monotonic_increasing


def test_settle_without_a_confirmation_changes_nothing():
    nan = np.nan
    cand = _cand([(2, 1, "tip", 10, 40, nan, nan, nan), (3, 2, "random", 40, 20, 0, 100, 0.4)])
    controls, corrected = settle(cand, _cases(), 1000, load_scenario())
    assert corrected.empty
    assert controls["selected"].tolist() == [10, 40]
    assert (controls["outcome"] == "no_error").all()


@pytest.fixture(scope="module")
def internal():
    """A small dense world's internal frames before and after the corrections."""
    sc = load_scenario(DENSE)
    s, e = day(date(2021, 1, 1)), day(date(2021, 12, 31))
    world = build_world(3000, s, e, sc, 7)  # a seed whose controls correct both kinds
    known = _known_cases(world, e)
    flags = rule_flags(
        known, world.sgi, world.income, world.activity, world.time_reports, world.payments
    )
    fixed, truth, controls, _ = control_history(world, known, flags)
    return world, fixed, truth, controls


def test_corrections_change_only_the_income_of_their_own_persons(internal):
    """Withholding ends with the benefit days (pay rises), an assistance case's assistants lose
    its later hours (pay falls); nobody else's income report changes."""
    world, fixed, truth, _ = internal
    hit = truth[truth["corrected"] != NA_DAY]
    assert len(hit) >= 5 and (hit["benefit"] == "ASS").any()
    links = world.state.ass_links
    assistants = set(links.loc[links["case"].isin(hit["case"]), "aid"])
    key = ["pid", "eid", "m", "reported"]
    before = world.income.set_index(key)["pay"]
    after = fixed.income.set_index(key)["pay"]
    both = before.index.intersection(after.index)
    changed = both[(before.loc[both] != after.loc[both]).to_numpy()]
    pid = changed.get_level_values("pid")
    assert set(pid) <= set(hit["pid"]) | assistants
    own = changed[~pid.isin(list(assistants))]
    care = changed[pid.isin(list(assistants))]
    assert (after.loc[own] > before.loc[own]).all() and len(own) > 0
    assert (after.loc[care] < before.loc[care]).all() and len(care) > 0
    # the rises come after a correction: never in a month before the person's first one
    first = hit.groupby("pid")["corrected"].min()
    month = own.get_level_values("m").to_numpy()
    assert (month >= month_index(first.reindex(own.get_level_values("pid")).to_numpy())).all()


def test_corrections_leave_every_other_case_as_it_was(internal):
    world, fixed, truth, _ = internal
    hit = set(truth.loc[truth["corrected"] != NA_DAY, "case"])
    b = world.payments[~world.payments["case"].isin(hit)].reset_index(drop=True)
    a = fixed.payments[~fixed.payments["case"].isin(hit)].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    was = _known_cases(world, world.state.end).set_index("case")
    now = truth.set_index("case")
    other = now.index.difference(list(hit))
    assert now.loc[other, "wrong"].equals(was.loc[other, "wrong"])
    assert (now.loc[list(hit), "wrong"] <= was.loc[list(hit), "wrong"] + 0.5).all()
