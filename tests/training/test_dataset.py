"""The training set built a date range at a time equals the set built at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import ibis
import pandas as pd
import pytest

from felrisk.datadir import DataSet, open_data
from tests.world.planted import planted_tables
from tests.world.write import write_world
from training.dataset import _annual_pay, build_training_set, date_chunks


def test_date_chunks_cover_every_date_once_within_the_row_limit():
    days = pd.Series(
        [date(2025, 1, 1)] * 3
        + [date(2025, 1, 2)] * 2
        + [date(2025, 1, 5)] * 6
        + [date(2025, 2, 1)]
    )
    assert date_chunks(days, 5) == [
        (date(2025, 1, 1), date(2025, 1, 2)),
        (date(2025, 1, 5), date(2025, 1, 5)),  # one date above the limit stands alone
        (date(2025, 2, 1), date(2025, 2, 1)),
    ]
    assert date_chunks(days, 100) == [(date(2025, 1, 1), date(2025, 2, 1))]
    assert date_chunks(pd.Series([], dtype=object), 5) == []


@pytest.mark.slow
def test_chunks_give_the_same_training_set(tmp_path):
    data = open_data(write_world(tmp_path / "data", **planted_tables(persons=1500, seed=5)))
    whole = build_training_set(data, chunk_rows=10**9).frame
    pieces = build_training_set(data, chunk_rows=300)
    n_chunks = len(date_chunks(pieces.frame["selected_date"], 300))
    assert n_chunks >= 3
    pd.testing.assert_frame_equal(pieces.frame, whole)


def test_annual_pay_takes_a_months_latest_report_known_by_d_minus_1():
    """A correction repeats the month's whole pay: it replaces the report it corrects (as in the
    features' income), never adds to it; a report on D itself is not yet known."""
    con = ibis.duckdb.connect()
    d = pd.Timestamp
    reports = pd.DataFrame(
        {
            "person_id": ["p", "p", "p", "p", "p", "p", "q"],
            "employer_id": ["E1", "E1", "E1", "E1", "E1", "E2", "E1"],
            "month": [d("2025-05-01"), d("2025-06-01")] + [d("2026-05-01")] * 5,
            "gross_pay_sek": [1.0, 10.0, 100.0, 120.0, 1000.0, 5.0, 7.0],
            "reported_date": [
                d("2025-06-12"),  # May 2025: before the 12 months
                d("2025-07-12"),
                d("2026-05-20"),
                d("2026-05-31"),  # corrects the report above
                d("2026-06-01"),  # on D: not yet known
                d("2026-05-25"),  # another employer: summed
                d("2026-05-20"),
            ],
        }
    )
    data = DataSet(Path("."), con, {"income_reports": ibis.memtable(reports)})
    closed = ibis.memtable(
        pd.DataFrame(
            {
                "control_id": ["c1", "c2"],
                "person_id": ["p", "q"],
                "selected_date": [d("2026-06-01")] * 2,
            }
        ),
    )
    got = _annual_pay(data, closed, 12).set_index("control_id")["annual_pay_sek"].to_dict()
    assert got == {"c1": 10.0 + 120.0 + 5.0, "c2": 7.0}
