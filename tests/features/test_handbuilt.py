"""Known answers for hand-built cases of every family, false alarms included, on every backend."""

from __future__ import annotations

import math

import pytest

from tests.features import scenarios

CHECKS = [
    (case, name, value) for case, exp in scenarios.EXPECTED.items() for name, value in exp.items()
]


@pytest.mark.parametrize(
    ("case_id", "feature", "expected"), CHECKS, ids=[f"{c}-{f}" for c, f, _ in CHECKS]
)
def test_known_answer(hand_features, case_id, feature, expected):
    got = hand_features.loc[case_id, feature]
    assert math.isclose(float(got), float(expected), rel_tol=1e-9), (case_id, feature, got)


def test_fixed_features_have_no_false_alarms(hand_features):
    """Every fixed feature is 0 for every case whose story does not set it."""
    for name in scenarios.FIXED:
        flagged = {c for c, exp in scenarios.EXPECTED.items() if exp.get(name, 0) != 0}
        others = hand_features.drop(index=list(flagged))[name]
        assert (others == 0).all(), others[others != 0]


def test_one_row_per_spine_row(hand_features):
    assert hand_features.index.is_unique
    assert set(hand_features.index) == {c["case_id"] for c in scenarios.CASES}
