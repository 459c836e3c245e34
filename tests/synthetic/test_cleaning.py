"""The overlap sweep that keeps correct cases apart, against a plain-Python reference."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from synthetic.cleaning import _overlaps_any_before
from synthetic.timeaxis import overlaps_earlier

rows = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 60), st.integers(0, 12)), min_size=0, max_size=40
)


def _reference(p, s, e):
    return [
        any(p[k] == p[i] and s[k] <= e[i] and s[i] <= e[k] for k in range(i)) for i in range(len(p))
    ]


@given(rows)
def test_overlaps_any_before_matches_reference(data):
    data = sorted(data, key=lambda r: r[0])  # grouped by person, any order within
    p = np.array([r[0] for r in data], dtype="int64")
    s = np.array([r[1] for r in data], dtype="int64")
    e = s + np.array([r[2] for r in data], dtype="int64")
    assert _overlaps_any_before(p, s, e).tolist() == _reference(p, s, e)


@given(rows)
def test_overlaps_earlier_flags_all_but_one_of_each_overlapping_pair(data):
    p = np.array([r[0] for r in data], dtype="int64")
    s = np.array([r[1] for r in data], dtype="int64")
    e = s + np.array([r[2] for r in data], dtype="int64")
    hit = overlaps_earlier(p, s, e)
    kept = np.flatnonzero(~hit)
    for a in kept:
        for b in kept:
            if a < b and p[a] == p[b]:
                assert not (s[a] <= e[b] and s[b] <= e[a])
