"""The champion gate's logic: passes, fails on equal treatment, and against an existing champion."""

from __future__ import annotations

import numpy as np

from training.gate import decide, paired_gain_at_k
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
