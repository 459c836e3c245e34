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


@pytest.mark.slow  # three feature builds of its own
def test_employer_figures_are_as_known_at_the_start_of_the_month(hand_world, request):
    """A colleague's error closed on 2025-06-01 counts for the person at once, but for the
    employer's figures only from July: they are taken at the start of D's month."""
    from datetime import date

    from features.build import build_features
    from tests.features.conftest import open_on, run, spine_of

    data = open_on(hand_world, "duckdb", request)

    def features(as_of):
        out = run(data, build_features(data, spine_of(["N1_S", "N3_F"], as_of)))
        return out.set_index("case_id")

    june, july = features(date(2025, 6, 20)), features(date(2025, 7, 1))
    assert june.loc["N3_F", "person_confirmed_errors"] == 1
    assert june.loc["N1_S", "net_employer_confirmed_errors"] == 1  # N2's only
    assert july.loc["N1_S", "net_employer_confirmed_errors"] == 2  # N2's and N3's
    assert july.loc["N3_F", "net_employer_confirmed_errors"] == 1  # N3's own error is not counted
