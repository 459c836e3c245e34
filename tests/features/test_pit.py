"""The one point-in-time rule (features.pit): known by the end of D-1, on every kind of input."""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd
import pytest

from features.pit import day, known_before, known_by, known_by_date, known_from_day

D = date(2025, 6, 10)
CONTROLS = pd.DataFrame(
    {
        "control_id": ["on_d_minus_1", "on_d", "open"],
        "selected_date": [date(2025, 6, 9), date(2025, 6, 10), date(2025, 1, 1)],
        "closed_date": [date(2025, 6, 9), date(2025, 6, 10), None],
    }
)


def _known(expr_of) -> list[str]:
    t = ibis.memtable(CONTROLS)
    t = t.mutate(as_of_day=day(ibis.literal(D)))
    return sorted(t.filter(expr_of(t)).control_id.to_pyarrow().to_pylist())


def test_a_row_known_on_d_minus_1_counts_and_one_known_on_d_does_not():
    assert _known(lambda t: known_by(t, "controls", t.as_of_day)) == ["on_d_minus_1", "open"]
    outcome = _known(lambda t: known_by(t, "controls", t.as_of_day, column="closed_date"))
    assert outcome == ["on_d_minus_1"]
    by_date = _known(lambda t: known_by_date(t, "controls", D, column="closed_date"))
    assert by_date == outcome
    projected = _known(
        lambda t: known_before(known_from_day(t, "controls", "closed_date"), t.as_of_day)
    )
    assert projected == outcome


def test_executed_rows_follow_the_same_rule():
    known = known_before(pd.to_datetime(CONTROLS["closed_date"]).dt.date, pd.Series([D] * 3))
    assert CONTROLS.loc[known.fillna(False).astype(bool), "control_id"].tolist() == ["on_d_minus_1"]


def test_static_tables_are_always_known_and_other_columns_are_refused():
    persons = ibis.memtable({"person_id": ["a"]})
    assert known_by(persons, "persons", ibis.literal(0)).equals(ibis.literal(True))
    with pytest.raises(ValueError, match="controls.outcome is not a known-from date"):
        known_from_day(ibis.memtable(CONTROLS), "controls", "outcome")
