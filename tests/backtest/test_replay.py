"""Replayed nights: each policy's list through the nightly selection, with its own history."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from backtest.replay import (
    PolicySpec,
    night_dates,
    policy_frame,
    replay,
    standard_policies,
)
from scoring.config import load_selection_config

D1 = date(2025, 3, 3)


def _config(**overrides):
    base = load_selection_config()
    cap = {"SJP": {"verifiering": 3, "kontrollutredning": 0}}
    return base.model_copy(
        update={
            "capacity": {b: type(base.capacity_for("SJP"))(**c) for b, c in cap.items()},
            "exploration_share": 0.0,
            "cooldown_days": 30,
            "hard_rule_features": (),
            **overrides,
        }
    )


def _scored(n: int = 10) -> pd.DataFrame:
    i = np.arange(n)
    model_p = np.linspace(0.5, 0.05, n)
    rule_p = np.where(i >= n - 2, 0.9, np.nan)  # the two weakest model cases break a rule
    return pd.DataFrame(
        {
            "case_id": [f"C{j:02d}" for j in i],
            "person_id": [f"P{j:02d}" for j in i],
            "benefit": "SJP",
            "model_probability": model_p,
            "rule_probability": rule_p,
            "rule_feature": np.where(np.isnan(rule_p), None, "overlap_forbidden_days"),
            "amount_sek": 20_000.0,
            "probability": np.fmax(model_p, np.nan_to_num(rule_p)),
            "intent_probability": 0.0,
        }
    ).assign(
        expected_wrong_sek=lambda f: f["probability"] * f["amount_sek"],
        score=lambda f: f["probability"],
    )


def _no_controls() -> pd.DataFrame:
    cols = ["control_id", "case_id", "person_id", "selected_date", "closed_date", "outcome"]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})


def test_night_dates_are_spaced_and_inclusive():
    assert night_dates(date(2025, 1, 1), date(2025, 1, 15), 7) == [
        date(2025, 1, 1),
        date(2025, 1, 8),
        date(2025, 1, 15),
    ]
    with pytest.raises(ValueError):
        night_dates(date(2025, 2, 1), date(2025, 1, 1), 7)


def test_policies_rank_by_their_own_figure():
    s = _scored()
    assert policy_frame(s, "model")["probability"].iloc[0] == pytest.approx(0.5)
    rules = policy_frame(s, "rules")
    assert rules["probability"].iloc[0] == 0.0 and rules["probability"].iloc[-1] == 0.9
    assert rules["expected_wrong_sek"].iloc[-1] == pytest.approx(0.9 * 20_000)
    with pytest.raises(ValueError):
        PolicySpec("x", "oracle")


def test_each_policy_picks_its_own_cases_and_rules_pick_only_breakers():
    s = _scored()
    picks = replay(
        [D1],
        lambda d: {"model": s},
        _no_controls(),
        _config(),
        standard_policies(["hybrid", "model", "rules", "random"]),
    )
    by = {p: set(g["case_id"]) for p, g in picks.groupby("policy")}
    assert by["hybrid"] == {"C08", "C09", "C00"}  # the two rule breakers at 0.9, then the best
    assert by["model"] == {"C00", "C01", "C02"}
    assert by["rules"] == {"C08", "C09"}  # capacity 3, only two breakers: one slot unused
    assert len(by["random"]) == 3


def test_a_picked_case_is_not_picked_again_and_its_person_cools_down():
    s = _scored()
    nights = [D1, date(2025, 3, 10), date(2025, 4, 20)]
    picks = replay(
        nights, lambda d: {"model": s}, _no_controls(), _config(), standard_policies(["model"])
    )
    first = set(picks.loc[picks["as_of"] == nights[0], "case_id"])
    second = set(picks.loc[picks["as_of"] == nights[1], "case_id"])
    third = set(picks.loc[picks["as_of"] == nights[2], "case_id"])
    assert first == {"C00", "C01", "C02"}
    assert second == {"C03", "C04", "C05"}
    # past the 30-day cooldown the persons are free again, but their cases were picked already
    assert not (third & (first | second))


def test_a_confirmed_error_known_by_d_minus_1_is_never_picked():
    s = _scored()
    controls = pd.DataFrame(
        {
            "control_id": ["K1", "K2"],
            "case_id": ["C00", "C01"],
            "person_id": ["PX", "PY"],  # other persons: the cooldown does not explain it
            "selected_date": pd.to_datetime(["2024-10-01", "2024-10-01"]),
            "closed_date": pd.to_datetime(["2025-03-02", "2025-03-03"]),
            "outcome": ["error_customer", "error_customer"],
        }
    )
    picks = replay([D1], lambda d: {"model": s}, controls, _config(), standard_policies(["model"]))
    chosen = set(picks["case_id"])
    assert "C00" not in chosen  # closed on D-1 with an error
    assert "C01" in chosen  # closed on D itself: not known tonight


def test_two_sources_replay_side_by_side():
    s = _scored()
    other = s.assign(model_probability=s["model_probability"].to_numpy()[::-1])
    picks = replay(
        [D1],
        lambda d: {"a": s, "b": other},
        _no_controls(),
        _config(),
        [PolicySpec("A", "model", "a"), PolicySpec("B", "model", "b")],
    )
    assert set(picks.loc[picks["policy"] == "A", "case_id"]) == {"C00", "C01", "C02"}
    assert set(picks.loc[picks["policy"] == "B", "case_id"]) == {"C09", "C08", "C07"}
