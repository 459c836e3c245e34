"""The champion gate's logic: passes, fails on equal treatment, and against an existing champion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit import equal_treatment
from training.gate import confirm_failures, decide, paired_gain_at_k
from training.metrics import Estimate


def test_no_champion_and_a_clean_audit_promotes():
    d = decide([], None, None)
    assert d.promote and "no champion yet" in d.summary()


def test_a_failing_group_blocks_promotion_whatever_the_gain():
    d = decide(["sex=F"], 2, Estimate(0.2, 0.1, 0.3))
    assert not d.promote and "sex=F" in d.summary()


def test_against_a_champion_the_paired_gain_must_clear_zero():
    assert decide([], 2, Estimate(0.05, 0.01, 0.09)).promote
    overlap = decide([], 2, Estimate(0.05, -0.01, 0.09))
    assert not overlap.promote and "does not beat champion v2" in overlap.summary()
    broken = decide([], 2, None, champion_problem="features differ")
    assert not broken.promote and "features differ" in broken.summary()


def test_paired_gain_sees_a_better_ranking_and_none_between_equals():
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.1).astype(float)
    good = y + rng.normal(0, 0.8, len(y))
    noise = rng.random(len(y))
    gain = paired_gain_at_k(y, good, noise, 200, n_boot=200, seed=1)
    assert gain.low > 0.1
    same = paired_gain_at_k(y, good, good, 200, n_boot=200, seed=1)
    assert same.value == same.low == same.high == 0.0


def _random_stream(n: int, seed: int) -> pd.DataFrame:
    """Eight groups with the same error rate (30 %)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"g": rng.choice(list("ABCDEFGH"), n), "is_error": rng.random(n) < 0.3})


def _picks_short_of_a(random: pd.DataFrame, missing: int) -> pd.DataFrame:
    """A selection of every error in the stream, less `missing` of group A's."""
    errors = random[random["is_error"]]
    a = errors[errors["g"] == "A"]
    return pd.concat([errors[errors["g"] != "A"], a.iloc[: len(a) - missing]])


KW = {"error_col": "is_error", "band": (0.8, 1.25), "n_boot": 200, "seed": 3}


@pytest.mark.parametrize(
    ("missing", "after_adjustment"),
    [(60, []), (80, ["g=A"])],
)
def test_bonferroni_clears_a_marginal_failure_and_keeps_a_clear_one(missing, after_adjustment):
    random = _random_stream(4000, 0)  # group A: 138 errors
    picks = _picks_short_of_a(random, missing)
    results = {"g": equal_treatment(random, picks, "g", **KW)}
    assert results["g"].failing == ["A"]  # outside the band at 95 %
    plain = confirm_failures(results, random, picks, correction="none", max_boot=2000, **KW)
    assert plain.failures == ["g=A"] and plain.note() is None
    adjusted = confirm_failures(
        results, random, picks, correction="bonferroni", max_boot=2000, **KW
    )
    assert adjusted.n_tested == 8 and adjusted.level == pytest.approx(1 - 0.05 / 8)
    assert adjusted.failures == after_adjustment
    assert (adjusted.note() is None) == bool(after_adjustment)
    decision = decide(adjusted.failures, None, None, audit_note=adjusted.note())
    assert decision.promote == (not after_adjustment)


def test_per_benefit_audit_sees_what_the_pooled_figures_hide():
    """Within FP only women are picked though FP errors are half men's; within SJP only men.
    Pooled, the picks are half women like the errors; per benefit, both lists fail."""
    from training.config import load_training_config
    from training.pipeline import _per_benefit_note, per_benefit_audit

    rng = np.random.default_rng(0)
    n = 800
    benefit = np.repeat(["FP", "SJP"], n // 2)
    sex = np.tile(["F", "M"], n // 2)
    is_error = rng.random(n) < 0.3
    test = pd.DataFrame(
        {
            "benefit": benefit,
            "sex": sex,
            "is_error": is_error,
            "selection_probability": 0.1,
        }
    )
    # the model scores FP women and SJP men highest
    score = ((benefit == "FP") & (sex == "F")) | ((benefit == "SJP") & (sex == "M"))
    cfg = load_training_config()
    table = per_benefit_audit(test, score.astype(float) + rng.random(n) * 0.01, 200, cfg)
    fp_women = table[(table["benefit"] == "FP") & (table["value"] == "F")].iloc[0]
    assert fp_women["share_selected"] == 1.0 and bool(fp_women["fails"])
    sjp_men = table[(table["benefit"] == "SJP") & (table["value"] == "M")].iloc[0]
    assert bool(sjp_men["fails"])
    assert "FP sex=F" in _per_benefit_note(table) and "SJP sex=M" in _per_benefit_note(table)
